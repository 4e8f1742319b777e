"""What the DISARM framework changed after the release the MISP galaxy in ``pymispgalaxies`` carries.

The technique vocabulary comes from the DISARM galaxy that ``pymispgalaxies`` ships
(:mod:`fimihub.vocab.disarm`). That galaxy lags the framework: DISARM has since added techniques (the persona,
asset and channel techniques T0143 to T0155 among them), renamed one, and retired others, folding what they
described into newer ones. This module records those changes, so the hub speaks the framework as DISARM
publishes it today (DISARM Foundation, DISARMframeworks, CC BY-SA 4.0). The tests hold it against DISARM's own
STIX bundle: every technique there is in the galaxy or in :data:`ADDED` under the same name and tactic, and
every galaxy technique the bundle no longer has is in :data:`RETIRED`.

:data:`RETIRED` names, for each retired id, the current technique that covers most of what it described.
Where DISARM says so in the technique's text ("previously used the ID …", "covers behaviours previously
documented by …") that is the successor; for the others it is the closest current technique by its
description, and the note says so.
"""

from __future__ import annotations

__all__ = ["ADDED", "DISARM_SAYS", "RENAMED", "RETIRED"]

#: Techniques DISARM added after the galaxy's release: id → (name, tactic as a kill-chain phase name).
ADDED: dict[str, tuple[str, str]] = {
    "T0015.001": ("Use Existing Hashtag", "develop-content"),
    "T0015.002": ("Create New Hashtag", "develop-content"),
    "T0085.008": ("Machine Translated Text", "develop-content"),
    "T0097.100": ("Individual Persona", "establish-legitimacy"),
    "T0097.101": ("Local Persona", "establish-legitimacy"),
    "T0097.102": ("Journalist Persona", "establish-legitimacy"),
    "T0097.103": ("Activist Persona", "establish-legitimacy"),
    "T0097.104": ("Hacktivist Persona", "establish-legitimacy"),
    "T0097.105": ("Military Personnel Persona", "establish-legitimacy"),
    "T0097.106": ("Recruiter Persona", "establish-legitimacy"),
    "T0097.107": ("Researcher Persona", "establish-legitimacy"),
    "T0097.108": ("Expert Persona", "establish-legitimacy"),
    "T0097.109": ("Romantic Suitor Persona", "establish-legitimacy"),
    "T0097.110": ("Party Official Persona", "establish-legitimacy"),
    "T0097.111": ("Government Official Persona", "establish-legitimacy"),
    "T0097.112": ("Government Employee Persona", "establish-legitimacy"),
    "T0097.200": ("Institutional Persona", "establish-legitimacy"),
    "T0097.201": ("Local Institution Persona", "establish-legitimacy"),
    "T0097.202": ("News Outlet Persona", "establish-legitimacy"),
    "T0097.203": ("Fact Checking Organisation Persona", "establish-legitimacy"),
    "T0097.204": ("Think Tank Persona", "establish-legitimacy"),
    "T0097.205": ("Business Persona", "establish-legitimacy"),
    "T0097.206": ("Government Institution Persona", "establish-legitimacy"),
    "T0097.207": ("NGO Persona", "establish-legitimacy"),
    "T0097.208": ("Social Cause Persona", "establish-legitimacy"),
    "T0114.002": ("Traditional Media", "deliver-content"),
    "T0129.001": ("Conceal Network Identity", "persist-in-the-information-environment"),
    "T0143": ("Persona Legitimacy", "establish-legitimacy"),
    "T0143.001": ("Authentic Persona", "establish-legitimacy"),
    "T0143.002": ("Fabricated Persona", "establish-legitimacy"),
    "T0143.003": ("Impersonated Persona", "establish-legitimacy"),
    "T0143.004": ("Parody Persona", "establish-legitimacy"),
    "T0144": ("Persona Legitimacy Evidence", "establish-legitimacy"),
    "T0144.001": ("Present Persona across Platforms", "establish-legitimacy"),
    "T0144.002": ("Persona Template", "establish-legitimacy"),
    "T0145": ("Establish Account Imagery", "establish-assets"),
    "T0145.001": ("Copy Account Imagery", "establish-assets"),
    "T0145.002": ("AI-Generated Account Imagery", "establish-assets"),
    "T0145.003": ("Animal Account Imagery", "establish-assets"),
    "T0145.004": ("Scenery Account Imagery", "establish-assets"),
    "T0145.005": ("Illustrated Character Account Imagery", "establish-assets"),
    "T0145.006": ("Attractive Person Account Imagery", "establish-assets"),
    "T0145.007": ("Stock Image Account Imagery", "establish-assets"),
    "T0146": ("Account Asset", "establish-assets"),
    "T0146.001": ("Free Account Asset", "establish-assets"),
    "T0146.002": ("Paid Account Asset", "establish-assets"),
    "T0146.003": ("Verified Account Asset", "establish-assets"),
    "T0146.004": ("Administrator Account Asset", "establish-assets"),
    "T0146.005": ("Lookalike Account ID", "establish-assets"),
    "T0146.006": ("Open Access Platform", "establish-assets"),
    "T0146.007": ("Automated Account Asset", "establish-assets"),
    "T0147": ("Software Asset", "establish-assets"),
    "T0147.001": ("Game Asset", "establish-assets"),
    "T0147.002": ("Game Mod Asset", "establish-assets"),
    "T0147.003": ("Malware Asset", "establish-assets"),
    "T0147.004": ("Mobile App Asset", "establish-assets"),
    "T0148": ("Financial Instrument", "establish-assets"),
    "T0148.001": ("Online Banking Platform", "establish-assets"),
    "T0148.002": ("Bank Account Asset", "establish-assets"),
    "T0148.003": ("Payment Processing Platform", "establish-assets"),
    "T0148.004": ("Payment Processing Capability", "establish-assets"),
    "T0148.005": ("Subscription Processing Capability", "establish-assets"),
    "T0148.006": ("Crowdfunding Platform", "establish-assets"),
    "T0148.007": ("eCommerce Platform", "establish-assets"),
    "T0148.008": ("Cryptocurrency Exchange Platform", "establish-assets"),
    "T0148.009": ("Cryptocurrency Wallet", "establish-assets"),
    "T0149": ("Online Infrastructure", "establish-assets"),
    "T0149.001": ("Domain Asset", "establish-assets"),
    "T0149.002": ("Email Domain Asset", "establish-assets"),
    "T0149.003": ("Lookalike Domain", "establish-assets"),
    "T0149.004": ("Redirecting Domain Asset", "establish-assets"),
    "T0149.005": ("Server Asset", "establish-assets"),
    "T0149.006": ("IP Address Asset", "establish-assets"),
    "T0149.007": ("VPN Asset", "establish-assets"),
    "T0149.008": ("Proxy IP Address Asset", "establish-assets"),
    "T0149.009": ("Internet Connected Physical Asset", "establish-assets"),
    "T0150": ("Asset Origin", "establish-assets"),
    "T0150.001": ("Newly Created Asset", "establish-assets"),
    "T0150.002": ("Dormant Asset", "establish-assets"),
    "T0150.003": ("Pre-Existing Asset", "establish-assets"),
    "T0150.004": ("Repurposed Asset", "establish-assets"),
    "T0150.005": ("Compromised Asset", "establish-assets"),
    "T0150.006": ("Purchased Asset", "establish-assets"),
    "T0150.007": ("Rented Asset", "establish-assets"),
    "T0150.008": ("Bulk Created Asset", "establish-assets"),
    "T0151": ("Digital Community Hosting Asset", "select-channels-and-affordances"),
    "T0151.001": ("Social Media Platform", "select-channels-and-affordances"),
    "T0151.002": ("Online Community Group", "select-channels-and-affordances"),
    "T0151.003": ("Online Community Page", "select-channels-and-affordances"),
    "T0151.004": ("Chat Platform", "select-channels-and-affordances"),
    "T0151.005": ("Chat Community Server", "select-channels-and-affordances"),
    "T0151.006": ("Chat Room", "select-channels-and-affordances"),
    "T0151.007": ("Chat Broadcast Group", "select-channels-and-affordances"),
    "T0151.008": ("Microblogging Platform", "select-channels-and-affordances"),
    "T0151.009": ("Legacy Online Forum Platform", "select-channels-and-affordances"),
    "T0151.010": ("Community Forum Platform", "select-channels-and-affordances"),
    "T0151.011": ("Community Sub-Forum", "select-channels-and-affordances"),
    "T0151.012": ("Image Board Platform", "select-channels-and-affordances"),
    "T0151.013": ("Question and Answer Platform", "select-channels-and-affordances"),
    "T0151.014": ("Comments Section", "select-channels-and-affordances"),
    "T0151.015": ("Online Game Platform", "select-channels-and-affordances"),
    "T0151.016": ("Online Game Session", "select-channels-and-affordances"),
    "T0151.017": ("Dating Platform", "select-channels-and-affordances"),
    "T0152": ("Digital Content Hosting Asset", "select-channels-and-affordances"),
    "T0152.001": ("Blogging Platform", "select-channels-and-affordances"),
    "T0152.002": ("Blog Asset", "select-channels-and-affordances"),
    "T0152.003": ("Website Hosting Platform", "select-channels-and-affordances"),
    "T0152.004": ("Website Asset", "select-channels-and-affordances"),
    "T0152.005": ("Paste Platform", "select-channels-and-affordances"),
    "T0152.006": ("Video Platform", "select-channels-and-affordances"),
    "T0152.007": ("Audio Platform", "select-channels-and-affordances"),
    "T0152.008": ("Live Streaming Platform", "select-channels-and-affordances"),
    "T0152.009": ("Software Delivery Platform", "select-channels-and-affordances"),
    "T0152.010": ("File Hosting Platform", "select-channels-and-affordances"),
    "T0152.011": ("Wiki Platform", "select-channels-and-affordances"),
    "T0152.012": ("Subscription Service Platform", "select-channels-and-affordances"),
    "T0153": ("Digital Content Delivery Asset", "select-channels-and-affordances"),
    "T0153.001": ("Email Platform", "select-channels-and-affordances"),
    "T0153.002": ("Link Shortening Platform", "select-channels-and-affordances"),
    "T0153.003": ("Shortened Link Asset", "select-channels-and-affordances"),
    "T0153.004": ("QR Code Asset", "select-channels-and-affordances"),
    "T0153.005": ("Online Advertising Platform", "select-channels-and-affordances"),
    "T0153.006": ("Content Recommendation Algorithm", "select-channels-and-affordances"),
    "T0153.007": ("Direct Messaging", "select-channels-and-affordances"),
    "T0154": ("Digital Content Creation Asset", "select-channels-and-affordances"),
    "T0154.001": ("AI LLM Platform", "select-channels-and-affordances"),
    "T0154.002": ("AI Media Platform", "select-channels-and-affordances"),
    "T0155": ("Gated Asset", "select-channels-and-affordances"),
    "T0155.001": ("Password Gated Asset", "select-channels-and-affordances"),
    "T0155.002": ("Invite Gated Asset", "select-channels-and-affordances"),
    "T0155.003": ("Approval Gated Asset", "select-channels-and-affordances"),
    "T0155.004": ("Geoblocked Asset", "select-channels-and-affordances"),
    "T0155.005": ("Paid Access Asset", "select-channels-and-affordances"),
    "T0155.006": ("Subscription Access Asset", "select-channels-and-affordances"),
    "T0155.007": ("Encrypted Communication Channel", "select-channels-and-affordances"),
}

