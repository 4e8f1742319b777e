"""The covert influence operations report of one organisation for a month or a quarter.

One row per network (operation) the organisation acted on in the period — name, detection source, accounts
removed, followers on its services and a description — then the period's recidivism: accounts removed for
trying to re-establish networks disrupted before, by network, with the trend over the periods before.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from fimihub.model import Action, DetectionSource, Operation
from fimihub.reporting.counting import (
    SHARING_SOURCES,
    accounts_of,
    actions_in,
    on_own_services,
    reestablishes,
    restricted_sources,
    sort_names,
    technique_names,
)
from fimihub.reporting.document import Chart, Document, Figure, Report, Section, Table, figure
from fimihub.reporting.inputs import ReportInputs
from fimihub.reporting.periods import Period
from fimihub.reporting.recidivism import recidivism_of, sum_figures, trend_point

__all__ = ["CIO_METHOD", "build_cio", "restricted_note"]

CIO_METHOD = (
    "A network is an operation on which the organisation took an action (taken, or approved to be) in the "
    "period; proposed and overturned actions are not counted.",
    "Accounts: the accounts the organisation's actions on the network in the period covered (each action's "
    "asset count). Followers: the followers of the network's accounts on the organisation's own platforms, "
    "as its records state them.",
    "Detection source: internal when the organisation found the network itself; external names the partner "
    "that reported it, or the organisation that shared the network through a forum.",
    "Recidivism: accounts removed in the period for trying to re-establish a network disrupted before — "
    "covered by actions on operations that continue earlier ones, and returning accounts of the "
    "organisation's own platforms marked as recidivist and removed in the period (each account once). "
    "Returning accounts confirmed by review of resurgence matches in the period are listed beside them.",
)


def build_cio(inputs: ReportInputs) -> Report:
    """The report, computed from ``inputs`` alone."""
    period = inputs.period
    acted = actions_in(inputs.actions, period)
    networks = _networks(inputs, acted)
    recidivism = recidivism_of(inputs, period)
    trend = [trend_point(inputs, p) for p in (*inputs.history, period)]
    monthly = _monthly(inputs)
    data: dict[str, Any] = {
        "report": "cio",
        "title": "Covert influence operations report",
        "organisation": {"id": inputs.org.id, "name": inputs.org.name},
        "period": _period_json(period),
        "method": list(CIO_METHOD),
        "empty": not networks and not recidivism["networks"],
        "networks": networks,
        "totals": {
            "networks": len(networks),
            "accounts": sum_figures(n["accounts"] for n in networks).to_json(),
            "followers": sum_figures(n["followers"] for n in networks).to_json(),
            "actions": figure(len(acted), (a.id for a in acted)).to_json(),
        },
        "recidivism": {**recidivism, "trend": trend},
        "actions_by_month": monthly,
    }
    drawn = [inputs.operations[n["operation"]] for n in networks if n["operation"] in inputs.operations]
    drawn += [
        inputs.operations[r["operation"]]
        for r in recidivism["networks"]
        if r["operation"] in inputs.operations
    ]
    data["restricted_sources"] = restricted_sources(drawn, inputs.org, inputs.org_names)
    inputs_ids = sort_names(
        [a.id for a in acted]
        + [r for n in networks for r in n["followers"]["records"]]
        + [
            r
            for row in recidivism["networks"]
            for key in ("accounts", "confirmed")
            for r in row[key]["records"]
        ]
        + [r for point in trend for key in ("accounts", "confirmed") for r in point[key]["records"]]
        + [r for month in monthly for r in month["records"]]
        + [n["operation"] for n in networks]
        + [p["disclosure"] for n in networks for p in n["peer_disclosures"]]
        + [r for n in networks for p in n["peer_disclosures"] for r in p["shared"]["records"]]
    )
    return Report("cio", data, _document(inputs, data), tuple(inputs_ids))


def _period_json(period: Period) -> dict[str, str]:
    return {
        "label": period.label,
        "kind": period.kind,
        "start": period.start.date().isoformat(),
        "end": period.end.date().isoformat(),
    }


def _networks(inputs: ReportInputs, acted: list[Action]) -> list[dict[str, Any]]:
    by_operation: dict[str, list[Action]] = defaultdict(list)
    for action in acted:
        if action.operation_id is not None:
            by_operation[action.operation_id].append(action)
    rows = [_network(inputs, op_id, actions) for op_id, actions in by_operation.items()]
    return sorted(rows, key=lambda n: (n["name"].casefold(), n["operation"]))


def _network(inputs: ReportInputs, op_id: str, actions: list[Action]) -> dict[str, Any]:
    operation = inputs.operations.get(op_id)
    assets = [
        a
        for a in inputs.assets
        if a.operation_id == op_id and a.followers is not None and on_own_services(a, inputs.org)
    ]
    followers = figure(sum(a.followers or 0 for a in assets), (a.id for a in assets))
    accounts = figure(sum(accounts_of(a) for a in actions), (a.id for a in actions))
    all_assets = [a for a in inputs.assets if a.operation_id == op_id]
    platforms = sort_names(
        [a.platform for a in all_assets if a.platform != "web"] + [a.platform for a in actions if a.platform]
    )
    source, partner = _detection(inputs, operation)
    continues = reestablishes(operation, inputs.operations)
    return {
        "operation": op_id,
        "name": operation.name if operation else f"operation not readable ({op_id})",
        "detection_source": source,
        "detection_partner": partner,
        "lead_sources": sort_names(a.lead_source.value for a in actions),
        "accounts": accounts.to_json(),
        "followers": followers.to_json(),
        "actions": [
            {
                "id": a.id,
                "kind": a.kind.value,
                "taken_at": a.taken_at.isoformat(),
                "platform": a.platform,
                "accounts": accounts_of(a),
                "lead_source": a.lead_source.value,
                "member_states": sorted(a.member_states),
            }
            for a in actions
        ],
        "continues": [{"operation": o.id, "name": o.name} for o in continues],
        "description": _description(operation, platforms),
        "peer_disclosures": _disclosed(inputs, op_id),
    }


def _disclosed(inputs: ReportInputs, op_id: str) -> list[dict[str, Any]]:
    """Peers' disclosures that share indicators with the network: who published what, the figures they
    state, and which of their signals have the same kind and value as the network's."""
    keys = {(s.kind, s.value) for s in inputs.signals if s.operation_id == op_id}
    if not keys:
        return []
    found = []
    for disclosure in inputs.disclosures:
        owned = set(disclosure.signal_ids)
        shared = [s for s in inputs.signals if s.id in owned and (s.kind, s.value) in keys]
        if not shared:
            continue
        found.append(
            {
                "disclosure": disclosure.id,
                "publisher": disclosure.publisher,
                "title": disclosure.title,
                "published_at": disclosure.published_at.date().isoformat()
                if disclosure.published_at
                else None,
                "url": disclosure.url,
                "figures": [
                    {"value": f.value, "unit": f.unit, "context": f.context} for f in disclosure.figures
                ],
                "shared": figure(len({(s.kind, s.value) for s in shared}), (s.id for s in shared)).to_json(),
                "kinds": sort_names(s.kind.value for s in shared),
            }
        )
    return sorted(found, key=lambda d: (d["publisher"].casefold(), d["title"].casefold(), d["disclosure"]))


