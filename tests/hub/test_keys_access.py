"""A forum's key, and hashing with it, need the same thing: a caller in the forum with the ``read`` scope."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from fimihub import Hub, NotFound, PermissionDenied
from fimihub.app import create_app
from fimihub.model import Scope
from fimihub.policy import Actor
from tests.conftest import Cast
from tests.http.conftest import bearer

Use = Callable[[Hub, Actor, str], object]

USES: dict[str, Use] = {
    "forum_key": lambda hub, actor, forum_id: hub.keys.forum_key(actor, forum_id),
    "pseudonymise": lambda hub, actor, forum_id: hub.keys.pseudonymise(
        actor, forum_id, "email", ["a@b.example"]
    ),
}


@pytest.mark.parametrize("use", USES.values(), ids=USES.keys())
def test_a_token_without_read_is_refused(cast: Cast, use: Use) -> None:
    hub = cast.hub
    without_read = hub.admin.actor(cast.analyst_a.member.id, scopes=[Scope.WRITE, Scope.SHARE])
    with pytest.raises(PermissionDenied, match="read scope"):
        use(hub, without_read, cast.forum_id)
    use(hub, hub.admin.actor(cast.analyst_a.member.id, scopes=[Scope.READ]), cast.forum_id)


@pytest.mark.parametrize("use", USES.values(), ids=USES.keys())
def test_callers_outside_the_forum_get_nothing(cast: Cast, use: Use) -> None:
    hub = cast.hub
    a = cast.analyst_a
    outsiders = {
        "another organisation": cast.analyst_d,
        "a suspended member": dataclasses.replace(a, member=a.member.model_copy(update={"active": False})),
        "an actor whose forums leave it out": dataclasses.replace(a, forums=frozenset()),
    }
    for actor in outsiders.values():
        with pytest.raises(NotFound):
            use(hub, actor, cast.forum_id)
    with pytest.raises(NotFound):
        use(hub, a, "forum--nope")
    # An actor built before its organisation left the forum: the forum's own membership decides too.
    hub.admin.set_forum_membership(hub.operator(), cast.forum_id, cast.org_a, member=False)
    with pytest.raises(NotFound):
        use(hub, a, cast.forum_id)


def test_pseudonymise_over_the_api_needs_read(cast: Cast) -> None:
    url = f"/api/v1/forums/{cast.forum_id}/pseudonymise"
    body = {"kind": "email", "values": ["someone@example.org"]}
    member = cast.analyst_a.member.id
    with TestClient(create_app(hub=cast.hub), raise_server_exceptions=False) as client:
        refused = client.post(url, json=body, headers=bearer(cast, member, scopes=["write"]))
        assert refused.status_code == 403, refused.text
        key = client.get(
            f"/api/v1/forums/{cast.forum_id}/key", headers=bearer(cast, member, scopes=["write"])
        )
        assert key.status_code == 403
        answered = client.post(url, json=body, headers=bearer(cast, member, scopes=["read"]))
        assert answered.status_code == 200 and len(answered.json()["values"][0]) == 64
