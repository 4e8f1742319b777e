"""`fimihub report` on the demo hub: the C16 report's SLI 16.1.1 rows and the CIO report's networks and
recidivism, every format, the same bytes on every run, and refusals with their exit codes."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from fimihub import Hub, Settings
from fimihub.cli import main
from fimihub.model import Action, LeadSource, Member
from fimihub.reporting.periods import Period
from fimihub.vocab import EEA, EU

PLATFORM = "Northwind Social"


def _last_complete(kind: str, months: int) -> Period:
    """The newest period of ``kind`` that has ended: the demo's year is the twelve months before this one."""
    now = datetime.now(UTC)
    index = now.year * 12 + now.month - 1
    start = index - index % months - months
    return Period(kind, start // 12, start % 12 + 1)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = tmp_path_factory.mktemp("report-demo") / "demo.db"
    assert main(["demo", "--no-serve", "--db", str(db)]) == 0
    yield str(db)


def _report(
    capsys: pytest.CaptureFixture[str], db: str, kind: str, period: str, *extra: str, org: str = PLATFORM
) -> str:
    capsys.readouterr()
    code = main(["report", kind, "--db", db, "--org", org, "--period", period, *extra])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return captured.out


def test_c16_on_the_demo_has_thirty_states_and_both_totals_each_counting_its_records(
    demo: str, capsys: pytest.CaptureFixture[str]
) -> None:
    half = _last_complete("half-year", 6)
    data = json.loads(_report(capsys, demo, "c16", half.label, "--format", "json"))
    rows = data["sli_16_1_1"]["rows"]
    states = [r["state"] for r in rows]
    assert states[:30] == [*sorted(EU), "IS", "LI", "NO"] and states[30:] == ["Total EU", "Total EEA"]
    assert all(r["actions"] == len(r["records"]) for r in rows)
    assert rows[-1]["actions"] > 0, "the demo's half-year has actions from information sharing"
    with Hub.open(Settings(db=demo)) as hub:
        op = hub.operator()
        org = next(o for o in hub.admin.organisations(op) if o.name == PLATFORM)
        for row in rows:
            region = {"Total EU": EU, "Total EEA": EEA}.get(row["state"], {row["state"]})
            for record in row["records"]:
                action = hub.get(op, Action, record)
                assert action.owner_org == org.id
                assert action.lead_source in (LeadSource.FORUM_SHARE, LeadSource.PEER_DISCLOSURE)
                assert half.holds(action.taken_at) and action.status.enforcing
                assert region.intersection(action.member_states)
        counted = hub.list(op, Action, where={"owner_org": org.id}, limit=1000).items
        sharing = [
            a
            for a in counted
            if half.holds(a.taken_at)
            and a.lead_source in (LeadSource.FORUM_SHARE, LeadSource.PEER_DISCLOSURE)
        ]
    assert rows[-1]["actions"] == len([a for a in sharing if a.member_states])
    assert data["sli_16_1_1"]["unattributed"]["actions"] == len([a for a in sharing if not a.member_states])


def test_cio_on_the_demo_has_networks_and_recidivism(demo: str, capsys: pytest.CaptureFixture[str]) -> None:
    quarter = _last_complete("quarter", 3)
    data = json.loads(_report(capsys, demo, "cio", quarter.label, "--format", "json"))
    assert data["networks"], "the demo's last quarter has disrupted networks"
    for network in data["networks"]:
        assert {"name", "detection_source", "accounts", "followers", "description"} <= set(network)
        assert network["accounts"]["value"] > 0 and network["accounts"]["records"]
        assert network["description"]["text"]
    recidivism = data["recidivism"]
    assert recidivism["networks"] and recidivism["total"]["accounts"]["value"] > 0
    assert [t["period"] for t in recidivism["trend"]][-1] == quarter.label
    assert len(recidivism["trend"]) == 5


@pytest.mark.parametrize("kind", ["cio", "c16"])
def test_every_format_renders_and_two_runs_give_the_same_bytes(
    demo: str, kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    period = _last_complete("quarter", 3) if kind == "cio" else _last_complete("half-year", 6)
    for form, suffix in (
        ("html", ".html"),
        ("md", ".md"),
        ("json", ".json"),
        ("pdf", ".pdf"),
        ("csv", ".zip"),
    ):
        first, second = tmp_path / f"1{suffix}", tmp_path / f"2{suffix}"
        _report(capsys, demo, kind, period.label, "--format", form, "--out", str(first))
        _report(capsys, demo, kind, period.label, "--format", form, "--out", str(second))
        assert first.read_bytes() == second.read_bytes(), form
        assert first.stat().st_size > 500, form
    assert (tmp_path / "1.pdf").read_bytes().startswith(b"%PDF")
    assert "<svg" in (tmp_path / "1.html").read_text()
    with zipfile.ZipFile(io.BytesIO((tmp_path / "1.zip").read_bytes())) as archive:
        assert archive.namelist()
    folder = tmp_path / "tables"
    _report(capsys, demo, kind, period.label, "--format", "csv", "--out", str(folder))
    assert sorted(p.name for p in folder.iterdir()) == sorted(archive.namelist())
    printed = _report(capsys, demo, kind, period.label)
    assert printed == (tmp_path / "1.md").read_text()


def test_frozen_reports_verify_and_text_is_kept(demo: str, capsys: pytest.CaptureFixture[str]) -> None:
    half = _last_complete("half-year", 6).label
    capsys.readouterr()
    assert main(["report", "text", "--db", demo, "--org", PLATFORM, "--period", half, "--section",
                 "16.2-planned", "--text", "Watch for returns on new platforms."]) == 0  # fmt: skip
    out = _report(capsys, demo, "c16", half, "--format", "json", "--freeze")
    assert json.loads(out)["texts"]["16.2-planned"]["text"] == "Watch for returns on new platforms."
    capsys.readouterr()
    assert main(["report", "frozen", "--db", demo, "--org", PLATFORM, "--json"]) == 0
    ref = json.loads(capsys.readouterr().out)[-1]["ref"]
    assert main(["report", "verify", "--db", demo, ref]) == 0
    assert "same as frozen" in capsys.readouterr().out


def test_bad_input_and_strangers_get_clear_errors_and_exit_codes(
    demo: str, capsys: pytest.CaptureFixture[str]
) -> None:
    def run(*args: str) -> tuple[int, str]:
        capsys.readouterr()
        code = main(["report", *args, "--db", demo])
        return code, capsys.readouterr().err

    code, err = run("c16", "--org", PLATFORM, "--period", "2025-H3")
    assert code == 2 and "error: period:" in err and "2025-H3" in err
    code, err = run("c16", "--org", PLATFORM, "--period", "2999-H1")
    assert code == 2 and "lies in the future" in err
    code, err = run("cio", "--org", PLATFORM, "--period", "2025-H1")
    assert code == 2 and "quarter" in err
    code, err = run("cio", "--org", "Nobody Inc", "--period", "2025-03")
    assert code == 3 and "Nobody Inc" in err
    code, err = run("c16", "--org", PLATFORM, "--period", "2025-H1", "--format", "pdf")
    assert code == 2 and "--out" in err
    code, err = run("c16", "--org", PLATFORM, "--period", "2025-H1", "--out", "/no/such/folder/c16.md")
    assert code == 1 and "Could not open file" in err
    with Hub.open(Settings(db=demo)) as hub:
        op = hub.operator()
        orgs = {o.name: o.id for o in hub.admin.organisations(op)}
        stranger = hub.admin.members(op, orgs["Bluepeak Networks"])[0]
        partner = next(
            m for m in hub.admin.members(op, orgs["FactDesk Europe"]) if "partner-reporter" in m.roles
        )
    for member in (stranger, partner):
        assert isinstance(member, Member)
        code, err = run("c16", "--org", PLATFORM, "--period", "2025-H1", "--member", member.id)
        assert code == 6 and "only its members" in err
        code, err = run("text", "--org", PLATFORM, "--period", "2025-H1", "--section", "16.1-planned",
                        "--text", "x", "--member", member.id)  # fmt: skip
        assert code == 6
