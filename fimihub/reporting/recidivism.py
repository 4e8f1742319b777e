"""Recidivism in a report: accounts removed in a period for trying to re-establish networks disrupted before,
by network, with the returning accounts confirmed by review, and the trend over periods."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from fimihub.model import Asset, Match, MatchStatus
from fimihub.reporting.counting import accounts_of, actions_in, on_own_services, reestablishes
from fimihub.reporting.document import Figure, figure
from fimihub.reporting.inputs import ReportInputs
from fimihub.reporting.periods import Period

__all__ = ["recidivism_of", "sum_figures", "trend_point"]


def sum_figures(items: Any) -> Figure:
    total, records = 0, []
    for item in items:
        total += item["value"]
        records += item["records"]
    return figure(total, records)


def recidivism_of(inputs: ReportInputs, period: Period) -> dict[str, Any]:
    """Accounts removed in ``period`` for trying to re-establish earlier networks, by network, and the
    returning accounts confirmed by review in it."""
    removed: dict[str, list[tuple[str, int]]] = defaultdict(list)  # network -> (record id, accounts)
    confirmed: dict[str, list[str]] = defaultdict(list)
    names: dict[str, str] = {}
    covered: set[str] = set()

    def networks_of(operation_id: str | None, *, itself: bool) -> list[str]:
        operation = inputs.operations.get(operation_id) if operation_id else None
        earlier = reestablishes(operation, inputs.operations)
        if not earlier and itself and operation is not None:
            earlier = [operation]
        if not earlier and itself and operation_id:
            names.setdefault(operation_id, f"operation not readable ({operation_id})")
            return [operation_id]
        for o in earlier:
            names[o.id] = o.name
        return [o.id for o in earlier]

    for action in actions_in(inputs.actions, period):
        targets = networks_of(action.operation_id, itself=False)
        if targets:
            covered.update(action.asset_ids)
            for network in targets[:1]:
                removed[network].append((action.id, accounts_of(action)))
    for asset in _returning(inputs.assets, inputs, period):
        if asset.id in covered:
            continue
        for network in networks_of(asset.operation_id, itself=True)[:1]:
            removed[network].append((asset.id, 1))
    for match in _confirmed(inputs.matches, period):
        for network in networks_of(match.operation_id, itself=True)[:1]:
            confirmed[network].append(match.id)
    rows = []

    def order(network: str) -> tuple[str, str]:
        return (names.get(network) or network).casefold(), network

    for network in sorted(set(removed) | set(confirmed), key=order):
        items = removed.get(network, [])
        rows.append(
            {
                "operation": network,
                "name": names.get(network, network),
                "accounts": figure(sum(n for _, n in items), (r for r, _ in items)).to_json(),
                "confirmed": figure(len(confirmed.get(network, [])), confirmed.get(network, [])).to_json(),
            }
        )
    return {
        "networks": rows,
        "total": {
            "accounts": sum_figures(r["accounts"] for r in rows).to_json(),
            "confirmed": sum_figures(r["confirmed"] for r in rows).to_json(),
        },
    }


def _returning(assets: tuple[Asset, ...], inputs: ReportInputs, period: Period) -> list[Asset]:
    return sorted(
        (
            a
            for a in assets
            if a.recidivist
            and a.owner_org == inputs.org.id
            and period.holds(a.removed_at)
            and on_own_services(a, inputs.org)
        ),
        key=lambda a: a.id,
    )


def _confirmed(matches: tuple[Match, ...], period: Period) -> list[Match]:
    return sorted(
        (
            m
            for m in matches
            if m.is_resurgence and m.status is MatchStatus.CONFIRMED and period.holds(m.reviewed_at)
        ),
        key=lambda m: m.id,
    )


def trend_point(inputs: ReportInputs, period: Period) -> dict[str, Any]:
    total = recidivism_of(inputs, period)["total"]
    return {"period": period.label, "accounts": total["accounts"], "confirmed": total["confirmed"]}
