"""The ``handle`` signal kind: an account name on a named platform, written ``platform:handle``.

Canonical form: ``<platform slug>:<folded handle>``, e.g. ``x:name_1234``. The platform is the slug of
:func:`fimihub.vocab.platforms.platform` (``twitter`` -> ``x``). The handle loses its leading ``@``, is
NFKC-normalised and case-folded, and has Unicode confusables folded to their Latin prototype by TR39
(``name`` written with a Cyrillic a, U+0430, -> ``name``): look-alike handles are how operators evade a
block list.

Accepted inputs: ``x:@Name_1234``, ``twitter:Name_1234``, or a profile URL of X/Twitter, TikTok, YouTube,
Facebook, Instagram, Telegram, VK, Threads, Bluesky, Reddit or LinkedIn (:func:`handle_from_url`).
A few handles carry a namespace, written ``kind/name``: ``youtube:channel/UC…`` (a channel id; its case is
kept, channel ids are case-sensitive), ``youtube:c/name``, ``youtube:user/name``, ``facebook:groups/name``,
``linkedin:company/name``. Facebook's numeric profile ids are handles as they are (``facebook:100012345``).

Handles compare by similarity (see :mod:`fimihub.matching.index.handle`), not only equality.
"""

from __future__ import annotations

import re
import unicodedata
from typing import ClassVar
from urllib.parse import parse_qs, unquote, urlsplit

import disarm

from fimihub.matching.base import Hit, SignalIndex, SignalType
from fimihub.matching.index.handle import HandleIndex, HandleThreshold, split_handle
from fimihub.matching.kinds._input import check_text, fold_text
from fimihub.matching.kinds.domain import refang
from fimihub.matching.kinds.url import normalise_url, url_domain
from fimihub.model.signals import SignalKind
from fimihub.vocab.platforms import platform as platform_slug

__all__ = ["PROFILE_DOMAINS", "HandleSignalType", "fold_handle", "handle_from_url", "handle_value"]

_MAX_HANDLE = 100
_CHANNEL_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_LOOKS_LIKE_URL = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|www\.|[\w-]+(?:\.[\w-]+)+/)", re.IGNORECASE)

# Profile hosts by registrable domain; other subdomains (developers.facebook.com …) are not profiles.
_HOSTS = {
    "twitter.com": "x", "x.com": "x", "tiktok.com": "tiktok", "youtube.com": "youtube",
    "facebook.com": "facebook", "fb.com": "facebook", "instagram.com": "instagram",
    "t.me": "telegram", "telegram.me": "telegram", "telegram.dog": "telegram", "vk.com": "vk", "vk.ru": "vk",
    "threads.net": "threads", "threads.com": "threads", "bsky.app": "bluesky", "reddit.com": "reddit",
    "linkedin.com": "linkedin",
}  # fmt: skip
#: Registrable domains whose URLs can name an account (the others need no profile look-up).
PROFILE_DOMAINS = frozenset(_HOSTS)
_SUBDOMAINS = frozenset({"www", "m", "mobile", "web", "mbasic", "touch", "old", "new"})
# First path segments that are site features, not account names.
_RESERVED = {
    "x": frozenset({
        "home", "i", "search", "hashtag", "intent", "share", "settings", "explore", "notifications",
        "messages", "compose", "login", "signup", "tos", "privacy", "about", "logout", "download",
    }),
    "facebook": frozenset({
        "watch", "events", "marketplace", "gaming", "sharer", "sharer.php", "share", "share.php",
        "story.php", "photo.php", "permalink.php", "login", "login.php", "home.php", "help", "policies",
        "privacy", "settings", "hashtag", "search", "photo", "photos", "reel", "stories", "dialog",
        "plugins", "ads", "business",
    }),
    "instagram": frozenset({
        "p", "reel", "reels", "tv", "explore", "accounts", "direct", "about", "developer", "legal", "web",
    }),
    "telegram": frozenset({
        "joinchat", "addstickers", "addemoji", "addlist", "share", "proxy", "socks", "iv", "c",
        "setlanguage", "login", "addtheme", "invoice", "confirmphone", "bg", "boost",
    }),
    "vk": frozenset({
        "feed", "im", "search", "video", "audio", "music", "clips", "market", "login", "settings",
        "friends", "groups", "apps", "docs", "away.php", "share.php",
    }),
}  # fmt: skip
_VK_CONTENT = re.compile(r"^(?:wall|photo|video|album|topic|clip|story|doc|audio|note|podcast|market)-?\d")


def fold_handle(handle: str) -> str:
    """A handle folded for comparison: no leading ``@``, NFKC, case-folded, TR39 confusables to Latin."""
    text = check_text(handle, "handle", max_length=1024).lstrip("@\uff20")
    for _ in range(4):
        folded = fold_text(disarm.normalize_confusables(fold_text(text)))
        if folded == text:
            break
        text = folded
    if not text or len(text) > _MAX_HANDLE:
        raise ValueError(f"handle {handle[:40]!r}: must be 1 to {_MAX_HANDLE} characters")
    for char in text:
        if not (char.isalnum() or char in "_.-/:" or unicodedata.category(char) in {"Mn", "Mc"}):
            raise ValueError(f"handle {handle[:40]!r}: character {char!r} cannot be part of a handle")
    if text.startswith("/") or text.endswith("/") or "//" in text:
        raise ValueError(f"handle {handle[:40]!r}: a '/' only separates a namespace from a name")
    return text


