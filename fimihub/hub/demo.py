"""Seeding a demo hub from the simulator: organisations, forums, members, operations and what they left.

The demo shows a working channel of exchange: four platforms, a research lab, a fact-checker and a civil
society network in two forums, with the simulated operations, their assets, signals and takedown actions; the
first operation is fingerprinted and its returning accounts wait in the review queue.
Seeding happens once per store; running the demo again only issues a fresh token.

Every demo organisation registers an identifier key, as a real member would, so the account ids in review
queues are sealed to it. The demo keeps only the private key of the demo operator's organisation (whose
admin the demo signs you in as), in :attr:`DemoResult.identifier_key`, returned once when the hub is seeded
(``fimihub demo --token-file F`` writes it to ``F.identifier-key``); the others are not kept anywhere.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from fimihub import policy
from fimihub.model import Action, Asset, Lead, Operation, Organisation, Signal
from fimihub.policy import Operator
from fimihub.sim import SimOperation, World, WorldConfig, generate

__all__ = ["DEMO_OPERATOR", "DemoResult", "seed_demo"]

#: The organisation that runs the demo hub; its admin is who the demo signs you in as.
DEMO_OPERATOR = "Northwind Social"

_PLATFORM_ORGS = {
    "x": DEMO_OPERATOR,
    "facebook": "Bluepeak Networks",
    "telegram": "Lumen Messenger",
    "tiktok": "Corvid Clips",
}
_OTHER_ORGS = [
    ("Open Source Integrity Lab", "researcher", "DE"),
    ("FactDesk Europe", "fact-checker", "BE"),
    ("Civic Watch Network", "civil-society", "PL"),
]
_ASSETS_PER_OPERATION = 40


@dataclass(frozen=True, slots=True)
class DemoResult:
    """How to get into the demo: an admin token (shown once), its organisation, and what was seeded."""

    token: str
    org_name: str
    summary: str
    seeded: bool
    #: A URL an operation shared in the demo, to try the match API with.
    example_url: str | None = None
    #: The private identifier key (base64) of the demo operator's organisation, to open its review queue
    #: with (``fimihub matches open --key-file``); only when the hub was seeded now, never stored.
    identifier_key: str | None = None
    #: The member the token signs in as: the demo operator's admin (and analyst).
    member_id: str = ""


def seed_demo(hub: Any, *, seed: int = 7, progress: Callable[[str], None] | None = None) -> DemoResult:
    """Seed ``hub`` (a :class:`~fimihub.hub.Hub`) once, and issue a token for the demo operator's admin."""
    say = progress or (lambda _text: None)
    op = Operator("demo")
    existing = [o for o in hub.admin.organisations(op) if o.operator and o.name == DEMO_OPERATOR]
    seeded = not existing
    if seeded:
        say(f"simulating a world (seed {seed})")
        world = generate(WorldConfig(seed=seed))
        say("seeding organisations, forums, operations, assets, signals and actions")
        summary, identifier_key = _seed(hub, op, world)
        operator_org = next(o for o in hub.admin.organisations(op) if o.operator)
    else:
        operator_org = existing[0]
        summary, identifier_key = "demo hub already seeded; issued a fresh token", None
    admin = next(m for m in hub.admin.members(op, operator_org.id) if "admin" in m.roles)
    issued = hub.admin.issue_token(op, admin.id, ttl_days=30, name="demo")
    urls = hub.list(op, Signal, where={"kind": "url"}, limit=1).items
    return DemoResult(
        issued.secret,
        operator_org.name,
        summary,
        seeded,
        urls[0].value if urls else None,
        identifier_key,
        admin.id,
    )


def _seed(hub: Any, op: Operator, world: World) -> tuple[str, str]:
    """Seed the demo; returns what was seeded, and the operator organisation's private identifier key."""
    orgs: dict[str, Organisation] = {}
    for slug in world.config.platforms:
        name = _PLATFORM_ORGS.get(slug, f"{slug.title()} Trust & Safety")
        orgs[slug] = hub.admin.create_organisation(
            op, name=name, kind="platform", country="IE", platforms=[slug], operator=name == DEMO_OPERATOR
        )
    others = [hub.admin.create_organisation(op, name=n, kind=k, country=c) for n, k, c in _OTHER_ORGS]
    operator_org = next((o for o in orgs.values() if o.operator), None) or hub.admin.create_organisation(
        op, name=DEMO_OPERATOR, kind="platform", country="IE", operator=True
    )
    everyone = [*orgs.values(), *others]
    identifier_keys = {org.id: policy.new_identifier_key() for org in everyone}
    for org in everyone:
        hub.identifiers.set_key(op, org.id, identifier_keys[org.id].public_key)
    admin = hub.admin.create_member(
        op,
        org_id=operator_org.id,
        name="Alex Moreau",
        roles=["admin", "analyst"],
        email="alex@northwind.example",
    )
    for org in everyone:
        if org.id != operator_org.id:
            roles = (
                ["partner-reporter"] if org.kind.value in ("fact-checker", "civil-society") else ["analyst"]
            )
            hub.admin.create_member(op, org_id=org.id, name=f"Analyst at {org.name}", roles=roles)
        hub.admin.create_member(op, org_id=org.id, name=f"Reviewer at {org.name}", roles=["reviewer"])
    task_force = hub.admin.create_forum(
        op,
        name="C16 Task-force exchange",
        default_tlp="green",
        member_orgs=[o.id for o in everyone],
        admins=[admin.id],
        description="Cross-platform influence operations, Code of Practice Commitment 16.",
    )
    crisis = hub.admin.create_forum(
        op,
        name="Crisis Response working group",
        default_tlp="amber",
        member_orgs=[o.id for o in [*orgs.values(), others[0]]],
        admins=[admin.id],
        retention_days=180,
    )

    counts: Counter[str] = Counter()
    operation_ids: list[str] = []
    for index, sim_op in enumerate(world.truth.operations):
        owner = orgs[_main_platform(world, sim_op)]
        forum = task_force if index % 2 == 0 else crisis
        operation = hub.create(op, Operation, _operation(sim_op, owner.id, forum.id))
        operation_ids.append(operation.id)
        counts["operations"] += 1
        base = {"owner_org": owner.id, "forum_id": forum.id, "operation_id": operation.id}
        assets = hub.create_many(op, Asset, _assets(world, sim_op, base))
        signals = hub.create_many(op, Signal, _signals(sim_op, base))
        actions = hub.create_many(op, Action, _actions(world, sim_op, orgs, forum.id, operation.id))
        counts.update(assets=len(assets), signals=len(signals), actions=len(actions))
    hub.create(
        op,
        Lead,
        {
            "owner_org": others[1].id,
            "marking": {"tlp": "amber", "recipient_orgs": [operator_org.id]},
            "title": "Look-alike news sites pushing the same story",
            "description": "Several new domains copy a national broadcaster's layout and push one narrative.",
            "urls": list(world.truth.operations[0].urls[:3]),
        },
    )
    counts["leads"] += 1
    counts.update(_resurgence(hub, hub.admin.actor(admin.id), world, operation_ids[0]))
    summary = f"seeded {len(everyone)} organisations, 2 forums, " + ", ".join(
        f"{n} {k}" for k, n in counts.items()
    )
    return summary, identifier_keys[operator_org.id].private_key


