"""`fimihub lead` and `fimihub case`: the triage and the joint investigation, from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fimihub import Hub, Settings
from fimihub.cli import main
from fimihub.model import Case, Lead


def test_triage_and_a_joint_case_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "hub.db")
    with Hub.open(Settings(db=db)) as hub:
        op = hub.operator()
        a = hub.admin.create_organisation(op, name="Platform A", kind="platform")
        p = hub.admin.create_organisation(op, name="Lab P", kind="researcher")
        forum = hub.admin.create_forum(op, name="F", member_orgs=[a.id, p.id], default_tlp="amber")
        ana = hub.admin.create_member(op, org_id=a.id, name="Ana", roles=["analyst"]).id
        money = hub.admin.create_member(
            op, org_id=a.id, name="Mo", roles=["analyst"], team="monetisation-integrity"
        ).id
        pia = hub.admin.create_member(op, org_id=p.id, name="Pia", roles=["partner-reporter"]).id
        lead = hub.create(
            hub.admin.actor(pia),
            Lead,
            {"title": "Fake poll pages", "urls": ["https://x.test/p"], "forum_id": forum.id},
        )
    assert main(["lead", "queue", "--db", db, "--member", ana, "--json"]) == 0
    assert [q["id"] for q in json.loads(capsys.readouterr().out)] == [lead.id]
    argv = ["lead", "triage", lead.id, "--db", db, "--member", ana, "--new-operation", "Fake poll"]
    assert main([*argv, "--outcome", "Under investigation"]) == 0
    assert "triaged into operation--" in capsys.readouterr().out
    assert main(["lead", "triage", lead.id, "--db", db, "--member", ana, "--dismiss", "again"]) != 0
    assert "already triaged" in capsys.readouterr().err

    assert (
        main(["case", "open", "Ads behind the fake poll", "--db", db, "--member", ana, "--type", "joint"])
        == 0
    )
    case_id = capsys.readouterr().out.splitlines()[0]
    assert (
        main(
            [
                "case",
                "task",
                case_id,
                "Total the spend",
                "--db",
                db,
                "--member",
                ana,
                "--assignee",
                money,
                "--due",
                "2026-12-24",
            ]
        )
        == 0
    )
    task_id = capsys.readouterr().out.strip()
    money_argv = ["case", "money", case_id, "ad-account", "--db", db, "--member", money]
    assert main([*money_argv, "--amount", "99.5", "--currency", "EUR"]) == 0
    assert "ad spend so far: 99.50 EUR" in capsys.readouterr().out
    assert main(["case", "done", case_id, task_id, "--db", db, "--member", money]) == 0
    assert main(["case", "done", case_id, "0", "--db", db, "--member", ana]) == 0
    assert main(["case", "close", case_id, "--db", db, "--member", ana, "--reason", "removed"]) == 0
    # Someone outside the organisation is no assignee: refused, nothing added.
    assert main(["case", "task", case_id, "x", "--db", db, "--member", ana, "--assignee", pia]) == 2
    with Hub.open(Settings(db=db)) as hub:
        case = hub.get(hub.operator(), Case, case_id)
    assert case.tasks[0].done and case.checklist[0].done and case.status.value == "closed"
    assert len(case.tasks) == 1 and case.ad_spend == {"EUR": 99.5}
    capsys.readouterr()
    assert main(["case", "show", case_id, "--db", db, "--member", money]) == 0
    shown = capsys.readouterr().out
    assert "[x] 0." in shown and "closed: removed" in shown