def _detection(inputs: ReportInputs, operation: Operation | None) -> tuple[str, str | None]:
    if operation is not None and operation.owner_org != inputs.org.id:
        forum = next((f.name for f in inputs.forums if f.id == operation.forum_id), None)
        via = f" via {forum}" if forum else ""
        return DetectionSource.EXTERNAL.value, inputs.name_of(operation.owner_org) + via
    if operation is not None and operation.detection_source is DetectionSource.EXTERNAL:
        return DetectionSource.EXTERNAL.value, inputs.name_of(operation.detection_partner)
    return DetectionSource.INTERNAL.value, None


def _description(operation: Operation | None, platforms: list[str]) -> dict[str, Any]:
    if operation is None:
        return {"text": "", "origin": [], "targets": [], "audience": "", "methods": "", "narratives": [],
                "techniques": [], "technique_names": {}, "platforms": platforms}  # fmt: skip
    parts = []
    if operation.origin_countries:
        parts.append(f"Operated from {', '.join(operation.origin_countries)}.")
    if operation.target_countries or operation.target_audience:
        targets = ", ".join(operation.target_countries)
        audience = f" ({operation.target_audience})" if operation.target_audience else ""
        parts.append(f"Targeted {targets or 'an audience'}{audience}.")
    if operation.operator_type.value != "unknown":
        parts.append(f"Operator type: {operation.operator_type.value}.")
    if operation.attribution:
        parts.append(f"Attributed to {operation.attribution}.")
    if operation.narratives:
        parts.append(f"Narratives: {'; '.join(operation.narratives)}.")
    names = technique_names(operation.techniques)
    if operation.techniques:
        listed = ", ".join(f"{t} {names[t]}" if names.get(t) else t for t in sorted(operation.techniques))
        parts.append(f"DISARM techniques: {listed}.")
    if platforms:
        parts.append(f"Present on {', '.join(platforms)}.")
    if operation.description:
        parts.append(operation.description)
    return {
        "text": " ".join(parts),
        "origin": list(operation.origin_countries),
        "targets": list(operation.target_countries),
        "audience": operation.target_audience,
        "methods": operation.description,
        "operator_type": operation.operator_type.value,
        "narratives": list(operation.narratives),
        "techniques": sorted(operation.techniques),
        "technique_names": names,
        "platforms": platforms,
    }


