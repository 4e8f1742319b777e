"""A forum's list of the signal kinds it takes: what is not on it never enters the forum, by any door."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from fimihub import Hub, Signal, ValidationError
from fimihub.app import create_app
from tests.conftest import Cast


def _minimal(cast: Cast) -> None:
    cast.hub.admin.update_forum(cast.hub.operator(), cast.forum_id, {"signal_kinds": ["domain", "url"]})


def test_a_kind_the_forum_does_not_take_is_refused_naming_its_policy(cast: Cast) -> None:
    _minimal(cast)
    hub = cast.hub
    hub.create(
        cast.analyst_a, Signal, {"kind": "domain", "value": "taken.example", "forum_id": cast.forum_id}
    )
    with pytest.raises(ValidationError, match=r"takes no handle signals: .*\(domain, url\)") as refused:
        hub.create(
            cast.analyst_a,
            Signal,
            {"kind": "handle", "value": "x:someone", "forum_id": cast.forum_id},
        )
    assert refused.value.field == "kind"
    # Nothing of the refused write was kept.
    assert [s.kind for s in hub.list(cast.analyst_b, Signal).items] == ["domain"]


def test_a_private_signal_is_not_shared_into_a_forum_that_does_not_take_its_kind(cast: Cast) -> None:
    _minimal(cast)
    private = cast.hub.create(cast.analyst_a, Signal, {"kind": "hashtag", "value": "#quiet"})
    with pytest.raises(ValidationError, match="takes no hashtag signals"):
        cast.hub.share(cast.analyst_a, Signal, private.id, cast.forum_id)
    assert cast.hub.list(cast.analyst_b, Signal).items == []


def test_tightening_the_list_keeps_what_was_shared_and_lets_it_be_revoked(cast: Cast) -> None:
    hub = cast.hub
    handle = hub.create(
        cast.analyst_a,
        Signal,
        {"kind": "handle", "value": "x:before", "forum_id": cast.forum_id},
    )
    _minimal(cast)
    assert [s.id for s in hub.list(cast.analyst_b, Signal).items] == [handle.id]
    revoked = hub.revoke_signal(cast.analyst_a, handle.id)
    assert revoked.revoked


def test_the_rest_api_answers_400_naming_the_policy(cast: Cast) -> None:
    _minimal(cast)
    hub: Hub = cast.hub
    token = hub.admin.issue_token(hub.operator(), cast.analyst_a.member.id).secret
    with TestClient(create_app(hub=hub)) as client:
        answer = client.post(
            "/api/v1/signals",
            json={"kind": "phrase", "value": "bio labs", "forum_id": cast.forum_id},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert answer.status_code == 400
    assert "takes no phrase signals" in answer.text


def test_a_taxii_post_of_a_kind_the_forum_does_not_take_makes_no_signal_and_says_why(cast: Cast) -> None:
    from fimihub.hub.taxii import collection_id_of
    from tests.http.taxii.stix import indicator

    _minimal(cast)
    hub = cast.hub
    hub.admin.update_forum(hub.operator(), cast.forum_id, {"signal_kinds": ["url"]})
    status = hub.taxii.add(cast.analyst_a, collection_id_of(cast.forum_id), [indicator()])
    assert not status.failures
    [outcome] = status.successes
    assert "takes no domain signals" in (outcome.message or "")
    assert hub.list(cast.analyst_b, Signal).items == []