def _resurgence(hub: Any, analyst: Any, world: World, operation_id: str) -> Counter[str]:
    """The first operation fingerprinted, and the accounts posting after its takedown scanned against it:
    its returning accounts land in the review queue as resurgence candidates."""
    hub.resurgence.fingerprint_operation(analyst, operation_id)
    first = world.truth.operations[0]
    posted = world.posts.column("posted_at")
    later = pc.greater(posted, pa.scalar(first.takedown_at, posted.type))
    summary = hub.resurgence.scan(analyst, world.posts.filter(later))
    return Counter({"fingerprints": 1, "resurgence candidates": summary.queued})


def _main_platform(world: World, sim_op: SimOperation) -> str:
    wave0 = sim_op.waves[0].platforms if sim_op.waves else sim_op.platforms
    platforms = [p for p in wave0 if p in world.config.platforms] or list(world.config.platforms)
    return platforms[0]


def _operation(sim_op: SimOperation, owner_id: str, forum_id: str) -> dict[str, Any]:
    return {
        "owner_org": owner_id,
        "forum_id": forum_id,
        "name": sim_op.name,
        "aliases": list(sim_op.aliases),
        "status": "disrupted",
        "origin_countries": list(sim_op.origin_countries),
        "target_countries": list(sim_op.target_countries),
        "operator_type": sim_op.operator_type.value,
        "narratives": list(sim_op.narratives),
        "techniques": list(sim_op.techniques),
        "first_seen": sim_op.first_seen,
        "last_seen": sim_op.last_seen,
        "description": f"Simulated network active on {', '.join(sim_op.platforms)}.",
    }


def _assets(world: World, sim_op: SimOperation, base: dict[str, Any]) -> list[dict[str, Any]]:
    rows = world.accounts.filter(_equals(world.accounts, "operation", sim_op.id)).to_pylist()
    rows = [r for r in rows if r["wave"] == 0][:_ASSETS_PER_OPERATION]
    assets = [
        {
            **base,
            "platform": r["platform"],
            "kind": "account",
            "handle": r["handle"],
            "display_name": r["display_name"] or None,
            "followers": r["followers"],
            "account_created_at": r["created_at"],
            "removed_at": r["removed_at"],
        }
        for r in rows
    ]
    assets += [{**base, "platform": "web", "kind": "domain", "url": f"https://{d}/"} for d in sim_op.domains]
    return assets


def _signals(sim_op: SimOperation, base: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    found += [{**base, "kind": "domain", "value": d, "confidence": 90} for d in sim_op.domains]
    found += [{**base, "kind": "url", "value": u, "confidence": 80} for u in sim_op.urls[:10]]
    found += [
        {**base, "kind": "hashtag", "value": f"#{h.lstrip('#')}", "confidence": 40} for h in sim_op.hashtags
    ]
    found += [
        {**base, "kind": "pdq", "value": h, "quality": 100, "confidence": 70} for h in sim_op.image_hashes[:8]
    ]
    return found


def _actions(
    world: World, sim_op: SimOperation, orgs: dict[str, Organisation], forum_id: str, operation_id: str
) -> list[dict[str, Any]]:
    rows = world.accounts.filter(_equals(world.accounts, "operation", sim_op.id)).to_pylist()
    per_platform = Counter(r["platform"] for r in rows if r["wave"] == 0)
    main = _main_platform(world, sim_op)
    return [
        {
            "owner_org": orgs[p].id,
            "forum_id": forum_id,
            "operation_id": operation_id,
            "kind": "remove",
            "platform": p,
            "asset_count": n,
            "taken_at": sim_op.takedown_at,
            "lead_source": "internal" if p == main else "forum-share",
            "member_states": list(sim_op.affected_member_states),
        }
        for p, n in sorted(per_platform.items())
        if p in orgs
    ]


def _equals(table: Any, column: str, value: str) -> Any:
    import pyarrow.compute as pc

    return pc.equal(table[column], value)