def _monthly(inputs: ReportInputs) -> list[dict[str, Any]]:
    """Actions per month over the periods before and this one, split by where the lead came from."""
    months = [m for p in (*inputs.history, inputs.period) for m in p.months()]
    out = []
    for month in months:
        acted = actions_in(inputs.actions, month)
        sharing = [a.id for a in acted if a.lead_source in SHARING_SOURCES]
        out.append(
            {
                "month": month.label,
                "actions": len(acted),
                "from_sharing": len(sharing),
                "records": [a.id for a in acted],
            }
        )
    return out


# -- layout ----------------------------------------------------------------------------------------------


def _fig(item: dict[str, Any]) -> Figure:
    return Figure(item["value"], tuple(item["records"]))


def _side_by_side(networks: list[dict[str, Any]]) -> tuple[Table, ...]:
    """A line per peer's disclosure of a network: our figures beside the ones the peer published."""
    rows = []
    for network in networks:
        for peer in network["peer_disclosures"]:
            stated = "; ".join(
                f"{f['value']:g} {f['unit']}" + (f" ({f['context']})" if f["context"] else "")
                for f in peer["figures"]
            )
            published = f", {peer['published_at']}" if peer["published_at"] else ""
            rows.append(
                (
                    network["name"],
                    f"{peer['publisher']}: {peer['title']}{published}",
                    _fig(network["accounts"]),
                    stated or "no figures stated",
                    _fig(peer["shared"]),
                )
            )
    if not rows:
        return ()
    return (
        Table(
            "peer_disclosures",
            "Networks a peer disclosed too, side by side",
            ("network", "disclosure", "accounts (ours)", "figures (theirs)", "indicators shared"),
            tuple(rows),
        ),
    )


def restricted_note(sources: list[dict[str, str]]) -> tuple[str, ...]:
    """A warning, when the report draws on other organisations' records that are not TLP:CLEAR."""
    if not sources:
        return ()
    listed = "; ".join(f"{s['record']} ({s['owner']}, {s['tlp']})" for s in sources)
    return (
        "Before publishing: this report names or describes networks from other organisations' records that "
        f"are not TLP:CLEAR; their owners must agree first: {listed}.",
    )


