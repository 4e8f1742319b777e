"""Audit anchors: an edit with every later hash recomputed passes plain verification, never an anchor."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)
from fastapi.testclient import TestClient

from fimihub import Hub, IntegrityError, Operation, ValidationError
from fimihub.app import create_app
from fimihub.cli import main
from fimihub.exchange.stix import signing
from fimihub.hub.anchors import (
    check_anchor,
    new_key_files,
    read_anchor,
    read_private_key,
    read_public_key,
    sign_anchor,
    write_anchor,
)
from fimihub.model import chain_hash
from fimihub.model.audit import AuditAnchor
from fimihub.settings import database_url
from tests.conftest import Cast
from tests.http.conftest import bearer

PRIVATE = bytes(range(32))
PUBLIC = signing.public_key_of(PRIVATE)


def make_history(hub: Hub, analyst: object, n: int = 5) -> None:
    for i in range(n):
        hub.create(analyst, Operation, {"name": f"Op {i}"})  # type: ignore[arg-type]


def rewrite(hub: Hub, db_url: str, seq: int, actor: str = "someone-else") -> None:
    """Edit event ``seq`` as an operator with write access would: change it, then recompute the hash of it
    and of every later event, and move the head, so that the chain is consistent again."""
    events = hub.audit.events(hub.operator(), limit=100_000)
    engine = sa.create_engine(database_url(db_url))
    try:
        with engine.begin() as conn:
            prev = events[seq - 2].hash if seq > 1 else "0" * 64
            for event in events[seq - 1 :]:
                edited = event.model_copy(update={"prev_hash": prev})
                if event.seq == seq:
                    edited = edited.model_copy(update={"actor": actor})
                new_hash = chain_hash(
                    edited.prev_hash,
                    edited.seq,
                    edited.at,
                    edited.actor,
                    edited.action,
                    edited.subject_type,
                    edited.subject_id,
                    edited.detail,
                )
                conn.execute(
                    sa.text("UPDATE audit_events SET actor = :a, prev_hash = :p, hash = :h WHERE seq = :s"),
                    {"a": edited.actor, "p": edited.prev_hash, "h": new_hash, "s": event.seq},
                )
                prev = new_hash
            conn.execute(sa.text("UPDATE audit_head SET hash = :h WHERE id = 1"), {"h": prev})
    finally:
        engine.dispose()


def test_untouched_chain_holds_its_anchor(cast: Cast) -> None:
    hub = cast.hub
    make_history(hub, cast.analyst_a)
    anchor = hub.audit.anchor(PRIVATE)
    assert anchor.seq == hub.audit.verify().head_seq and anchor.key_id == signing.key_id(PUBLIC)
    make_history(hub, cast.analyst_a, 2)  # the chain grows past the anchor: still fine
    report = hub.audit.verify([anchor], PUBLIC)
    assert report.ok and report.anchors == 1


def test_rehashed_edit_passes_plain_verify_but_not_the_anchor(cast: Cast, db_url: str) -> None:
    hub = cast.hub
    make_history(hub, cast.analyst_a)
    anchor = hub.audit.anchor(PRIVATE)
    make_history(hub, cast.analyst_a, 2)
    rewrite(hub, db_url, 3)
    assert hub.audit.events(hub.operator(), limit=1000)[2].actor == "someone-else"
    # The weakness anchors close: an edit with every later hash recomputed is a consistent chain.
    assert hub.audit.verify().ok
    report = hub.audit.verify([anchor], PUBLIC)
    assert not report.ok
    assert report.problems == [
        f"event {anchor.seq}: its hash is not the one anchored at {anchor.at:%Y-%m-%dT%H:%M:%SZ} "
        f"(the chain up to event {anchor.seq} was rewritten)"
    ]


def test_an_anchor_pins_only_the_events_up_to_it(cast: Cast, db_url: str) -> None:
    hub = cast.hub
    make_history(hub, cast.analyst_a)
    early = hub.audit.anchor(PRIVATE)
    make_history(hub, cast.analyst_a, 3)
    late = hub.audit.anchor(PRIVATE)
    rewrite(hub, db_url, early.seq + 1)
    assert hub.audit.verify([early], PUBLIC).ok  # after the anchor: a later anchor is needed
    problems = hub.audit.verify([early, late], PUBLIC).problems
    assert len(problems) == 1 and problems[0].startswith(f"event {late.seq}:")


def test_a_chain_cut_before_the_anchor_is_found(cast: Cast, db_url: str) -> None:
    hub = cast.hub
    make_history(hub, cast.analyst_a)
    anchor = hub.audit.anchor(PRIVATE)
    engine = sa.create_engine(database_url(db_url))
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM audit_events WHERE seq >= :s"), {"s": anchor.seq - 1})
        last = conn.execute(sa.text("SELECT seq, hash FROM audit_events ORDER BY seq DESC")).first()
        assert last is not None
        conn.execute(
            sa.text("UPDATE audit_head SET seq = :s, hash = :h WHERE id = 1"), dict(s=last[0], h=last[1])
        )
    engine.dispose()
    assert hub.audit.verify().ok
    problems = hub.audit.verify([anchor], PUBLIC).problems
    assert len(problems) == 1 and f"event {anchor.seq}: anchored" in problems[0] and "removed" in problems[0]


def test_forged_and_altered_anchors_are_refused(cast: Cast) -> None:
    hub = cast.hub
    make_history(hub, cast.analyst_a)
    anchor = hub.audit.anchor(PRIVATE)
    other = bytes(range(1, 33))
    forged = hub.audit.anchor(other)
    with pytest.raises(IntegrityError, match="names key"):
        hub.audit.verify([forged], PUBLIC)
    # The forger names the right key id but cannot sign for it.
    claimed = forged.model_copy(update={"key_id": anchor.key_id})
    with pytest.raises(IntegrityError, match="not signed by the given key"):
        hub.audit.verify([claimed], PUBLIC)
    for change in ({"seq": anchor.seq - 1}, {"hash": "0" * 64}, {"at": anchor.at.replace(year=2000)}):
        with pytest.raises(IntegrityError, match="not signed by the given key"):
            check_anchor(anchor.model_copy(update=change), PUBLIC)
    with pytest.raises(IntegrityError):
        check_anchor(anchor.model_copy(update={"sig": anchor.sig[:-4]}), PUBLIC)
    with pytest.raises(ValidationError) as caught:
        hub.audit.verify([anchor])
    assert caught.value.field == "public_key"


def test_a_broken_chain_is_not_anchored(cast: Cast, db_url: str) -> None:
    hub = cast.hub
    make_history(hub, cast.analyst_a)
    engine = sa.create_engine(database_url(db_url))
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE audit_events SET actor = 'x' WHERE seq = 2"))
    engine.dispose()
    with pytest.raises(IntegrityError, match="not anchoring"):
        hub.audit.anchor(PRIVATE)


def test_anchor_files_round_trip_and_pem_keys_are_read(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    anchor = sign_anchor(7, "ab" * 32, datetime(2025, 1, 2, 3, 4, 5, 678, tzinfo=UTC), PRIVATE)
    path = write_anchor(anchor, tmp_path / "a" / "anchor.json")
    assert read_anchor(path) == anchor
    check_anchor(read_anchor(path), PUBLIC)
    assert anchor.to_json()["at"] == "2025-01-02T03:04:05.000678+00:00"

    key_id = new_key_files(tmp_path / "k", tmp_path / "k.pub")
    assert (tmp_path / "k").stat().st_mode & 0o077 == 0
    assert key_id == signing.key_id(read_public_key(tmp_path / "k.pub"))
    assert signing.public_key_of(read_private_key(tmp_path / "k")) == read_public_key(tmp_path / "k.pub")
    with pytest.raises(ValidationError):
        new_key_files(tmp_path / "k", tmp_path / "k2.pub")

    pem = Ed25519PrivateKey.from_private_bytes(PRIVATE)
    (tmp_path / "k.pem").write_bytes(pem.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    (tmp_path / "pub.pem").write_bytes(
        pem.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    )
    assert read_private_key(tmp_path / "k.pem") == PRIVATE
    assert read_public_key(tmp_path / "pub.pem") == PUBLIC

    (tmp_path / "bad.json").write_text('{"format": "other"}', encoding="utf-8")
    for bad in (tmp_path / "bad.json", tmp_path / "k.pub"):
        with pytest.raises(ValidationError):
            read_anchor(bad)
    with pytest.raises(ValidationError):
        read_public_key(path)


def test_the_api_serves_the_head_signed_by_the_hub(cast: Cast, db_url: str, tmp_path: Path) -> None:
    hub = cast.hub
    make_history(hub, cast.analyst_a)
    with TestClient(create_app(hub=hub), raise_server_exceptions=False) as client:
        assert client.get("/api/v1/audit/head").status_code == 401
        refused = client.get("/api/v1/audit/head", headers=bearer(cast, cast.analyst_a.member.id))
        assert refused.status_code == 403
        answer = client.get("/api/v1/audit/head", headers=bearer(cast, cast.admin_o.member.id))
    assert answer.status_code == 200, answer.text
    head = AuditAnchor.model_validate(answer.json())
    hub_public = signing.decode_key(hub.signer.hub_key().public_key)
    report = hub.audit.verify([head], hub_public)
    assert report.ok and head.seq <= report.head_seq
    rewrite(hub, db_url, 2)
    assert not hub.audit.verify([head], hub_public).ok


def test_cli_keygen_anchor_and_verify(
    cast: Cast, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hub = cast.hub
    make_history(hub, cast.analyst_a)
    key, public, anchor = tmp_path / "anchor.key", tmp_path / "anchor.pub", tmp_path / "anchor.json"
    assert main(["audit", "keygen", "--key-file", str(key), "--public-key", str(public)]) == 0
    assert capsys.readouterr().out.startswith("ed25519:")
    assert main(["audit", "anchor", "--db", db_url, "--key-file", str(key), "--out", str(anchor)]) == 0
    assert "anchored event" in capsys.readouterr().out
    verify = ["audit", "verify", "--db", db_url, "--anchor", str(anchor), "--public-key", str(public)]
    assert main(verify) == 0
    assert "1 anchors held" in capsys.readouterr().out
    assert main(["audit", "verify", "--db", db_url, "--anchor", str(anchor)]) == 2  # no key to check it with

    seq = read_anchor(anchor).seq
    rewrite(hub, db_url, 2)
    assert main(["audit", "verify", "--db", db_url]) == 0  # the weakness, documented
    capsys.readouterr()
    assert main(verify) == 4
    assert f"event {seq}: its hash is not the one anchored" in capsys.readouterr().err

    other_key, other_public = tmp_path / "other.key", tmp_path / "other.pub"
    assert main(["audit", "keygen", "--key-file", str(other_key), "--public-key", str(other_public)]) == 0
    capsys.readouterr()
    assert main([*verify[:-1], str(other_public)]) == 4  # an anchor the given key did not sign
    assert "refused" in capsys.readouterr().err
