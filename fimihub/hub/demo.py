"""Seeding a demo hub from the simulator: organisations, forums, members, operations and what they left.

The demo shows a working channel of exchange: four platforms, a research lab, a fact-checker and a civil
society network in two forums, with the simulated operations, their assets, signals and takedown actions; the
first operation is fingerprinted and its returning accounts wait in the review queue.

The records tell a year: the twelve months before the month the hub is seeded in, so every transparency report
(``fimihub report``) of a finished period has content. Operations are disrupted one after another over the
months (one of them found by the research lab); each returns a few months later as an operation that continues
it, with recidivist accounts; the platform that found a network acts on its own detection, the others on the
forum share or on the peer's disclosure, with the Member States the takedown affected (a few name none); the
demo operator's platform adds a follow-up action every month; and acting platforms send feedback.
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
from datetime import UTC, datetime, timedelta
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from fimihub import policy
from fimihub.model import Action, Asset, Feedback, Lead, Operation, Organisation, Signal
from fimihub.policy import Operator
from fimihub.sim import SimOperation, World, WorldConfig, generate
from fimihub.vocab import EEA

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
    year = _Year(hub.clock())
    for index, sim_op in enumerate(world.truth.operations):
        owner = orgs[_main_platform(world, sim_op)]
        forum = task_force if index % 2 == 0 else crisis
        takedown = year.day(2 * index, 5 + index)
        data = _operation(sim_op, owner.id, forum.id, takedown)
        if index == 1:
            # Found by the research lab, which reported it to the platform.
            data.update(detection_source="external", detection_partner=others[0].id)
        operation = hub.create(op, Operation, data)
        operation_ids.append(operation.id)
        counts["operations"] += 1
        base = {"owner_org": owner.id, "forum_id": forum.id, "operation_id": operation.id}
        assets = hub.create_many(op, Asset, _assets(world, sim_op, base, takedown))
        signals = hub.create_many(op, Signal, _signals(sim_op, base))
        actions = hub.create_many(
            op, Action, _actions(world, sim_op, orgs, forum.id, operation.id, takedown, wave=0)
        )
        counts.update(assets=len(assets), signals=len(signals), actions=len(actions))
        counts.update(
            _returned(hub, op, world, sim_op, orgs, forum.id, operation, year.day(2 * index + 3, 12))
        )
    counts.update(_follow_ups(hub, op, year, operator_org, operation_ids))
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


def _operation(sim_op: SimOperation, owner_id: str, forum_id: str, takedown: datetime) -> dict[str, Any]:
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
        "first_seen": takedown - timedelta(days=75),
        "last_seen": takedown,
        "description": f"Simulated network active on {', '.join(sim_op.platforms)}.",
    }


def _assets(
    world: World, sim_op: SimOperation, base: dict[str, Any], removed: datetime, *, wave: int = 0
) -> list[dict[str, Any]]:
    rows = world.accounts.filter(_equals(world.accounts, "operation", sim_op.id)).to_pylist()
    rows = [r for r in rows if r["wave"] == wave][:_ASSETS_PER_OPERATION]
    assets = [
        {
            **base,
            "platform": r["platform"],
            "kind": "account",
            "handle": r["handle"],
            "display_name": r["display_name"] or None,
            "followers": r["followers"],
            "account_created_at": r["created_at"],
            "removed_at": removed,
            # A returning wave's accounts came back after the takedown: recidivists.
            "recidivist": wave > 0,
        }
        for r in rows
    ]
    if wave == 0:
        assets += [
            {**base, "platform": "web", "kind": "domain", "url": f"https://{d}/"} for d in sim_op.domains
        ]
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
    world: World,
    sim_op: SimOperation,
    orgs: dict[str, Organisation],
    forum_id: str,
    operation_id: str,
    taken_at: datetime,
    *,
    wave: int,
    main: str | None = None,
    removed: dict[str, list[str]] | None = None,
) -> list[dict[str, Any]]:
    """Each platform's takedown of a wave: the platform that found the network acts on its own detection,
    the others on what it shared in the forum or disclosed publicly, a day or two later."""
    rows = world.accounts.filter(_equals(world.accounts, "operation", sim_op.id)).to_pylist()
    per_platform = Counter(r["platform"] for r in rows if r["wave"] == wave)
    main = main or _main_platform(world, sim_op)
    actions = []
    for index, (p, n) in enumerate(sorted(per_platform.items())):
        if p not in orgs:
            continue
        source = "internal" if p == main else ("forum-share" if index % 2 == 0 else "peer-disclosure")
        states = list(sim_op.affected_member_states)
        if wave > 0 and p != main and index % 3 == 2:
            states = []  # the platform recorded no Member State: counted as unattributed
        actions.append(
            {
                "owner_org": orgs[p].id,
                "forum_id": forum_id,
                "operation_id": operation_id,
                "kind": "remove",
                "platform": p,
                "asset_count": n,
                "asset_ids": (removed or {}).get(p, []),
                "taken_at": taken_at + timedelta(days=0 if p == main else 1 + index % 2),
                "lead_source": source,
                "lead_ref": None if source == "internal" else operation_id,
                "member_states": states,
            }
        )
    return actions


class _Year:
    """The demo's year: the twelve months before the month the hub is seeded in."""

    def __init__(self, now: datetime) -> None:
        self.start_index = now.year * 12 + now.month - 1 - 12

    def day(self, month: int, day: int) -> datetime:
        """Day ``day`` of month ``month`` (0 to 11) of the year, at 10:00 UTC."""
        index = self.start_index + month
        return datetime(index // 12, index % 12 + 1, day, 10, tzinfo=UTC)


def _returned(
    hub: Any,
    op: Operator,
    world: World,
    sim_op: SimOperation,
    orgs: dict[str, Organisation],
    forum_id: str,
    original: Operation,
    takedown: datetime,
) -> Counter[str]:
    """The operation's returning wave, found and taken down a few months later: an operation that continues
    the first, with its recidivist accounts, removed by every platform it came back on."""
    if len(sim_op.waves) < 2:
        return Counter()
    wave = sim_op.waves[1]
    main = next(p for p in (*world.config.platforms, *wave.platforms) if p in wave.platforms and p in orgs)
    owner = orgs[main]
    data = _operation(sim_op, owner.id, forum_id, takedown)
    data.update(
        name=f"{sim_op.name} II",
        aliases=[],
        continues=[original.id],
        first_seen=takedown - timedelta(days=40),
        techniques=sorted({*sim_op.techniques, "T0097.202"}),
        description=f"The return of {sim_op.name} with new accounts, on {', '.join(wave.platforms)}.",
    )
    operation = hub.create(op, Operation, data)
    base = {"owner_org": owner.id, "forum_id": forum_id, "operation_id": operation.id}
    assets = hub.create_many(op, Asset, _assets(world, sim_op, base, takedown, wave=1))
    removed = {main: [a.id for a in assets if a.platform == main]}
    actions = hub.create_many(
        op,
        Action,
        _actions(world, sim_op, orgs, forum_id, operation.id, takedown, wave=1, main=main, removed=removed),
    )
    feedback = [
        {
            "owner_org": a.owner_org,
            "forum_id": forum_id,
            "subject_id": operation.id,
            "kind": "acted",
            "comment": f"Removed {a.asset_count} returning accounts on {a.platform}.",
            "at": a.taken_at + timedelta(hours=6),
        }
        for a in actions
        if a.lead_source.value != "internal"
    ]
    hub.create_many(op, Feedback, feedback)
    return Counter(operations=1, assets=len(assets), actions=len(actions), feedback=len(feedback))


def _follow_ups(
    hub: Any, op: Operator, year: _Year, org: Organisation, operation_ids: list[str]
) -> Counter[str]:
    """A month-by-month trickle of smaller actions by the demo operator's platform: labels and reduced reach
    on content of known networks, from its own detection, forum shares and peers' disclosures."""
    operations = [hub.get(op, Operation, i) for i in operation_ids]
    sources = ("internal", "forum-share", "peer-disclosure")
    actions = []
    for month in range(12):
        operation = operations[month % len(operations)]
        actions.append(
            {
                "owner_org": org.id,
                "operation_id": operation.id,
                "kind": "label" if month % 2 == 0 else "reduce-reach",
                "platform": org.platforms[0] if org.platforms else None,
                "asset_count": 3 + month % 4,
                "taken_at": year.day(month, 20),
                "lead_source": sources[month % 3],
                "member_states": [] if month % 5 == 4 else list(operation.target_countries[:2]),
                "note": "Follow-up on content of a known network.",
            }
        )
    for action in actions:
        eea = [c for c in action["member_states"] if c in EEA]
        action["member_states"] = eea
    created = hub.create_many(op, Action, actions)
    return Counter(actions=len(created))


def _equals(table: Any, column: str, value: str) -> Any:
    import pyarrow.compute as pc

    return pc.equal(table[column], value)