def _document(inputs: ReportInputs, data: dict[str, Any]) -> Document:
    networks = data["networks"]
    period = inputs.period
    intro = (
        f"Networks {inputs.org.name} acted on in {period.label} ({data['period']['start']} to "
        f"{data['period']['end']}, end excluded), computed from the records in the hub."
    )
    summary = Section(
        "Summary",
        paragraphs=(
            intro,
            *restricted_note(data["restricted_sources"]),
            "No network was acted on and no returning account removed in this period."
            if data["empty"]
            else f"{len(networks)} network(s), {data['totals']['accounts']['value']} account(s) removed, "
            f"{data['recidivism']['total']['accounts']['value']} account(s) removed for trying to "
            "re-establish earlier networks.",
        ),
    )
    rows = tuple(
        (
            n["name"],
            n["detection_source"] + (f" ({n['detection_partner']})" if n["detection_partner"] else ""),
            _fig(n["accounts"]),
            _fig(n["followers"]),
            n["description"]["text"],
        )
        for n in networks
    )
    network_table = Table(
        "networks",
        "One row per network acted on in the period",
        ("network", "detection source", "accounts", "followers", "description"),
        rows,
        note="" if rows else "No network was acted on in this period.",
    )
    origins: dict[str, int] = defaultdict(int)
    targets: dict[str, int] = defaultdict(int)
    for n in networks:
        for c in n["description"]["origin"] or ["unknown"]:
            origins[c] += 1
        for c in n["description"]["targets"] or ["unknown"]:
            targets[c] += 1
    charts: list[Chart] = []
    if networks:
        places = sorted(set(origins) | set(targets))
        charts.append(
            Chart(
                "networks-by-country",
                "Networks by origin and target country",
                "barh",
                tuple(places),
                (
                    ("origin", tuple(origins.get(p, 0) for p in places)),
                    ("target", tuple(targets.get(p, 0) for p in places)),
                ),
                ylabel="networks",
            )
        )
    monthly = data["actions_by_month"]
    charts.append(
        Chart(
            "actions-over-time",
            "Actions by month",
            "bar",
            tuple(m["month"] for m in monthly),
            (
                ("own detection and other leads", tuple(m["actions"] - m["from_sharing"] for m in monthly)),
                ("from information sharing", tuple(m["from_sharing"] for m in monthly)),
            ),
            ylabel="actions",
        )
    )
    recid = data["recidivism"]
    recid_rows = (
        *((r["name"], _fig(r["accounts"]), _fig(r["confirmed"])) for r in recid["networks"]),
        ("Total", _fig(recid["total"]["accounts"]), _fig(recid["total"]["confirmed"])),
    )
    trend_rows = tuple((t["period"], _fig(t["accounts"]), _fig(t["confirmed"])) for t in recid["trend"])
    trend_chart = Chart(
        "recidivism-trend",
        "Recidivism by period",
        "line",
        tuple(t["period"] for t in recid["trend"]),
        (
            ("accounts removed", tuple(t["accounts"]["value"] for t in recid["trend"])),
            ("confirmed returning", tuple(t["confirmed"]["value"] for t in recid["trend"])),
        ),
        ylabel="accounts",
    )
    return Document(
        f"Covert influence operations report — {inputs.org.name}",
        f"Period {period.label}",
        (
            summary,
            Section(
                "Networks disrupted",
                tables=(network_table, *_side_by_side(networks)),
                charts=tuple(charts),
            ),
            Section(
                "Recidivism",
                paragraphs=(
                    "Accounts removed for trying to re-establish networks disrupted before, by the network "
                    "they tried to re-establish.",
                ),
                tables=(
                    Table(
                        "recidivism",
                        "Recidivism by network",
                        ("network", "accounts removed", "confirmed returning"),
                        recid_rows,
                    ),
                    Table(
                        "recidivism_trend",
                        "Recidivism over the periods before",
                        ("period", "accounts removed", "confirmed returning"),
                        trend_rows,
                    ),
                ),
                charts=(trend_chart,),
            ),
            Section("How the figures are counted", items=CIO_METHOD),
        ),
    )
