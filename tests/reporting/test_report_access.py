"""A report is its organisation's: only its own members with a reading role (and the hub's operator) produce
it, freeze it or keep its text, whether they ask in process or over the REST API."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from fimihub.app import create_app
from fimihub.errors import PermissionDenied
from fimihub.model import Scope
from tests.reporting.conftest import Story


def test_members_of_other_organisations_cannot_produce_or_check_the_report(story: Story) -> None:
    cast, reporting = story.cast, story.hub.reporting
    # A forum partner, a partner reporter, an outsider, and an admin of the hub's operator organisation.
    for stranger in (cast.analyst_b, cast.partner_c, cast.analyst_d, cast.admin_o):
        for kind, period in (("cio", "2025-Q1"), ("c16", "2025-H1")):
            with pytest.raises(PermissionDenied):
                reporting.report(stranger, kind, cast.org_a, period)
        with pytest.raises(PermissionDenied):
            reporting.freeze(stranger, "c16", cast.org_a, "2025-H1")
        with pytest.raises(PermissionDenied):
            reporting.write_text(stranger, cast.org_a, "2025-H1", "16.1-planned", "ours now")
        with pytest.raises(PermissionDenied):
            reporting.frozen(stranger, cast.org_a)
    _, frozen = reporting.freeze(cast.analyst_a, "c16", cast.org_a, "2025-H1")
    with pytest.raises(PermissionDenied):
        reporting.verify(cast.analyst_b, frozen.ref)


def test_readers_read_reports_and_only_analysts_and_admins_write_to_them(story: Story) -> None:
    cast, reporting = story.cast, story.hub.reporting
    assert reporting.c16(cast.reader_a, cast.org_a, "2025-H1").data["organisation"]["id"] == cast.org_a
    with pytest.raises(PermissionDenied):
        reporting.write_text(cast.reader_a, cast.org_a, "2025-H1", "16.1-planned", "text")
    with pytest.raises(PermissionDenied):
        reporting.freeze(cast.reader_a, "c16", cast.org_a, "2025-H1")
    narrow = story.hub.admin.actor(cast.analyst_a.member.id, scopes=[Scope.READ])
    with pytest.raises(PermissionDenied):
        reporting.write_text(narrow, cast.org_a, "2025-H1", "16.1-planned", "text")
    assert reporting.write_text(story.hub.operator(), cast.org_a, "2025-H1", "16.1-planned", "t").version == 1


def test_another_organisations_records_reach_a_report_only_as_its_readers_see_them(story: Story) -> None:
    cast, hub = story.cast, story.hub
    # B's report does not count A's actions, and names A's operation only because B may read it.
    report = hub.reporting.c16(cast.analyst_b, cast.org_b, "2025-H1")
    counted = {r for row in report.data["sli_16_1_1"]["rows"] for r in row["records"]}
    assert counted == {story.ids["b1"]}
    assert story.ids["a1"] not in report.inputs


def _client(story: Story) -> TestClient:
    return TestClient(create_app(hub=story.hub), raise_server_exceptions=False)


def _bearer(story: Story, member_id: str) -> dict[str, str]:
    issued = story.hub.admin.issue_token(story.hub.operator(), member_id)
    return {"Authorization": f"Bearer {issued.secret}"}


def test_the_api_serves_an_organisations_reports_to_its_members_only(story: Story) -> None:
    cast = story.cast
    own = _bearer(story, cast.reader_a.member.id)
    query = {"org": cast.org_a, "period": "2025-H1"}
    with _client(story) as client:
        answer = client.get("/api/v1/reports/c16", params=query, headers=own)
        assert answer.status_code == 200, answer.text
        rows = answer.json()["sli_16_1_1"]["rows"]
        assert len(rows) == 32 and all(r["actions"] == len(r["records"]) for r in rows)
        pdf = client.get("/api/v1/reports/c16", params={**query, "format": "pdf"}, headers=own)
        assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
        html = client.get("/api/v1/reports/cio", params={**query, "period": "2025-Q1", "format": "html"},
                          headers=own)  # fmt: skip
        assert html.status_code == 200 and "<svg" in html.text
        for stranger in (cast.analyst_b, cast.partner_c, cast.admin_o):
            headers = _bearer(story, stranger.member.id)
            refused = client.get("/api/v1/reports/c16", params=query, headers=headers)
            assert refused.status_code == 403, refused.text
            assert story.ids["a1"] not in refused.text
            body = {"org": cast.org_a, "period": "2025-H1", "section": "16.1-planned", "text": "x"}
            assert client.post("/api/v1/reports/c16/texts", json=body, headers=headers).status_code == 403
            assert client.post("/api/v1/reports/c16/freeze", json=query, headers=headers).status_code == 403
        assert client.get("/api/v1/reports/c16", params=query).status_code == 401
        bad = client.get("/api/v1/reports/c16", params={**query, "period": "2025-Q7"}, headers=own)
        assert bad.status_code == 400 and "period" in bad.text
        future = client.get("/api/v1/reports/c16", params={**query, "period": "2999-H1"}, headers=own)
        assert future.status_code == 400 and "future" in future.text
        assert (
            client.get("/api/v1/reports/c16", params={**query, "format": "docx"}, headers=own).status_code
            == 400
        )


def test_the_api_freezes_verifies_and_keeps_text_for_the_organisations_analysts(story: Story) -> None:
    cast = story.cast
    analyst = _bearer(story, cast.analyst_a.member.id)
    with _client(story) as client:
        body = {"org": cast.org_a, "period": "2025-H1", "section": "qre-16.1.1", "text": "We learnt a lot."}
        kept = client.post("/api/v1/reports/c16/texts", json=body, headers=analyst)
        assert kept.status_code == 200 and kept.json()["version"] == 1
        frozen = client.post("/api/v1/reports/c16/freeze", json={"org": cast.org_a, "period": "2025-H1"},
                             headers=analyst)  # fmt: skip
        assert frozen.status_code == 200, frozen.text
        ref = frozen.json()["ref"]
        checked = client.get(f"/api/v1/reports/frozen/{ref}", headers=analyst).json()
        assert checked["same"] is True and checked["frozen"]["sha256"] == frozen.json()["sha256"]
        listed = client.get("/api/v1/reports/frozen", params={"org": cast.org_a}, headers=analyst).json()
        assert [f["ref"] for f in listed["items"]] == [ref]
        other = _bearer(story, cast.analyst_b.member.id)
        assert client.get(f"/api/v1/reports/frozen/{ref}", headers=other).status_code == 403
