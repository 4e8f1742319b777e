"""`fimihub privacy dpia`: the facts of a DPIA, drawn from the forums in the store."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from fimihub import Hub, Settings, Signal
from fimihub.cli import cli
from fimihub.errors import PermissionDenied


def _hub(tmp_path: Path) -> tuple[str, Hub]:
    db = str(tmp_path / "hub.db")
    return db, Hub.open(Settings(db=db))


def test_the_dpia_states_each_forums_purpose_basis_holdings_and_transfers(tmp_path: Path) -> None:
    db, hub = _hub(tmp_path)
    with hub:
        op = hub.operator()
        a = hub.admin.create_organisation(op, name="Platform A", kind="platform", country="IE")
        us = hub.admin.create_organisation(op, name="Lab US", kind="researcher", country="US")
        nowhere = hub.admin.create_organisation(op, name="Collective", kind="civil-society")
        forum = hub.admin.create_forum(
            op,
            name="Elections",
            member_orgs=[a.id, us.id, nowhere.id],
            default_tlp="green",
            retention_days=180,
            purpose="Finding covert influence networks targeting EU elections",
            lawful_basis="Legitimate interests (GDPR Art. 6(1)(f))",
        )
        hub.admin.create_forum(op, name="Quiet", member_orgs=[a.id])
        analyst = hub.admin.actor(hub.admin.create_member(op, org_id=a.id, name="Ana", roles=["analyst"]).id)
        hub.create(analyst, Signal, {"kind": "domain", "value": "dpia.example", "forum_id": forum.id})
        hub.create(analyst, Signal, {"kind": "account_id", "value": "a" * 64, "forum_id": forum.id})
        reader = hub.admin.actor(hub.admin.create_member(op, org_id=a.id, name="Rita", roles=["reader"]).id)
        try:
            hub.privacy.dpia(reader)
            raise AssertionError("a reader drew the DPIA facts")
        except PermissionDenied:
            pass
    out = tmp_path / "dpia.md"
    result = CliRunner().invoke(cli, ["privacy", "dpia", "--db", db, "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    elections = text[text.index("## Forum: Elections") : text.index("## Forum: Quiet")]
    assert "Finding covert influence networks targeting EU elections" in elections
    assert "Legitimate interests (GDPR Art. 6(1)(f))" in elections
    assert "180 days" in elections and "TLP:GREEN" in elections
    assert "| account_id | 1 | keyed hash (personal identifier) |" in elections
    assert "| domain | 1 | value |" in elections
    assert "To: Lab US (US)" in elections and "Country not recorded for: Collective" in elections
    quiet = text[text.index("## Forum: Quiet") :]
    assert quiet.count("**not stated**") == 2 and "nothing shared yet" in quiet
    assert "None: every recipient with a recorded country is in the EU/EEA." in quiet
