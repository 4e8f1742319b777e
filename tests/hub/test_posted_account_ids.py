"""A user-account posted over TAXII carries its account id keyed, unless the forum allows clear ids."""

from __future__ import annotations

import uuid

from tests.conftest import Cast


def _account(user_id: str) -> dict[str, object]:
    return {
        "type": "user-account",
        "spec_version": "2.1",
        "id": f"user-account--{uuid.uuid4()}",
        "user_id": user_id,
        "account_login": "true_voice_1987",
    }


def test_a_clear_account_id_is_refused_and_a_keyed_one_stored(cast: Cast) -> None:
    hub = cast.hub
    collection = cast.forum_id.removeprefix("forum--")
    (keyed,) = hub.keys.pseudonymise(cast.analyst_a, cast.forum_id, "account_id", ["x:100042"])
    status = hub.taxii.add(cast.analyst_a, collection, [_account("100042"), _account(keyed)])
    (failure,) = status.failures
    assert "keyed" in (failure.message or "") and "user_id" in (failure.message or "")
    assert len(status.successes) == 1
    stored = [e.body for e in hub.taxii.objects(cast.analyst_b, collection).entries]
    assert [o["user_id"] for o in stored if o["type"] == "user-account"] == [keyed]
    with hub.store.unit_of_work(read_only=True) as uow:
        assert uow.stix.versions_of(cast.forum_id, [failure.id]) == [], "the refused object was stored"


def test_a_forum_that_allows_clear_account_ids_stores_them(cast: Cast) -> None:
    hub, op = cast.hub, cast.hub.operator("test")
    forum = hub.admin.create_forum(
        op,
        name="Clear ids",
        member_orgs=[cast.org_a, cast.org_b],
        clear_account_ids=True,
        default_tlp="green",
    )
    analyst = hub.admin.actor(cast.analyst_a.member.id)
    status = hub.taxii.add(analyst, forum.id.removeprefix("forum--"), [_account("100042")])
    assert status.failures == () and len(status.successes) == 1
