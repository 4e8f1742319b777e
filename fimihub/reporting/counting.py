"""What the reports count, in one place: which actions are in a period, how many accounts an action removed,
which networks an operation re-establishes."""

from __future__ import annotations

from collections.abc import Iterable

from fimihub.model import TLP, Action, Asset, Governed, LeadSource, Operation, Organisation
from fimihub.reporting.periods import Period
from fimihub.vocab import technique

__all__ = [
    "SHARING_SOURCES",
    "accounts_of",
    "actions_in",
    "on_own_services",
    "reestablishes",
    "restricted_sources",
    "sort_names",
    "technique_names",
]

#: Lead sources that make an action one "taken as a result of information sharing" (SLI 16.1.1).
SHARING_SOURCES = frozenset({LeadSource.FORUM_SHARE, LeadSource.PEER_DISCLOSURE})


def actions_in(actions: Iterable[Action], period: Period) -> list[Action]:
    """The enforcing actions (taken, or approved to be) whose ``taken_at`` falls in ``period``, oldest first;
    proposed and overturned actions are not counted."""
    found = [a for a in actions if a.status.enforcing and period.holds(a.taken_at)]
    return sorted(found, key=lambda a: (a.taken_at, a.id))


def accounts_of(action: Action) -> int:
    """How many accounts an action covered: its ``asset_count``, or the assets it lists when that is more."""
    return max(action.asset_count, len(action.asset_ids))


def on_own_services(asset: Asset, org: Organisation) -> bool:
    """Whether ``asset`` is on one of the organisation's platforms (any platform when it names none)."""
    return not org.platforms or asset.platform in org.platforms


def reestablishes(operation: Operation | None, operations: dict[str, Operation]) -> list[Operation]:
    """The earlier networks ``operation`` tries to re-establish: the operations it continues, followed back to
    the first ones (those that continue nothing readable), by name."""
    if operation is None:
        return []
    roots: dict[str, Operation] = {}
    seen: set[str] = {operation.id}
    todo = list(operation.continues)
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        earlier = operations.get(current)
        if earlier is None:
            continue
        readable = [c for c in earlier.continues if c in operations and c not in seen]
        if readable:
            todo.extend(readable)
        else:
            roots[earlier.id] = earlier
    if not roots:
        known = [operations[c] for c in operation.continues if c in operations]
        return sorted(known, key=lambda o: (o.name, o.id))
    return sorted(roots.values(), key=lambda o: (o.name, o.id))


def restricted_sources(
    records: Iterable[Governed], org: Organisation, names: dict[str, str]
) -> list[dict[str, str]]:
    """Other organisations' records a report draws on that are not TLP:CLEAR: their owners' marking bars
    publishing what the report takes from them until the owners agree. One entry per record, by id."""
    found = {
        r.id: {
            "record": r.id,
            "owner": names.get(r.owner_org, r.owner_org),
            "tlp": f"TLP:{r.marking.tlp.upper()}",
        }
        for r in records
        if r.owner_org != org.id and r.marking.tlp is not TLP.CLEAR
    }
    return [found[k] for k in sorted(found)]


def technique_names(ids: Iterable[str]) -> dict[str, str]:
    """The DISARM name of each technique id, by id (an id the framework no longer knows keeps no name)."""
    names = {}
    for value in sorted(set(ids)):
        try:
            names[value] = technique(value).name
        except (ValueError, KeyError):
            continue
    return names


def sort_names(values: Iterable[str]) -> list[str]:
    """Distinct values, sorted."""
    return sorted(set(values))
