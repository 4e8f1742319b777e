"""Private matching relayed by the hub: the intersection through a full relay, what the hub holds, who sees a
session, expiry, declining and the limits."""

from __future__ import annotations

import base64
import random
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from fimihub import Hub, policy
from fimihub.errors import Conflict, NotFound, PermissionDenied, RateLimited, ValidationError
from fimihub.hub.psi import PsiRelay
from fimihub.matching import psi
from fimihub.model import PsiSession, Scope
from fimihub.policy import Actor
from tests.conftest import Cast


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _random_sets(seed: int) -> tuple[list[str], list[str], set[str]]:
    rng = random.Random(seed)
    pool = sorted({f"{rng.getrandbits(48):012x}.example" for _ in range(600)})
    rng.shuffle(pool)
    common = pool[:35]
    a = common + pool[35:200]
    b = common + pool[200:480]
    rng.shuffle(a)
    rng.shuffle(b)
    return a, b, set(common)


def _ask(
    hub: Hub, by: Actor, to: str, values: list[str], *, reveal: bool = True, **extra: Any
) -> tuple[Any, Any]:
    asked = psi.client_request(values, reveal_intersection=reveal)
    data = {
        "responder_org": to,
        "kind": "domain",
        "request": _b64(asked.request),
        "reveal_intersection": reveal,
    }
    return hub.psi.open(by, {**data, **extra}), asked


def _answer(hub: Hub, by: Actor, session_id: str, values: list[str]) -> PsiSession:
    session = hub.psi.session(by, session_id)
    answer = psi.server_answer(
        values, base64.b64decode(session.request), reveal_intersection=session.reveal_intersection
    )
    return hub.psi.answer(by, session_id, _b64(answer.setup), _b64(answer.response))


def _result(hub: Hub, by: Actor, session_id: str, asked: psi.ClientRequest) -> psi.Result:
    session = hub.psi.session(by, session_id)
    assert session.setup is not None and session.response is not None
    return psi.client_result(
        asked.key,
        base64.b64decode(session.setup),
        base64.b64decode(session.response),
        reveal_intersection=asked.reveal_intersection,
        items=asked.items,
    )


def _raw_store(cast: Cast, db_url: str) -> bytes:
    """Everything the store holds: the SQLite file and its WAL as bytes, or (PostgreSQL) every session's
    row body and the audit log as text."""
    path = Path(db_url)
    if path.suffix == ".db":
        return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    with cast.hub.store.unit_of_work(read_only=True) as uow:
        rows = [s.model_dump_json() for s in uow.find(PsiSession)]
        rows += [e.model_dump_json() for e in uow.audit_events()]
    return "".join(rows).encode()


@pytest.mark.parametrize("seed", [3, 4])
def test_the_relayed_intersection_is_the_true_one_and_the_hub_holds_no_value(
    cast: Cast, db_url: str, seed: int
) -> None:
    hub = cast.hub
    a, b, common = _random_sets(seed)
    session, asked = _ask(hub, cast.analyst_a, cast.org_b, a, note="checking a network")
    assert session.request_items == len(a) and session.status == "open"
    assert session.marking.tlp == "amber+strict" and session.marking.recipient_orgs == (cast.org_b,)

    listed = hub.psi.sessions(cast.analyst_b, role="responder").items
    assert [s.id for s in listed] == [session.id]
    answered = _answer(hub, cast.analyst_b, session.id, b)
    assert answered.status == "answered" and answered.answered_by == cast.analyst_b.member.id

    result = _result(hub, cast.analyst_a, session.id, asked)
    assert set(result.values(a)) == common
    assert result.size == len(common)

    # Neither the store nor the session as answered holds any value of either side in clear.
    raw = _raw_store(cast, db_url)
    assert session.id.encode() in raw and answered.request[:64].encode() in raw  # the store was read
    seen = hub.psi.session(cast.analyst_a, session.id).model_dump_json().encode()
    for value in set(a) | set(b):
        assert value.encode() not in raw
        assert value.encode() not in seen


def test_cardinality_only_gives_the_size(cast: Cast) -> None:
    hub = cast.hub
    a, b, common = _random_sets(5)
    session, asked = _ask(hub, cast.analyst_a, cast.org_b, a, reveal=False)
    assert not session.reveal_intersection
    _answer(hub, cast.analyst_b, session.id, b)
    result = _result(hub, cast.analyst_a, session.id, asked)
    assert result.size == len(common)
    assert result.indices is None


