"""Changing a forum's policy: `fimihub forum set`, PATCH /api/v1/forums/{id}, who may, the audit, the DPIA."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from fimihub import Hub, PermissionDenied, Scope, Settings, ValidationError
from fimihub.app import create_app
from fimihub.cli import cli


def _hub(tmp_path: Path) -> tuple[str, Hub]:
    db = str(tmp_path / "hub.db")
    return db, Hub.open(Settings(db=db))


def test_forum_set_changes_only_what_is_given_and_the_dpia_follows(tmp_path: Path) -> None:
    db, hub = _hub(tmp_path)
    with hub:
        op = hub.operator()
        a = hub.admin.create_organisation(op, name="Platform A", kind="platform", country="IE")
        gov = hub.admin.create_organisation(op, name="Agency G", kind="public-authority", country="FR")
        forum = hub.admin.create_forum(op, name="Elections", member_orgs=[a.id, gov.id], retention_days=180)
    dpia = tmp_path / "dpia.md"
    assert CliRunner().invoke(cli, ["privacy", "dpia", "--db", db, "--out", str(dpia)]).exit_code == 0
    assert "members of public authorities (Agency G) read only TLP:CLEAR" in dpia.read_text(encoding="utf-8")

    runner = CliRunner()
    result = runner.invoke(
        cli,
        ["forum", "set", forum.id, "--db", db, "--public-authority-access", "--lawful-basis", "Art. 6(1)(e)"],
    )
    assert result.exit_code == 0, result.output
    assert "lawful_basis" in result.output and "public_authority_access" in result.output
    with Hub.open(Settings(db=db)) as hub:
        changed = hub.admin.forum(hub.operator(), forum.id)
        assert changed.public_authority_access and changed.lawful_basis == "Art. 6(1)(e)"
        assert changed.retention_days == 180 and changed.name == "Elections"  # untouched
        event = hub.audit.events(hub.operator(), limit=1000)[-1]
        assert (event.action, event.subject_id) == ("update", forum.id)
        assert event.detail["public_authority_access"] == {"before": False, "after": True}
        assert set(event.detail) == {"public_authority_access", "lawful_basis"}
    assert CliRunner().invoke(cli, ["privacy", "dpia", "--db", db, "--out", str(dpia)]).exit_code == 0
    assert "**members of public authorities (Agency G) read what the others share here**" in dpia.read_text(
        encoding="utf-8"
    )
    # Turned off again with --no-…; nothing given is a usage error.
    assert (
        runner.invoke(cli, ["forum", "set", forum.id, "--db", db, "--no-public-authority-access"]).exit_code
        == 0
    )
    with Hub.open(Settings(db=db)) as hub:
        assert not hub.admin.forum(hub.operator(), forum.id).public_authority_access
    assert runner.invoke(cli, ["forum", "set", forum.id, "--db", db]).exit_code == 2


def test_only_forum_admins_change_a_forum_and_only_its_policy(tmp_path: Path) -> None:
    _, hub = _hub(tmp_path)
    with hub:
        op = hub.operator()
        a = hub.admin.create_organisation(op, name="Platform A", kind="platform")
        b = hub.admin.create_organisation(op, name="Platform B", kind="platform")
        admin_a = hub.admin.create_member(op, org_id=a.id, name="Ada", roles=["admin", "analyst"])
        admin_b = hub.admin.create_member(op, org_id=b.id, name="Bob", roles=["admin", "analyst"])
        forum = hub.admin.create_forum(op, name="F", member_orgs=[a.id, b.id], admins=[admin_a.id])
        # A member organisation's admin who is not the forum's admin may not; nor may a read-only token.
        with pytest.raises(PermissionDenied):
            hub.admin.update_forum(hub.admin.actor(admin_b.id), forum.id, {"clear_account_ids": True})
        narrowed = hub.admin.actor(admin_a.id, scopes=[Scope.READ])
        with pytest.raises(PermissionDenied):
            hub.admin.update_forum(narrowed, forum.id, {"clear_account_ids": True})
        # Membership and keys are not policy fields; a bad value names the field.
        with pytest.raises(ValidationError, match="member_orgs"):
            hub.admin.update_forum(op, forum.id, {"member_orgs": [a.id]})
        with pytest.raises(ValidationError, match="pseudonymisation_key_id"):
            hub.admin.update_forum(op, forum.id, {"pseudonymisation_key_id": "pk-0000000000000000"})
        with pytest.raises(ValidationError, match="retention_days"):
            hub.admin.update_forum(op, forum.id, {"retention_days": 0})
        assert not hub.admin.forum(op, forum.id).clear_account_ids

        token_a = hub.admin.issue_token(op, admin_a.id).secret
        token_b = hub.admin.issue_token(op, admin_b.id).secret
        with TestClient(create_app(hub=hub)) as client:
            refused = client.patch(
                f"/api/v1/forums/{forum.id}",
                json={"default_tlp": "clear"},
                headers={"Authorization": f"Bearer {token_b}"},
            )
            assert refused.status_code == 403
            bad = client.patch(
                f"/api/v1/forums/{forum.id}",
                json={"admins": []},
                headers={"Authorization": f"Bearer {token_a}"},
            )
            assert bad.status_code == 400 and "admins" in bad.text
            done = client.patch(
                f"/api/v1/forums/{forum.id}",
                json={"retention_days": 90, "rules": "No enforcement without review"},
                headers={"Authorization": f"Bearer {token_a}"},
            )
            assert done.status_code == 200, done.text
            assert done.json()["retention_days"] == 90
        assert hub.admin.forum(op, forum.id).rules == "No enforcement without review"