#: Techniques DISARM renamed after the galaxy's release: id → current name.
RENAMED: dict[str, str] = {"T0097": "Present Persona"}

#: Retired technique ids → the current technique that succeeds them.
RETIRED: dict[str, str] = {
    "T0007": "T0151.003",  # Create Inauthentic Social Media Pages and Groups → Online Community Page
    "T0009": "T0097.108",  # Create Fake Experts → Expert Persona
    "T0009.001": "T0097.107",  # Utilise Academic/Pseudoscientific Justifications → Researcher Persona
    "T0013": "T0152.004",  # Create Inauthentic Websites → Website Asset
    "T0019": "T0049.008",  # Generate Information Pollution
    "T0019.001": "T0085.007",  # Create Fake Research
    "T0019.002": "T0049.002",  # Hijack Hashtags → Flood Existing Hashtag
    "T0043": "T0151.004",  # Chat Apps → Chat Platform
    "T0043.001": "T0155.007",  # Use Encrypted Chat Apps → Encrypted Communication Channel
    "T0043.002": "T0151.004",  # Use Unencrypted Chats Apps → Chat Platform
    "T0090": "T0146",  # Create Inauthentic Accounts → Account Asset
    "T0090.001": "T0146",  # Create Anonymous Accounts → Account Asset
    "T0090.002": "T0146",  # Create Cyborg Accounts → Account Asset
    "T0090.003": "T0146.007",  # Create Bot Accounts → Automated Account Asset
    "T0090.004": "T0143.002",  # Create Sockpuppet Accounts → Fabricated Persona
    "T0097.001": "T0144",  # Produce Evidence for Persona → Persona Legitimacy Evidence
    "T0099": "T0143.003",  # Impersonate Existing Entity → Impersonated Persona
    "T0099.002": "T0143.004",  # Spoof/Parody Account/Site → Parody Persona
    "T0099.003": "T0143.003",  # Impersonate Existing Organisation → Impersonated Persona
    "T0099.004": "T0143.003",  # Impersonate Existing Media Outlet → Impersonated Persona
    "T0099.005": "T0143.003",  # Impersonate Existing Official → Impersonated Persona
    "T0099.006": "T0143.003",  # Impersonate Existing Influencer → Impersonated Persona
    "T0103": "T0152.008",  # Livestream → Live Streaming Platform
    "T0103.001": "T0152.008",  # Video Livestream → Live Streaming Platform
    "T0103.002": "T0152.008",  # Audio Livestream → Live Streaming Platform
    "T0104": "T0151.001",  # Social Networks → Social Media Platform
    "T0104.001": "T0151.001",  # Mainstream Social Networks → Social Media Platform
    "T0104.002": "T0151.017",  # Dating App → Dating Platform
    "T0104.003": "T0155",  # Private/Closed Social Networks → Gated Asset
    "T0104.004": "T0151.002",  # Interest-Based Networks → Online Community Group
    "T0104.005": "T0015.001",  # Use Hashtags → Use Existing Hashtag
    "T0104.006": "T0015.002",  # Create Dedicated Hashtag → Create New Hashtag
    "T0105": "T0152",  # Media Sharing Networks → Digital Content Hosting Asset
    "T0105.001": "T0152",  # Photo Sharing → Digital Content Hosting Asset
    "T0105.002": "T0152.006",  # Video Sharing → Video Platform
    "T0105.003": "T0152.007",  # Audio Sharing → Audio Platform
    "T0106": "T0151.010",  # Discussion Forums → Community Forum Platform
    "T0106.001": "T0151.012",  # Anonymous Message Boards → Image Board Platform
    "T0108": "T0152.001",  # Blogging and Publishing Networks → Blogging Platform
    "T0112": "T0153.001",  # Email → Email Platform
    "T0129.008": "T0149.004",  # Redirect URLs → Redirecting Domain Asset
    "T0141": "T0150.005",  # Acquire Compromised Asset → Compromised Asset
    "T0141.001": "T0150.005",  # Acquire Compromised Account → Compromised Asset
    "T0141.002": "T0150.005",  # Acquire Compromised Website → Compromised Asset
    "T0142": "T0097.208",  # Fabricate Grassroots Movement → Social Cause Persona
}

#: The retirements DISARM states itself in the successor's text; the others are fimihub's reading.
DISARM_SAYS: frozenset[str] = frozenset(
    {"T0019", "T0019.001", "T0019.002", "T0099", "T0104.005", "T0104.006"}
)