def test_the_audit_log_records_each_step_without_the_messages(cast: Cast) -> None:
    hub = cast.hub
    session, _ = _ask(hub, cast.analyst_a, cast.org_b, ["a.example", "b.example"])
    answered = _answer(hub, cast.analyst_b, session.id, ["b.example"])
    hub.psi.session(cast.analyst_a, session.id)
    with hub.store.unit_of_work(read_only=True) as uow:
        events = [e for e in uow.audit_events() if e.subject_id == session.id]
    assert [(e.action, e.actor) for e in events] == [
        ("psi.open", cast.analyst_a.member.id),
        ("psi.fetch", cast.analyst_b.member.id),
        ("psi.answer", cast.analyst_b.member.id),
        ("psi.fetch", cast.analyst_a.member.id),
    ]
    assert events[0].detail["request_items"] == 2
    assert [e.detail["role"] for e in events if e.action == "psi.fetch"] == ["responder", "requester"]
    text = "".join(str(e.detail) for e in events)
    assert (
        answered.request not in text
        and str(answered.setup) not in text
        and str(answered.response) not in text
    )


@pytest.mark.parametrize("who", ["analyst_d", "partner_c", "admin_o"])
def test_a_third_organisation_neither_sees_nor_answers(cast: Cast, who: str) -> None:
    hub = cast.hub
    session, _ = _ask(hub, cast.analyst_a, cast.org_b, ["a.example"])
    other: Actor = getattr(cast, who)
    with pytest.raises(NotFound, match="no psi session"):
        hub.psi.session(other, session.id)
    answer = psi.server_answer(["a.example"], base64.b64decode(session.request), reveal_intersection=True)
    with pytest.raises(NotFound, match="no psi session"):
        hub.psi.answer(other, session.id, _b64(answer.setup), _b64(answer.response))
    with pytest.raises(NotFound):
        hub.psi.decline(other, session.id, "no")
    assert hub.psi.sessions(other).items == []
    assert not policy.may_see_psi(other, session)


def test_only_the_responders_analysts_answer(cast: Cast) -> None:
    hub = cast.hub
    session, _ = _ask(hub, cast.analyst_a, cast.org_b, ["a.example"])
    answer = psi.server_answer(["a.example"], base64.b64decode(session.request), reveal_intersection=True)
    with pytest.raises(PermissionDenied):
        hub.psi.answer(cast.analyst_a, session.id, _b64(answer.setup), _b64(answer.response))
    read_only_b = hub.admin.actor(cast.analyst_b.member.id, scopes=[Scope.READ])
    assert hub.psi.session(read_only_b, session.id).id == session.id
    with pytest.raises(PermissionDenied):
        hub.psi.answer(read_only_b, session.id, _b64(answer.setup), _b64(answer.response))
    with pytest.raises(PermissionDenied, match="operator"):
        hub.psi.session(hub.operator(), session.id)
    # A reader of the asking organisation follows the session, but cannot open one.
    assert hub.psi.session(cast.reader_a, session.id).id == session.id
    with pytest.raises(PermissionDenied):
        _ask(hub, cast.reader_a, cast.org_b, ["a.example"])


def test_expired_sessions_are_refused_and_purged(cast: Cast) -> None:
    hub = cast.hub
    session, _ = _ask(hub, cast.analyst_a, cast.org_b, ["a.example"])
    answer = psi.server_answer(["a.example"], base64.b64decode(session.request), reveal_intersection=True)
    now = hub.clock()
    hub.clock = lambda: now + timedelta(days=7, seconds=1)
    with pytest.raises(NotFound, match="expired"):
        hub.psi.session(cast.analyst_b, session.id)
    with pytest.raises(NotFound, match="expired"):
        hub.psi.answer(cast.analyst_b, session.id, _b64(answer.setup), _b64(answer.response))
    with pytest.raises(NotFound, match="expired"):
        hub.psi.session(cast.analyst_a, session.id)
    assert hub.psi.sessions(cast.analyst_a).items == []
    assert hub.privacy.run(hub.operator())["psi_session"] == 1
    with pytest.raises(NotFound, match="no psi session"):
        hub.psi.session(cast.analyst_a, session.id)


