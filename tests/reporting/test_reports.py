"""The reports computed from a hub's records: which records each figure counts, and why."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime

import pytest

from fimihub.errors import NotFound, ValidationError
from fimihub.model import Action, Disclosure, Operation, Signal, parse
from fimihub.reporting.c16 import MEMBER_STATES
from fimihub.reporting.render import render
from fimihub.vocab import EEA, EU
from tests.reporting.conftest import Story, at


def test_sli_counts_each_sharing_action_once_per_state_and_once_per_total(story: Story) -> None:
    ids = story.ids
    report = story.hub.reporting.c16(story.cast.analyst_a, story.cast.org_a, "2025-H1")
    sli = report.data["sli_16_1_1"]
    rows = {r["state"]: r for r in sli["rows"]}
    assert [r["state"] for r in sli["rows"]] == [*MEMBER_STATES, "Total EU", "Total EEA"]
    assert len(MEMBER_STATES) == 30 and set(MEMBER_STATES) == EEA
    assert rows["DE"]["records"] == [ids["a1"]] and rows["FR"]["records"] == [ids["a1"]]
    assert rows["NO"]["records"] == [ids["a2"]]
    assert rows["Total EU"]["records"] == [ids["a1"]]
    assert rows["Total EEA"]["records"] == sorted([ids["a1"], ids["a2"]])
    assert sli["unattributed"] == {"actions": 1, "records": [ids["a3"]]}
    for row in sli["rows"]:
        assert row["actions"] == len(row["records"])
        if row["state"] not in ("DE", "FR", "NO", "Total EU", "Total EEA"):
            assert row["records"] == []
    counted = {r for row in sli["rows"] for r in row["records"]}
    # Own detection, overturned, outside the period, another organisation's: none of them counted.
    assert not counted & {ids["a0"], ids["a4"], ids["overturned"], ids["later"], ids["b1"]}


def test_the_cio_report_has_one_row_per_network_with_its_records(story: Story) -> None:
    ids = story.ids
    report = story.hub.reporting.cio(story.cast.analyst_a, "Platform A", "2025-Q1")
    networks = {n["name"]: n for n in report.data["networks"]}
    assert sorted(networks) == ["Old Net", "Old Net II"]
    new = networks["Old Net II"]
    assert new["accounts"] == {"value": 7, "records": sorted([ids["a1"], ids["a4"]])}
    # Followers on the organisation's own platform (x), not the facebook account.
    assert new["followers"] == {"value": 150, "records": sorted([ids["r1"], ids["r2"]])}
    assert (new["detection_source"], new["detection_partner"]) == ("external", "Research C")
    assert new["continues"] == [{"operation": ids["Old Net"], "name": "Old Net"}]
    assert "T0097.202" in new["description"]["techniques"] and new["description"]["origin"] == ["RU"]
    assert "Operated from RU" in new["description"]["text"]
    assert new["description"]["technique_names"]["T0097.202"] == "News Outlet Persona"
    assert "T0097.202 News Outlet Persona" in new["description"]["text"]
    old = networks["Old Net"]
    assert old["detection_source"] == "internal" and old["accounts"]["records"] == [ids["a2"]]


def test_recidivism_counts_each_returning_account_once_by_the_network_it_re_establishes(story: Story) -> None:
    ids = story.ids
    report = story.hub.reporting.cio(story.cast.analyst_a, story.cast.org_a, "2025-Q1")
    recidivism = report.data["recidivism"]
    [row] = recidivism["networks"]
    assert row["name"] == "Old Net" and row["operation"] == ids["Old Net"]
    # a1 (5 accounts, r1 among them) and a4 (2) act on the continuing operation; r2 was removed on its own.
    assert row["accounts"] == {"value": 8, "records": sorted([ids["a1"], ids["a4"], ids["r2"]])}
    trend = recidivism["trend"]
    assert [t["period"] for t in trend] == ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4", "2025-Q1"]
    assert [t["accounts"]["value"] for t in trend] == [0, 0, 0, 0, 8]


def test_case_studies_are_drafted_from_networks_that_returned(story: Story) -> None:
    ids = story.ids
    report = story.hub.reporting.c16(story.cast.analyst_a, story.cast.org_a, "2025-H1")
    [case] = report.data["qre_16_2_1"]["case_studies"]
    assert case["name"] == "Old Net" and case["continued_by"][0]["name"] == "Old Net II"
    assert "first disrupted on 2024-11-10" in case["draft"] and "T0097.202" in case["draft"]
    assert {ids["a1"], ids["Old Net II"]} <= set(case["records"])
    assert not case["edited"]


def test_an_organisation_with_no_activity_gets_an_empty_valid_report(story: Story) -> None:
    cast = story.cast
    report = cast.hub.reporting.c16(cast.hub.operator(), cast.org_d, "2025-H1")
    assert report.data["empty"] is True
    assert len(report.data["sli_16_1_1"]["rows"]) == 32
    assert all(r["actions"] == 0 and r["records"] == [] for r in report.data["sli_16_1_1"]["rows"])
    assert "no activity recorded" in render(report, "md").decode()
    cio = cast.hub.reporting.cio(cast.hub.operator(), cast.org_d, "2025-03")
    assert cio.data["empty"] is True and cio.data["networks"] == []
    assert "No network was acted on" in render(cio, "html").decode()


def test_bad_input_is_refused_by_name(story: Story) -> None:
    reporting, a = story.hub.reporting, story.cast.analyst_a
    with pytest.raises(ValidationError, match="not a period"):
        reporting.c16(a, story.cast.org_a, "first half")
    with pytest.raises(ValidationError, match="future"):
        reporting.c16(a, story.cast.org_a, "2999-H1")
    with pytest.raises(ValidationError, match="half-year"):
        reporting.c16(a, story.cast.org_a, "2025-Q1")
    with pytest.raises(ValidationError, match="not a report"):
        reporting.report(a, "annual", story.cast.org_a, "2025")
    with pytest.raises(NotFound):
        reporting.c16(story.hub.operator(), "No Such Org", "2025-H1")


@pytest.mark.parametrize("form", ["json", "md", "html", "csv", "pdf"])
def test_every_format_renders_the_same_bytes_whatever_the_day_and_whoever_asks(
    story: Story, form: str
) -> None:
    hub, cast = story.hub, story.cast
    first = render(hub.reporting.c16(cast.analyst_a, cast.org_a, "2025-H1"), form)
    hub.clock = lambda: datetime(2031, 2, 3, 4, 5, tzinfo=UTC)
    again = render(hub.reporting.c16(hub.operator(), cast.org_a, "2025-H1"), form)
    assert first == again
    cio = render(hub.reporting.cio(cast.reader_a, cast.org_a, "2025-Q1"), form)
    assert cio == render(hub.reporting.cio(cast.analyst_a, cast.org_a, "2025-Q1"), form)
    if form == "json":
        assert json.loads(first)["sli_16_1_1"]["rows"][0]["state"] == "AT"
    elif form == "html":
        text = cio.decode()
        assert text.count("<svg") == 3 and "<details><summary>7</summary>" in text
    elif form == "csv":
        with zipfile.ZipFile(io.BytesIO(first)) as archive:
            assert sorted(archive.namelist()) == ["measures.csv", "qre_16_1_1.csv", "qre_16_2_1.csv",
                                                  "sli_16_1_1.csv"]  # fmt: skip
            sli = archive.read("sli_16_1_1.csv").decode().splitlines()
        assert sli[0] == "state,name,actions,actions records"
        assert sli[MEMBER_STATES.index("DE") + 1] == f"DE,Germany,1,{story.ids['a1']}"
    elif form == "pdf":
        assert first.startswith(b"%PDF") and b"/CreationDate (D:20000101" in first
    elif form == "md":
        assert f"- NO / actions: {story.ids['a2']}" in first.decode()


def test_total_eu_leaves_out_actions_only_in_iceland_liechtenstein_norway(story: Story) -> None:
    report = story.hub.reporting.c16(story.cast.analyst_a, story.cast.org_a, "2025-H1")
    rows = {r["state"]: r for r in report.data["sli_16_1_1"]["rows"]}
    eu = {r for s in EU for r in rows[s]["records"]}
    eea = {r for s in EEA for r in rows[s]["records"]}
    assert set(rows["Total EU"]["records"]) == eu and set(rows["Total EEA"]["records"]) == eea


def test_a_frozen_report_verifies_until_its_inputs_change(story: Story) -> None:
    hub, cast = story.hub, story.cast
    report, frozen = hub.reporting.freeze(cast.analyst_a, "c16", cast.org_a, "2025-H1")
    assert frozen.ref.startswith("audit:") and set(frozen.inputs) == set(report.inputs)
    assert story.ids["a1"] in frozen.inputs
    assert hub.reporting.verify(cast.reader_a, frozen.ref).same
    assert [f.ref for f in hub.reporting.frozen(cast.reader_a, cast.org_a)] == [frozen.ref]
    late = hub.create(
        hub.operator(),
        Action,
        {"owner_org": cast.org_a, "kind": "remove", "lead_source": "forum-share", "member_states": ["PL"],
         "taken_at": at(5, 5)},
    )  # fmt: skip
    checked = hub.reporting.verify(cast.reader_a, frozen.ref)
    assert not checked.same and checked.added == (late.id,) and checked.missing == ()
    with pytest.raises(NotFound):
        hub.reporting.verify(cast.reader_a, "audit:1")


def test_analyst_text_is_versioned_and_the_newest_is_used(story: Story) -> None:
    hub, cast = story.hub, story.cast
    hub.reporting.write_text(
        cast.analyst_a, cast.org_a, "2025-H1", "16.1-implemented", "We joined the forum."
    )
    kept = hub.reporting.write_text(
        cast.analyst_a, cast.org_a, "2025-H1", "16.1-implemented", "We joined two fora."
    )
    assert kept.version == 2
    report = hub.reporting.c16(cast.reader_a, cast.org_a, "2025-H1")
    assert report.data["texts"]["16.1-implemented"]["text"] == "We joined two fora."
    assert report.data["texts"]["16.1-implemented"]["version"] == 2
    history = hub.reporting.text_history(cast.reader_a, cast.org_a, "2025-H1", "16.1-implemented")
    assert [h.text for h in history] == ["We joined the forum.", "We joined two fora."]
    # Another half-year has its own text.
    other = hub.reporting.c16(cast.reader_a, cast.org_a, "2024-H2")
    assert other.data["texts"]["16.1-implemented"]["text"] == ""
    case = f"case:{story.ids['Old Net']}"
    hub.reporting.write_text(cast.analyst_a, cast.org_a, "2025-H1", case, "Edited case study.")
    [study] = hub.reporting.c16(cast.reader_a, cast.org_a, "2025-H1").data["qre_16_2_1"]["case_studies"]
    assert study["edited"] and study["text"] == "Edited case study." and study["draft"] != study["text"]
    with pytest.raises(ValidationError, match="section"):
        hub.reporting.write_text(cast.analyst_a, cast.org_a, "2025-H1", "anything", "x")


def test_a_report_warns_before_publishing_what_it_takes_from_others_restricted_records(story: Story) -> None:
    hub, cast = story.hub, story.cast
    hub.create(
        hub.operator(),
        Action,
        {"owner_org": cast.org_b, "kind": "remove", "operation_id": story.ids["Old Net II"],
         "lead_source": "forum-share", "member_states": ["NL"], "taken_at": at(3, 3), "asset_count": 3},
    )  # fmt: skip
    report = hub.reporting.cio(cast.analyst_b, cast.org_b, "2025-Q1")
    [network] = report.data["networks"]
    assert network["name"] == "Old Net II" and network["detection_source"] == "external"
    assert network["detection_partner"] == "Platform A via Task-force"
    assert {"record": story.ids["Old Net II"], "owner": "Platform A", "tlp": "TLP:GREEN"} in report.data[
        "restricted_sources"
    ]
    assert "Before publishing" in render(report, "md").decode()
    own = hub.reporting.cio(cast.analyst_a, cast.org_a, "2025-Q1")
    assert own.data["restricted_sources"] == []
    assert "Before publishing" not in render(own, "md").decode()


def test_the_pdf_lays_out_a_network_whose_description_runs_for_pages(story: Story) -> None:
    hub, cast = story.hub, story.cast
    hub.update(hub.operator(), Operation, story.ids["Old Net II"], {"description": "Long story. " * 4000})
    report = hub.reporting.cio(cast.analyst_a, cast.org_a, "2025-Q1")
    pdf = render(report, "pdf")
    assert pdf.startswith(b"%PDF") and pdf == render(report, "pdf")
    assert "Long story. " * 4000 in render(report, "json").decode()


def test_a_network_a_peer_disclosed_too_is_set_beside_the_disclosure(story: Story) -> None:
    hub, cast = story.hub, story.cast
    op = hub.operator()

    def signal(owner: str, value: str, **extra: str) -> Signal:
        data = {"owner_org": owner, "forum_id": cast.forum_id, "kind": "domain", "value": value, **extra}
        return hub.create(op, Signal, data)

    ours = signal(cast.org_a, "old-net.example", operation_id=story.ids["Old Net II"])
    theirs = signal(cast.org_c, "old-net.example")
    unrelated = signal(cast.org_c, "elsewhere.example")
    disclosure = parse(
        Disclosure,
        {
            "id": "disclosure--0a6f3c1e-5b1d-4f0e-9a57-3d1f0c2b7e11",
            "owner_org": cast.org_c,
            "forum_id": cast.forum_id,
            "marking": {"tlp": "green"},
            "publisher": "Research C",
            "title": "Old Net unmasked",
            "format": "csv",
            "published_at": at(3, 20),
            "figures": [{"value": 58, "unit": "accounts", "context": "x"}],
            "signal_ids": [theirs.id, unrelated.id],
        },
    )
    with hub.store.unit_of_work() as uow:
        uow.insert_many([disclosure])
    report = hub.reporting.cio(cast.analyst_a, cast.org_a, "2025-Q1")
    networks = {n["name"]: n for n in report.data["networks"]}
    [peer] = networks["Old Net II"]["peer_disclosures"]
    assert peer["disclosure"] == disclosure.id and peer["publisher"] == "Research C"
    assert peer["shared"] == {"value": 1, "records": [theirs.id]} and peer["kinds"] == ["domain"]
    assert peer["figures"] == [{"value": 58.0, "unit": "accounts", "context": "x"}]
    assert networks["Old Net"]["peer_disclosures"] == []
    assert {disclosure.id, theirs.id} <= set(report.inputs) and ours.id not in peer["shared"]["records"]
    text = render(report, "md").decode()
    assert "| Old Net II | Research C: Old Net unmasked, 2025-03-20 | 7 | 58 accounts (x) | 1 |" in text
    # Outside the forum, the disclosure is not the outsider's to see: its own report never names it.
    assert disclosure.id not in hub.reporting.cio(cast.analyst_d, cast.org_d, "2025-Q1").inputs
