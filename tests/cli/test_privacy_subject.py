"""`fimihub privacy subject find|export|erase|rectify`: data-subject requests on the command line."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from click.testing import CliRunner

from fimihub import Hub, NotFound, Settings, Signal, policy
from fimihub.cli import cli, main
from fimihub.model import Asset, Lead
from tests.identifiers import register_identifier_keys

ACCOUNT = "5512908877"
REF = "DSR-2026-17"


def _world(db: str) -> dict[str, str]:
    with Hub.open(Settings(db=db)) as hub:
        op = hub.operator("test")
        a = hub.admin.create_organisation(op, name="Platform A", kind="platform", platforms=["x"])
        forum = hub.admin.create_forum(op, name="F", member_orgs=[a.id], default_tlp="green")
        analyst = hub.admin.actor(hub.admin.create_member(op, org_id=a.id, name="a", roles=["analyst"]).id)
        register_identifier_keys(hub, a.id)
        keyed = policy.pseudonymise(hub.keys.forum_key(op, forum.id).key, "account_id", f"x:{ACCOUNT}")
        signal = hub.create(analyst, Signal, {"kind": "account_id", "value": keyed, "forum_id": forum.id})
        asset = hub.create(
            analyst, Asset, {"platform": "x", "kind": "account", "external_id": ACCOUNT, "forum_id": forum.id}
        )
        lead = hub.create(analyst, Lead, {"title": "Tip", "description": f"see account {ACCOUNT}"})
        other = hub.create(
            analyst, Signal, {"kind": "domain", "value": "other.example", "forum_id": forum.id}
        )
    return {"keyed": keyed, "signal": signal.id, "asset": asset.id, "lead": lead.id, "other": other.id}


def _args(command: str, db: str, *extra: str) -> list[str]:
    return [
        "privacy",
        "subject",
        command,
        "--db",
        db,
        "--kind",
        "account_id",
        "--platform",
        "x",
        "--value",
        ACCOUNT,
        "--request-ref",
        REF,
        *extra,
    ]


def test_find_export_and_erase(tmp_path: Path) -> None:
    db = str(tmp_path / "hub.db")
    world = _world(db)
    runner = CliRunner()

    found = runner.invoke(cli, _args("find", db, "--json"))
    assert found.exit_code == 0, found.output
    summary = json.loads(found.output)
    ids = {kind: {r["id"] for r in items} for kind, items in summary["records"].items()}
    assert ids == {"signals": {world["signal"]}, "assets": {world["asset"]}, "leads": {world["lead"]}}
    assert ACCOUNT not in found.output and world["keyed"] not in found.output
    listed = runner.invoke(cli, _args("find", db))
    assert listed.exit_code == 0 and world["signal"] in listed.output and "stix object" in listed.output

    out = tmp_path / "subject.json"
    exported = runner.invoke(cli, _args("export", db, "--out", str(out)))
    assert exported.exit_code == 0, exported.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["request_ref"] == REF and document["subject"]["value"] == ACCOUNT
    assert [a["external_id"] for a in document["records"]["assets"]] == [world["keyed"]]
    assert [k["value"] for k in document["keyed_forms"]] == [world["keyed"]]

    dry = runner.invoke(cli, _args("erase", db))
    assert dry.exit_code == 0, dry.output
    assert f"would erase signals       {world['signal']} (revoked first)" in dry.output
    assert "dry run" in dry.output
    with Hub.open(Settings(db=db)) as hub:
        assert hub.get(hub.operator(), Signal, world["signal"])

    erased = runner.invoke(cli, _args("erase", db, "--yes", "--keep", world["lead"], "--json"))
    assert erased.exit_code == 0, erased.output
    report = json.loads(erased.output)
    assert report["dry_run"] is False and report["kept"] == [world["lead"]]
    assert report["erased"] == {"signals": [world["signal"]], "assets": [world["asset"]]}
    with Hub.open(Settings(db=db)) as hub:
        op = hub.operator()
        for kind, record_id in ((Signal, world["signal"]), (Asset, world["asset"])):
            try:
                hub.get(op, kind, record_id)
                raise AssertionError(f"{record_id} was not erased")
            except NotFound:
                pass
        assert hub.get(op, Lead, world["lead"]) and hub.get(op, Signal, world["other"])
        events = [e for e in hub.audit.events(op, limit=1000) if e.action.startswith("subject.")]
        assert [e.action for e in events] == ["subject.find"] * 2 + ["subject.export"] + ["subject.erase"] * 2
        assert all(e.actor == "operator:cli" and e.detail["request_ref"] == REF for e in events)
        assert ACCOUNT not in json.dumps([e.detail for e in events])


def test_the_value_can_come_from_standard_input(tmp_path: Path) -> None:
    db = str(tmp_path / "hub.db")
    world = _world(db)
    args = _args("find", db, "--json")
    args[args.index(ACCOUNT)] = "-"
    result = CliRunner().invoke(cli, args, input=f"{ACCOUNT}\n")
    assert result.exit_code == 0, result.output
    assert world["signal"] in result.output


def test_rectify_a_record(tmp_path: Path) -> None:
    db = str(tmp_path / "hub.db")
    world = _world(db)
    args = ["privacy", "subject", "rectify", world["lead"], "--db", db, "--request-ref", REF]
    result = CliRunner().invoke(
        cli, [*args, "--set", "description=see the account", "--set-json", 'platforms=["x"]']
    )
    assert result.exit_code == 0, result.output
    with Hub.open(Settings(db=db)) as hub:
        lead = hub.get(hub.operator(), Lead, world["lead"])
        assert lead.description == "see the account" and lead.platforms == ("x",)
        (event,) = [e for e in hub.audit.events(hub.operator(), limit=1000) if e.action == "subject.rectify"]
        assert event.detail == {"request_ref": REF, "fields": ["description", "platforms"]}
    assert CliRunner().invoke(cli, [*args, "--set", "no-equals-sign"]).exit_code == 2
    assert CliRunner().invoke(cli, args).exit_code == 2


def test_errors_are_named_and_nothing_is_audited(tmp_path: Path) -> None:
    db = str(tmp_path / "hub.db")
    _world(db)
    without_platform = [a for a in _args("erase", db, "--yes") if a not in ("--platform", "x")]
    assert main(without_platform) == 2
    assert main(_args("erase", db, "--yes", "--request-ref", "  ")) == 2
    with Hub.open(Settings(db=db)) as hub:
        events = hub.audit.events(hub.operator(), limit=1000)
        assert not [e for e in events if e.action.startswith("subject.")]
        assert hub.list(hub.operator(), Signal).items