def handle_value(platform: str, handle: str) -> str:
    """The canonical ``platform:handle`` of ``handle`` on ``platform`` (as in a Signal's platform field)."""
    slug = platform_slug(platform)
    name = handle.strip().lstrip("@")
    if slug == "youtube" and name[:8].lower() == "channel/" and _CHANNEL_ID.match(name[8:]):
        return f"youtube:channel/{name[8:]}"
    return f"{slug}:{fold_handle(name)}"


def _segments(path: str) -> list[str]:
    return [unquote(segment) for segment in path.split("/") if segment]


def _profile(platform: str, segments: list[str], query: str) -> str | None:
    first = segments[0] if segments else ""
    second = segments[1] if len(segments) > 1 else ""
    if platform in {"tiktok", "threads"}:
        return first[1:] if first.startswith("@") else None
    if platform == "youtube":
        if first.startswith("@"):
            return first[1:]
        if first == "channel" and _CHANNEL_ID.match(second):
            return f"channel/{second}"
        return f"{first}/{second}" if first in {"c", "user"} and second else None
    if platform == "bluesky":
        return second if first == "profile" and second else None
    if platform == "reddit":
        return second if first in {"user", "u"} and second else None
    if platform == "linkedin":
        if first == "in" and second:
            return second
        return f"company/{second}" if first == "company" and second else None
    if platform == "x" and first == "intent":
        names = parse_qs(query).get("screen_name")
        return names[0] if names else None
    if platform == "facebook":
        if first == "profile.php":
            ids = parse_qs(query).get("id")
            return ids[0] if ids else None
        if first == "people" and len(segments) > 2:
            return segments[2]
        if first == "pages":
            return segments[2] if len(segments) > 2 else (second or None)
        if first in {"groups", "pg"} and second:
            return f"groups/{second}" if first == "groups" else second
    if platform == "instagram" and first == "stories":
        return second if second and second != "highlights" else None
    if platform == "telegram":
        if first == "s":
            return second or None
        if first.startswith("+"):
            return None  # a private invite link names no public account
    if platform == "vk" and _VK_CONTENT.match(first):
        return None
    if not first or first.lower() in _RESERVED.get(platform, frozenset()):
        return None
    return first


def handle_from_url(url: str) -> tuple[str, str] | None:
    """``(platform, folded handle)`` named by a profile or post URL, or ``None`` when ``url`` is not one.

    Works on any form :func:`fimihub.matching.kinds.url.normalise_url` accepts, defanged included; never
    raises for a malformed URL or handle (scans call it on every URL they meet).
    """
    try:
        canonical = normalise_url(url)
        platform = _HOSTS.get(url_domain(canonical))
        if platform is None:
            return None
        parts = urlsplit(canonical)
        host = parts.hostname or ""
        if host not in _HOSTS and host.split(".", 1)[0] not in _SUBDOMAINS:
            return None
        name = _profile(platform, _segments(parts.path), parts.query)
        if name is None:
            return None
        value = handle_value(platform, name)
    except ValueError:
        return None
    return split_handle(value)


class HandleSignalType(SignalType):
    """Handles on a platform, matched by similarity (:class:`~fimihub.matching.index.handle.HandleIndex`).

    ``max_distance`` and ``min_score`` set when two handles are a hit; by default only handles on the same
    platform are compared (``cross_platform=True`` to look everywhere, for operators reusing names).
    """

    kind: ClassVar[SignalKind] = SignalKind.HANDLE

    def __init__(
        self, max_distance: float = 2.0, min_score: float = 0.75, *, cross_platform: bool = False
    ) -> None:
        self.threshold = HandleThreshold(max_distance, min_score)
        self.cross_platform = cross_platform

    def normalise(self, value: str) -> str:
        text = check_text(value, "handle", max_length=2048)
        if _LOOKS_LIKE_URL.match(refang(text)):
            found = handle_from_url(text)
            if found is None:
                raise ValueError(f"handle {text[:80]!r}: not a profile URL of a platform we know")
            return f"{found[0]}:{found[1]}"
        platform, colon, handle = text.partition(":")
        if not colon or not handle.strip():
            raise ValueError(
                f"handle {text[:80]!r}: write it 'platform:handle' (e.g. 'x:name') or as a profile URL"
            )
        return handle_value(platform, handle)

    def compare(self, query: str, candidate: str) -> Hit | None:
        query_platform, query_handle = split_handle(query)
        platform, handle = split_handle(candidate)
        if query_platform != platform and not self.cross_platform:
            return None
        return self.threshold.hit(query_handle, handle)

    def new_index(self) -> SignalIndex:
        t = self.threshold
        return HandleIndex(t.max_distance, t.min_score, cross_platform=self.cross_platform)
