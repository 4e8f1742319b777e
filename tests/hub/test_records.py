"""The hub's record use cases: create, read, list, update, share, delete, all through the access policy."""

from __future__ import annotations

import pytest

from fimihub import (
    Hub,
    NotFound,
    Operation,
    OperationStatus,
    PermissionDenied,
    Signal,
    ValidationError,
)
from tests.conftest import Cast


def new_op(cast: Cast, **fields: object) -> Operation:
    return cast.hub.create(cast.analyst_a, Operation, {"name": "Op", "origin_countries": ["RU"], **fields})


def test_created_record_is_owned_by_the_callers_organisation(cast: Cast) -> None:
    op = new_op(cast)
    assert op.owner_org == cast.org_a
    assert op.created_by == cast.analyst_a.member.id
    assert op.id.startswith("operation--")
    assert op.expires_at is not None  # the hub's default retention applies
    assert cast.hub.get(cast.reader_a, Operation, op.id) == op


def test_others_cannot_see_an_unshared_record(cast: Cast) -> None:
    op = new_op(cast, marking={"tlp": "amber"})
    for outsider in (cast.analyst_b, cast.partner_c, cast.analyst_d):
        with pytest.raises(NotFound):
            cast.hub.get(outsider, Operation, op.id)
        assert op.id not in [o.id for o in cast.hub.list(outsider, Operation).items]


def test_shared_record_reaches_forum_members_only(cast: Cast) -> None:
    op = new_op(cast)
    shared = cast.hub.share(cast.analyst_a, Operation, op.id, cast.forum_id)
    assert shared.forum_id == cast.forum_id
    # Sharing never loosens a marking: the record's AMBER beats the forum's GREEN default.
    assert shared.marking.tlp.value == "amber"
    assert cast.hub.get(cast.analyst_b, Operation, op.id).id == op.id
    with pytest.raises(NotFound):
        cast.hub.get(cast.analyst_d, Operation, op.id)


def test_creating_into_a_forum_takes_its_default_tlp(cast: Cast) -> None:
    op = new_op(cast, forum_id=cast.forum_id)
    assert op.marking.tlp.value == "green"
    with pytest.raises(ValidationError) as exc:
        new_op(cast, forum_id="forum--nope")
    assert exc.value.field == "forum_id"


def test_outsider_cannot_share_into_a_forum_it_is_not_in(cast: Cast) -> None:
    op = cast.hub.create(cast.analyst_d, Operation, {"name": "D's op"})
    with pytest.raises(PermissionDenied):
        cast.hub.share(cast.analyst_d, Operation, op.id, cast.forum_id)


def test_reader_cannot_write(cast: Cast) -> None:
    with pytest.raises(PermissionDenied):
        cast.hub.create(cast.reader_a, Operation, {"name": "nope"})
    op = new_op(cast)
    with pytest.raises(PermissionDenied):
        cast.hub.update(cast.reader_a, Operation, op.id, {"name": "renamed"})


def test_server_fields_cannot_be_forged(cast: Cast) -> None:
    with pytest.raises(ValidationError) as exc:
        cast.hub.create(cast.analyst_a, Operation, {"name": "x", "owner_org": cast.org_b})
    assert exc.value.field == "owner_org"


def test_status_moves_along_its_life(cast: Cast) -> None:
    op = new_op(cast)
    op = cast.hub.update(cast.analyst_a, Operation, op.id, {"status": "disrupted"})
    assert op.status is OperationStatus.DISRUPTED
    with pytest.raises(ValidationError) as exc:
        cast.hub.update(cast.analyst_a, Operation, op.id, {"status": "investigating"})
    assert exc.value.field == "status"


def test_batch_lands_whole_or_not_at_all(cast: Cast) -> None:
    good = {"kind": "domain", "value": "example-news.info"}
    bad = {"kind": "md5", "value": "not-hex"}
    with pytest.raises(ValidationError) as exc:
        cast.hub.create_many(cast.analyst_a, Signal, [good, good, bad])
    assert exc.value.field.startswith("[2].")
    assert cast.hub.list(cast.analyst_a, Signal).items == []
    created = cast.hub.create_many(cast.analyst_a, Signal, [good, {"kind": "hashtag", "value": "#x"}])
    assert len(cast.hub.list(cast.analyst_a, Signal).items) == len(created) == 2


def test_listing_pages_through_everything_visible(cast: Cast) -> None:
    cast.hub.create_many(cast.analyst_a, Signal, [{"kind": "hashtag", "value": f"#t{i}"} for i in range(25)])
    cast.hub.create_many(cast.analyst_d, Signal, [{"kind": "hashtag", "value": f"#d{i}"} for i in range(10)])
    seen: list[str] = []
    after = None
    while True:
        page = cast.hub.list(cast.analyst_a, Signal, limit=7, after=after)
        seen.extend(s.value for s in page.items)
        if page.next_after is None:
            break
        after = page.next_after
    assert sorted(seen) == sorted(f"t{i}" for i in range(25))  # hashtags are stored without "#"
    with pytest.raises(ValidationError):
        cast.hub.list(cast.analyst_a, Signal, limit=0)


def test_filters(cast: Cast) -> None:
    op = new_op(cast)
    cast.hub.create_many(
        cast.analyst_a,
        Signal,
        [
            {"kind": "domain", "value": "a.example", "operation_id": op.id},
            {"kind": "hashtag", "value": "#b"},
        ],
    )
    found = cast.hub.list(cast.analyst_a, Signal, where={"operation_id": op.id}).items
    assert [s.value for s in found] == ["a.example"]
    with pytest.raises(ValidationError):
        cast.hub.list(cast.analyst_a, Signal, where={"colour": "red"})


def test_revoke_and_delete(cast: Cast) -> None:
    (sig,) = cast.hub.create_many(cast.analyst_a, Signal, [{"kind": "domain", "value": "a.example"}])
    assert cast.hub.revoke_signal(cast.analyst_a, sig.id).revoked
    with pytest.raises(NotFound):
        cast.hub.delete(cast.analyst_b, Signal, sig.id)
    cast.hub.delete(cast.analyst_a, Signal, sig.id)
    with pytest.raises(NotFound):
        cast.hub.get(cast.analyst_a, Signal, sig.id)


def test_every_change_is_audited(cast: Cast) -> None:
    hub: Hub = cast.hub
    op = new_op(cast)
    hub.share(cast.analyst_a, Operation, op.id, cast.forum_id)
    events = hub.audit.events(cast.admin_o, limit=1000)
    mine = [(e.action, e.subject_id) for e in events if e.actor == cast.analyst_a.member.id]
    assert ("create", op.id) in mine and ("share", op.id) in mine
    assert hub.audit.verify().ok
    with pytest.raises(PermissionDenied):
        hub.audit.events(cast.analyst_a)
