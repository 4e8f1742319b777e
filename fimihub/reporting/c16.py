"""The Code of Practice Commitment 16 report of one signatory for a half-year.

Measures 16.1 and 16.2; the implementation text analysts keep in the hub; QRE 16.1.1 (the fora used, with
facts from the records: shares sent and received, matches, confirmations, actions, feedback); SLI 16.1.1
(actions taken as a result of information sharing, one row per EU Member State and EEA state, then Total EU
and Total EEA); QRE 16.2.1 (case studies of migration tactics drafted from the records, for analysts to edit).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from iso3166 import countries_by_alpha2

from fimihub.model import Action, Feedback, Forum, Governed, Match, MatchStatus, Operation
from fimihub.reporting.cio import restricted_note
from fimihub.reporting.counting import (
    SHARING_SOURCES,
    actions_in,
    reestablishes,
    restricted_sources,
    sort_names,
)
from fimihub.reporting.document import Chart, Document, Figure, Report, Section, Table, figure
from fimihub.reporting.inputs import ReportInputs
from fimihub.reporting.recidivism import recidivism_of
from fimihub.vocab import EEA, EU

__all__ = ["C16_SECTIONS", "MEMBER_STATES", "SLI_METHOD", "build_c16"]

#: The rows of SLI 16.1.1: the EU Member States, then Iceland, Liechtenstein and Norway.
MEMBER_STATES: tuple[str, ...] = (*sorted(EU), *sorted(EEA - EU))

#: The sections analysts write (``fimihub report text``), with what each is for.
C16_SECTIONS: dict[str, str] = {
    "16.1-implemented": "Measure 16.1: implementation measures taken in the period",
    "16.1-planned": "Measure 16.1: measures planned for the next period",
    "16.2-implemented": "Measure 16.2: implementation measures taken in the period",
    "16.2-planned": "Measure 16.2: measures planned for the next period",
    "qre-16.1.1": "QRE 16.1.1: learnings from the fora",
}

_MEASURES = (
    (
        "16.1",
        "Share relevant information about cross-platform information manipulation, foreign interference in "
        "the information space and incidents that emerge on their services, via a dedicated sub-group of "
        "the permanent Task-force or via existing fora.",
    ),
    (
        "16.2",
        "Pay specific attention to, and share information on, the tactical migration of known actors of "
        "misinformation, disinformation and information manipulation across platforms, to prevent "
        "resurgence.",
    ),
)

SLI_METHOD = (
    "An action counts when it is the organisation's own, its lead source is a forum share or a peer's "
    "disclosure, it was taken (or approved to be) in the period, and it had effect in the state of the row. "
    "An action with effect in several states counts once in each of their rows and once in each total; "
    "actions from sharing that name no Member State are counted in the unattributed line, not dropped."
)


def build_c16(inputs: ReportInputs) -> Report:
    period = inputs.period
    acted = actions_in(inputs.actions, period)
    sharing = [a for a in acted if a.lead_source in SHARING_SOURCES]
    sli = _sli(sharing)
    fora = _fora(inputs, acted)
    cases = _case_studies(inputs)
    texts = {section: _text_json(inputs, section) for section in sorted(C16_SECTIONS)}
    data: dict[str, Any] = {
        "report": "c16",
        "title": "Code of Practice on Disinformation: Commitment 16",
        "organisation": {"id": inputs.org.id, "name": inputs.org.name},
        "period": {
            "label": period.label,
            "kind": period.kind,
            "start": period.start.date().isoformat(),
            "end": period.end.date().isoformat(),
        },
        "empty": not acted and not cases and not any(v["value"] for v in fora["totals"].values()),
        "measures": [{"measure": m, "signed": True, "text": t} for m, t in _MEASURES],
        "texts": texts,
        "qre_16_1_1": fora,
        "sli_16_1_1": sli,
        "qre_16_2_1": {"case_studies": cases},
    }
    drawn = [inputs.operations[r] for c in cases for r in c["records"] if r in inputs.operations]
    data["restricted_sources"] = restricted_sources(drawn, inputs.org, inputs.org_names)
    ids = (
        [r for row in sli["rows"] for r in row["records"]]
        + sli["unattributed"]["records"]
        + [
            r
            for f in [*fora["fora"], fora["totals"]]
            for v in f.values()
            if isinstance(v, dict)
            for r in v["records"]
        ]
        + [r for c in cases for r in c["records"]]
    )
    return Report("c16", data, _document(inputs, data), tuple(sort_names(ids)))


def _text_json(inputs: ReportInputs, section: str) -> dict[str, Any]:
    text = inputs.texts.get(section)
    if text is None:
        return {"text": "", "version": 0, "author": None, "ref": None}
    return {"text": text.text, "version": text.version, "author": text.author, "ref": text.ref}


# -- SLI 16.1.1 ------------------------------------------------------------------------------------------


def _sli(sharing: list[Action]) -> dict[str, Any]:
    by_state: dict[str, list[str]] = defaultdict(list)
    for action in sharing:
        for state in set(action.member_states):
            by_state[state].append(action.id)
    rows: list[dict[str, Any]] = []
    for state in MEMBER_STATES:
        records = sorted(by_state.get(state, []))
        rows.append(
            {"state": state, "name": _country_name(state), "actions": len(records), "records": records}
        )
    for label, states in (("Total EU", EU), ("Total EEA", EEA)):
        records = sorted(a.id for a in sharing if states.intersection(a.member_states))
        rows.append({"state": label, "name": label, "actions": len(records), "records": records})
    unattributed = sorted(a.id for a in sharing if not a.member_states)
    return {
        "method": SLI_METHOD,
        "rows": rows,
        "unattributed": {"actions": len(unattributed), "records": unattributed},
        "actions_from_sharing": {"actions": len(sharing), "records": sorted(a.id for a in sharing)},
    }


def _country_name(code: str) -> str:
    country = countries_by_alpha2.get(code)
    return country.apolitical_name if country is not None else code


# -- QRE 16.1.1 ------------------------------------------------------------------------------------------

_FORUM_FIGURES = (
    "shares_sent",
    "shares_received",
    "matches",
    "confirmed",
    "actions",
    "feedback_sent",
    "feedback_received",
)


def _fora(inputs: ReportInputs, acted: list[Action]) -> dict[str, Any]:
    operations = inputs.operations
    rows = []
    for forum in sorted(inputs.forums, key=lambda f: (f.name.casefold(), f.id)):
        rows.append(
            {
                "forum": forum.id,
                "name": forum.name,
                "members": len(forum.member_orgs),
                **_forum_figures(inputs, forum, acted, operations),
            }
        )
    totals: dict[str, Any] = {}
    for key in _FORUM_FIGURES:
        records = [r for row in rows for r in row[key]["records"]]
        totals[key] = figure(len(set(records)), records).to_json()
    return {"fora": rows, "totals": totals}


def _forum_figures(
    inputs: ReportInputs, forum: Forum, acted: list[Action], operations: dict[str, Operation]
) -> dict[str, Any]:
    period = inputs.period

    def count(records: list[Governed] | list[Match] | list[Feedback] | list[Action]) -> dict[str, Any]:
        ids = [r.id for r in records]
        return figure(len(set(ids)), ids).to_json()

    def in_forum(action: Action) -> bool:
        operation = operations.get(action.operation_id) if action.operation_id else None
        return action.forum_id == forum.id or (operation is not None and operation.forum_id == forum.id)

    matches = [m for m in inputs.matches if m.signal_forum_id == forum.id]
    return {
        "shares_sent": count(
            [r for r in inputs.shared if r.forum_id == forum.id and period.holds(r.created_at)]
        ),
        "shares_received": count(
            [r for r in inputs.received if r.forum_id == forum.id and period.holds(r.created_at)]
        ),
        "matches": count([m for m in matches if period.holds(m.created_at)]),
        "confirmed": count(
            [m for m in matches if m.status is MatchStatus.CONFIRMED and period.holds(m.reviewed_at)]
        ),
        "actions": count([a for a in acted if a.lead_source in SHARING_SOURCES and in_forum(a)]),
        "feedback_sent": count(
            [f for f in inputs.feedback_sent if f.forum_id == forum.id and period.holds(f.at)]
        ),
        "feedback_received": count(
            [f for f in inputs.feedback_received if f.forum_id == forum.id and period.holds(f.at)]
        ),
    }


# -- QRE 16.2.1 ------------------------------------------------------------------------------------------


def _case_studies(inputs: ReportInputs) -> list[dict[str, Any]]:
    """One draft per network that returned in the period: an operation continuing an earlier one that the
    organisation acted on, or a network whose returning accounts were confirmed by review."""
    period = inputs.period
    recidivism = recidivism_of(inputs, period)
    acted = actions_in(inputs.actions, period)
    cases = []
    for row in recidivism["networks"]:
        earlier = inputs.operations.get(row["operation"])
        successors = sorted(
            (
                o
                for o in inputs.operations.values()
                if earlier is not None and earlier.id in {e.id for e in reestablishes(o, inputs.operations)}
            ),
            key=lambda o: (o.name, o.id),
        )
        successor_ids = {o.id for o in successors}
        actions = [a for a in acted if a.operation_id in successor_ids]
        before = [a for a in inputs.actions if earlier is not None and a.operation_id == earlier.id]
        draft = _draft(inputs, earlier, successors, actions, before, row)
        key = f"case:{row['operation']}"
        edited = inputs.texts.get(key)
        records = sort_names(
            [*row["accounts"]["records"], *row["confirmed"]["records"], *(o.id for o in successors)]
            + ([earlier.id] if earlier else [])
        )
        cases.append(
            {
                "network": row["operation"],
                "name": row["name"],
                "continued_by": [{"operation": o.id, "name": o.name} for o in successors],
                "accounts": row["accounts"],
                "confirmed": row["confirmed"],
                "draft": draft,
                "text": edited.text if edited else draft,
                "edited": edited is not None,
                "version": edited.version if edited else 0,
                "section": key,
                "records": records,
            }
        )
    return cases


def _draft(
    inputs: ReportInputs,
    earlier: Operation | None,
    successors: list[Operation],
    actions: list[Action],
    before: list[Action],
    row: dict[str, Any],
) -> str:
    name = earlier.name if earlier else row["name"]
    parts = []
    first = min((a.taken_at for a in before if a.status.enforcing), default=None)
    if first is not None:
        parts.append(f"{name} was first disrupted on {first.date().isoformat()}.")
    platforms_before = sort_names(
        a.platform for a in inputs.assets if earlier and a.operation_id == earlier.id and a.platform != "web"
    )
    for successor in successors:
        platforms_now = sort_names(
            a.platform for a in inputs.assets if a.operation_id == successor.id and a.platform != "web"
        )
        moved = [p for p in platforms_now if p not in platforms_before]
        sentence = f"It returned as {successor.name}"
        if platforms_now:
            sentence += f", present on {', '.join(platforms_now)}"
        if moved:
            sentence += f" (new platforms: {', '.join(moved)}, a migration away from where it was removed)"
        parts.append(sentence + ".")
        if earlier is not None:
            kept = sorted(set(successor.narratives) & set(earlier.narratives))
            if kept:
                parts.append(f"It carried over the narratives: {'; '.join(kept)}.")
            new_techniques = sorted(set(successor.techniques) - set(earlier.techniques))
            if new_techniques:
                parts.append(f"New DISARM techniques: {', '.join(new_techniques)}.")
    accounts = row["accounts"]["value"]
    if accounts:
        parts.append(
            f"In {inputs.period.label} {inputs.org.name} removed {accounts} account(s) trying to "
            f"re-establish it ({len(actions)} action(s) on its successors)."
        )
    if row["confirmed"]["value"]:
        parts.append(
            f"Reviewers confirmed {row['confirmed']['value']} returning account(s) found by resurgence "
            "detection against its fingerprint."
        )
    return " ".join(parts)


# -- layout ----------------------------------------------------------------------------------------------


def _fig(item: dict[str, Any]) -> Figure:
    return Figure(item["value"], tuple(item["records"]))


def _document(inputs: ReportInputs, data: dict[str, Any]) -> Document:
    period = inputs.period
    texts = data["texts"]

    def written(section: str) -> str:
        entry = texts[section]
        if entry["text"]:
            return str(entry["text"])
        return (
            f"(Not written yet: `fimihub report text --org {inputs.org.id} --period {period.label} "
            f"--section {section}`.)"
        )

    sli = data["sli_16_1_1"]
    sli_rows = (
        *((row["state"], row["name"], Figure(row["actions"], tuple(row["records"]))) for row in sli["rows"]),
        (
            "unattributed",
            "no Member State recorded",
            Figure(sli["unattributed"]["actions"], tuple(sli["unattributed"]["records"])),
        ),
    )
    states = [row for row in sli["rows"] if row["state"] in EEA]
    sli_chart = Chart(
        "sli-by-state",
        "SLI 16.1.1: actions from information sharing, by Member State",
        "bar",
        tuple(r["state"] for r in states),
        (("actions", tuple(r["actions"] for r in states)),),
        ylabel="actions",
    )
    fora = data["qre_16_1_1"]
    headings = ("forum", "members", "shares sent", "shares received", "matches", "confirmed", "actions",
                "feedback sent", "feedback received")  # fmt: skip
    fora_rows = (
        *((f["name"], f["members"], *(_fig(f[k]) for k in _FORUM_FIGURES)) for f in fora["fora"]),
        ("Total", "", *(_fig(fora["totals"][k]) for k in _FORUM_FIGURES)),
    )
    cases = data["qre_16_2_1"]["case_studies"]
    case_rows = tuple(
        (
            c["name"],
            ", ".join(s["name"] for s in c["continued_by"]),
            _fig(c["accounts"]),
            _fig(c["confirmed"]),
        )
        for c in cases
    )
    case_paragraphs = tuple(
        f"{c['name']}{' (edited)' if c['edited'] else ' (draft)'}: {c['text']}" for c in cases
    ) or ("No network returned in this period.",)
    summary = (
        f"Report of {inputs.org.name} on Commitment 16 for {period.label} ({data['period']['start']} to "
        f"{data['period']['end']}, end excluded), computed from the records in the hub."
    )
    if data["empty"]:
        summary += " The organisation has no activity recorded in this period: every figure is zero."
    return Document(
        f"Code of Practice on Disinformation, Commitment 16 — {inputs.org.name}",
        f"Period {period.label}",
        (
            Section("Summary", paragraphs=(summary, *restricted_note(data["restricted_sources"]))),
            Section(
                "Measures signed",
                tables=(
                    Table(
                        "measures",
                        "Measures",
                        ("measure", "signed", "commitment"),
                        tuple(
                            (m["measure"], "yes" if m["signed"] else "no", m["text"])
                            for m in data["measures"]
                        ),
                    ),
                ),
            ),
            Section(
                "Measure 16.1: implementation",
                paragraphs=(
                    "Implemented: " + written("16.1-implemented"),
                    "Planned: " + written("16.1-planned"),
                ),
            ),
            Section(
                "QRE 16.1.1: fora and learnings",
                paragraphs=("Learnings: " + written("qre-16.1.1"),),
                tables=(
                    Table(
                        "qre_16_1_1",
                        "Fora used, with what passed through them in the period",
                        headings,
                        fora_rows,
                        note="" if fora["fora"] else "The organisation is in no forum.",
                    ),
                ),
            ),
            Section(
                "SLI 16.1.1: actions taken as a result of information sharing",
                paragraphs=(sli["method"],),
                tables=(
                    Table("sli_16_1_1", "Actions by Member State", ("state", "name", "actions"), sli_rows),
                ),
                charts=(sli_chart,),
            ),
            Section(
                "Measure 16.2: implementation",
                paragraphs=(
                    "Implemented: " + written("16.2-implemented"),
                    "Planned: " + written("16.2-planned"),
                ),
            ),
            Section(
                "QRE 16.2.1: case studies of migration tactics",
                paragraphs=case_paragraphs,
                tables=(
                    Table(
                        "qre_16_2_1",
                        "Returning networks",
                        ("network", "continued by", "accounts removed", "confirmed returning"),
                        case_rows,
                    ),
                )
                if cases
                else (),
            ),
        ),
    )