def test_the_responder_may_decline(cast: Cast) -> None:
    hub = cast.hub
    session, _ = _ask(hub, cast.analyst_a, cast.org_b, ["a.example"])
    declined = hub.psi.decline(cast.analyst_b, session.id, "  not in our remit ")
    assert declined.status == "declined" and declined.decline_reason == "not in our remit"
    seen = hub.psi.session(cast.analyst_a, session.id)
    assert seen.status == "declined" and seen.setup is None and seen.response is None
    with pytest.raises(Conflict, match="declined"):
        _answer(hub, cast.analyst_b, session.id, ["a.example"])
    assert [s.id for s in hub.psi.sessions(cast.analyst_a, status="declined").items] == [session.id]
    assert hub.psi.sessions(cast.analyst_a, status="open").items == []


def test_what_a_session_must_be(cast: Cast) -> None:
    hub = cast.hub
    asked = psi.client_request(["a.example"])
    good = {"responder_org": cast.org_b, "kind": "domain", "request": _b64(asked.request)}
    with pytest.raises(PermissionDenied):
        hub.psi.open(cast.analyst_a, {**good, "responder_org": cast.org_a})
    with pytest.raises(NotFound, match="no organisation"):
        hub.psi.open(cast.analyst_a, {**good, "responder_org": "organisation--nobody"})
    with pytest.raises(ValidationError, match="mode"):
        hub.psi.open(cast.analyst_a, {**good, "reveal_intersection": False})
    with pytest.raises(ValidationError, match="base64"):
        hub.psi.open(cast.analyst_a, {**good, "request": "not base64!"})
    with pytest.raises(ValidationError, match="must be one of"):
        hub.psi.open(cast.analyst_a, {**good, "kind": "pdq"})
    with pytest.raises(ValidationError, match="unknown field"):
        hub.psi.open(cast.analyst_a, {**good, "owner_org": cast.org_c})
    with pytest.raises(ValidationError, match="personal kinds"):
        hub.psi.open(cast.analyst_a, {**good, "key_forum_id": cast.forum_id})
    with pytest.raises(PermissionDenied, match="operator"):
        hub.psi.open(hub.operator(), good)
    session = hub.psi.open(cast.analyst_a, good)
    other = psi.client_request(["a.example", "b.example"])
    wrong = psi.server_answer(["a.example"], other.request, reveal_intersection=True)
    with pytest.raises(ValidationError, match="answers 2 values, the request holds 1"):
        hub.psi.answer(cast.analyst_b, session.id, _b64(wrong.setup), _b64(wrong.response))


def test_personal_identifiers_meet_through_the_forums_key(cast: Cast) -> None:
    hub = cast.hub
    key = hub.keys.forum_key(cast.analyst_a, cast.forum_id)

    def keyed(value: str) -> str:
        return policy.pseudonymise(key.key, "account_id", value)

    mine = psi.prepare("account_id", ["x:1001", "X:1002", "facebook:7"], pseudonymise=keyed)
    asked = psi.client_request(mine.items)
    data = {"responder_org": cast.org_b, "kind": "account_id", "request": _b64(asked.request)}
    with pytest.raises(ValidationError, match="name a forum"):
        hub.psi.open(cast.analyst_a, data)
    with pytest.raises(ValidationError, match="not a member"):
        hub.psi.open(cast.analyst_a, {**data, "responder_org": cast.org_d, "key_forum_id": cast.forum_id})
    session = hub.psi.open(cast.analyst_a, {**data, "key_forum_id": cast.forum_id})
    assert session.key_id == key.id
    # B holds the forum's keyed hashes only (as its signals carry them).
    theirs = [keyed("x:1002"), keyed("x:5555")]
    _answer(hub, cast.analyst_b, session.id, theirs)
    assert _result(hub, cast.analyst_a, session.id, asked).values(mine.originals) == ["X:1002"]
    # D is in no forum: it has no key to name.
    with pytest.raises(NotFound, match="no forum"):
        hub.psi.open(cast.analyst_d, {**data, "key_forum_id": cast.forum_id})


def test_waiting_sessions_per_pair_are_limited(cast: Cast) -> None:
    relay = PsiRelay(cast.hub.core, max_open_per_pair=2)
    asked = psi.client_request(["a.example"])
    data = {"responder_org": cast.org_b, "kind": "domain", "request": _b64(asked.request)}
    first = relay.open(cast.analyst_a, data)
    relay.open(cast.analyst_a, data)
    with pytest.raises(RateLimited) as caught:
        relay.open(cast.analyst_a, data)
    assert caught.value.retry_after > 6 * 86400
    relay.decline(cast.analyst_b, first.id)
    relay.open(cast.analyst_a, data)  # a declined session no longer waits
    relay.open(cast.analyst_b, {**data, "responder_org": cast.org_a})  # the other way round is another pair
