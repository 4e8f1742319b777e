"""The TAXII 2.1 server over HTTP, in-process: resources, status codes, headers, paging, markings, tombstones.

Every test runs on SQLite, and on PostgreSQL when ``FIMIHUB_TEST_DATABASE_URL`` is set (``db_url``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import stix2
from fastapi.testclient import TestClient

from fimihub import Hub, Settings, ValidationError
from fimihub.app import create_app
from fimihub.exchange.stix.tombstones import is_deleted, marked_deleted
from fimihub.hub.taxii import TLP_MARKING_DEFINITIONS, StixFilters, timestamp_us
from fimihub.model import TLP, Marking
from fimihub.policy import Actor
from tests.conftest import Cast
from tests.http.taxii.conftest import ROOT, basic, post
from tests.http.taxii.stix import TAXII, TLP2, domain, indicator

Auth = Callable[[Actor], dict[str, str]]


def _error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == TAXII
    body: dict[str, Any] = response.json()
    assert body["http_status"] == str(status) and body["title"] and body["description"]
    return body


def _ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return [o["id"] for o in response.json().get("objects", [])]


# -- server information, authentication and negotiation ------------------------------------------------------


def test_discovery_and_api_root(client: TestClient, cast: Cast, auth: Auth) -> None:
    headers = auth(cast.analyst_a)
    found = client.get("/taxii2/", headers=headers)
    assert found.status_code == 200 and found.headers["content-type"] == TAXII
    discovery = found.json()
    assert discovery["api_roots"] == ["http://testserver/taxii2/exchange/"] == [discovery["default"]]
    root = client.get(ROOT, headers=headers).json()
    assert root["versions"] == [TAXII]
    assert root["max_content_length"] == cast.hub.settings.max_content_length


def test_credentials_basic_bearer_and_token(client: TestClient, cast: Cast) -> None:
    secret = cast.hub.admin.issue_token(cast.hub.operator(), cast.analyst_a.member.id).secret
    for header in (basic(secret, "anyone"), basic(secret, ""), f"Bearer {secret}", f"Token {secret}"):
        assert client.get(ROOT, headers={"Authorization": header, "Accept": TAXII}).status_code == 200
    refused: list[dict[str, str]] = [{}, {"Authorization": basic("wrong")}, {"Authorization": "Digest x"}]
    for given in refused:
        body = _error(client.get(ROOT, headers={**given, "Accept": TAXII}), 401)
        assert body["error_code"] == "unauthenticated"
    missing = client.get(ROOT, headers={"Accept": TAXII})
    assert "Basic" in missing.headers["www-authenticate"]


def test_accept_negotiation(client: TestClient, cast: Cast, auth: Auth) -> None:
    headers = auth(cast.analyst_a)
    for accept in (TAXII, "application/taxii+json", "*/*", "application/json;q=0.5, */*;q=0.1"):
        assert client.get(ROOT, headers={**headers, "Accept": accept}).status_code == 200, accept
    refused = [
        "application/json",
        "application/taxii+json;version=2.0",
        "application/stix+json",
        f"{TAXII};q=0",
    ]
    for accept in refused:
        assert (
            _error(client.get(ROOT, headers={**headers, "Accept": accept}), 406)["error_code"]
            == "not_acceptable"
        )


def test_unknown_paths_and_methods_are_taxii_errors(client: TestClient, cast: Cast, auth: Auth) -> None:
    headers = auth(cast.analyst_a)
    assert _error(client.get("/taxii2/elsewhere/", headers=headers), 404)["error_code"] == "not_found"
    assert "GET" in client.put(f"{ROOT}collections/", headers=headers).headers["allow"]
    _error(client.put(f"{ROOT}collections/", headers=headers), 405)


# -- collections ---------------------------------------------------------------------------------------------


def test_collections_are_the_forums_of_the_callers_organisation(
    client: TestClient, cast: Cast, auth: Auth, coll: str
) -> None:
    listed = client.get(f"{ROOT}collections/", headers=auth(cast.analyst_a)).json()["collections"]
    assert [(c["id"], c["can_read"], c["can_write"]) for c in listed] == [
        (cast.forum_id.removeprefix("forum--"), True, True)
    ]
    assert listed[0]["media_types"] == ["application/stix+json;version=2.1"]
    reader = client.get(coll, headers=auth(cast.reader_a)).json()
    assert (reader["can_read"], reader["can_write"]) == (True, False)
    partner = client.get(coll, headers=auth(cast.partner_c)).json()
    assert (partner["can_read"], partner["can_write"]) == (True, False)
    # D belongs to no forum: it sees no collection, and the forum's does not exist for it.
    assert client.get(f"{ROOT}collections/", headers=auth(cast.analyst_d)).json() == {}
    _error(client.get(coll, headers=auth(cast.analyst_d)), 404)
    _error(client.get(coll + "objects/", headers=auth(cast.analyst_d)), 404)
    _error(client.get(f"{ROOT}collections/not-a-uuid/", headers=auth(cast.analyst_a)), 404)


def test_a_reader_may_not_post(client: TestClient, cast: Cast, auth: Auth, coll: str) -> None:
    response = client.post(
        coll + "objects/",
        headers={**auth(cast.reader_a), "Content-Type": TAXII},
        content=json.dumps({"objects": [indicator()]}),
    )
    assert _error(response, 403)["error_code"] == "forbidden"


# -- posting -------------------------------------------------------------------------------------------------


def test_post_stores_valid_objects_and_reports_invalid_ones(
    client: TestClient, cast: Cast, auth: Auth, coll: str
) -> None:
    headers = auth(cast.analyst_a)
    good = [indicator(), domain()]
    bad = [
        ("not an object", "must be a JSON object"),
        ({**indicator(), "type": "Indicator"}, "type"),
        ({**indicator(), "id": "indicator--not-a-uuid"}, "id"),
        ({**indicator(), "id": domain()["id"]}, "id"),
        ({**indicator(), "spec_version": "2.0"}, "spec_version"),
        ({**indicator(), "modified": "yesterday"}, "modified"),
        ({**indicator(), "modified": "2020-01-01T00:00:00Z"}, "modified: must not be before created"),
        ({**indicator(), "object_marking_refs": ["tlp:red"]}, "object_marking_refs"),
        ({**indicator(), "revoked": "no"}, "revoked"),
        ({**indicator(), "description": "x" * (1024 * 1024)}, "larger than"),
    ]
    status = post(client, coll, headers, [good[0], *[b for b, _ in bad], good[1]])
    assert status["status"] == "complete" and status["total_count"] == len(bad) + 2
    assert status["success_count"] == 2 and status["pending_count"] == 0
    assert [s["id"] for s in status["successes"]] == [good[0]["id"], good[1]["id"]]
    assert status["failure_count"] == len(bad)
    for failure, (_, expected) in zip(status["failures"], bad, strict=True):
        assert expected in failure["message"]
    assert sorted(_ids(client.get(coll + "objects/", headers=headers))) == sorted(o["id"] for o in good)


def test_malformed_envelopes_and_other_media_types_store_nothing(
    client: TestClient, cast: Cast, auth: Auth, coll: str
) -> None:
    headers = {**auth(cast.analyst_a), "Content-Type": TAXII}
    cases = [
        (b"{not json", 400),
        (b'"objects"', 422),
        (b'{"objects": {}}', 422),
        (b"{}", 422),
        (b"\xff\xfe", 400),
    ]
    for body, status in cases:
        _error(client.post(coll + "objects/", headers=headers, content=body), status)
    envelope = json.dumps({"objects": [indicator()]})
    for content_type in (None, "application/json", "application/taxii+json;version=2.0"):
        sent = {k: v for k, v in headers.items() if k != "Content-Type"}
        if content_type is not None:
            sent["Content-Type"] = content_type
        _error(client.post(coll + "objects/", headers=sent, content=envelope), 415)
    assert client.get(coll + "objects/", headers=headers).json() == {"more": False}


def test_bodies_above_max_content_length_are_413(cast: Cast, auth: Auth, coll: str) -> None:
    cast.hub.settings = cast.hub.settings.replace(max_content_length=4000)
    headers = {**auth(cast.analyst_a), "Content-Type": TAXII}
    with TestClient(create_app(hub=cast.hub), raise_server_exceptions=False) as small:
        assert small.get(ROOT, headers=headers).json()["max_content_length"] == 4000
        envelope = json.dumps({"objects": [indicator(description="x" * 5000)]}).encode()
        assert _error(small.post(coll + "objects/", headers=headers, content=envelope), 413)[
            "error_code"
        ] == ("too_large")

        def chunks() -> Iterator[bytes]:  # no Content-Length: the limit applies to what arrives
            yield envelope[:3000]
            yield envelope[3000:]

        _error(small.post(coll + "objects/", headers=headers, content=chunks()), 413)
        assert small.get(coll + "objects/", headers=headers).json() == {"more": False}
        fits = post(small, coll, headers, [indicator()])
        assert fits["success_count"] == 1


def test_reposting_a_held_version_succeeds_and_changes_nothing(
    client: TestClient, cast: Cast, auth: Auth, coll: str
) -> None:
    headers = auth(cast.analyst_a)
    obj, sco = indicator(), domain()
    post(client, coll, headers, [obj, sco])
    before = client.get(coll + "manifest/", headers=headers).json()["objects"]
    again = post(client, coll, headers, [obj, sco, obj])
    assert (again["success_count"], again["failure_count"]) == (3, 0)
    assert client.get(coll + "manifest/", headers=headers).json()["objects"] == before
    changed = post(client, coll, headers, [{**obj, "name": "something else"}])
    assert changed["failure_count"] == 1 and "different object" in changed["failures"][0]["message"]


def test_only_the_owner_organisation_versions_an_object(
    client: TestClient, cast: Cast, auth: Auth, coll: str
) -> None:
    obj = indicator()
    post(client, coll, auth(cast.analyst_a), [obj])
    status = post(
        client, coll, auth(cast.analyst_b), [indicator("2024-06-01T00:00:00.000Z", stix_id=obj["id"])]
    )
    assert status["failure_count"] == 1 and "another organisation" in status["failures"][0]["message"]


def test_status_with_or_without_slash_for_the_posting_organisation_only(
    client: TestClient, cast: Cast, auth: Auth, coll: str
) -> None:
    status = post(client, coll, auth(cast.analyst_a), [indicator()])
    for url in (f"{ROOT}status/{status['id']}/", f"{ROOT}status/{status['id']}"):
        assert client.get(url, headers=auth(cast.reader_a)).json() == status
    _error(client.get(f"{ROOT}status/{status['id']}/", headers=auth(cast.analyst_b)), 404)
    _error(
        client.get(f"{ROOT}status/00000000-0000-4000-8000-000000000000/", headers=auth(cast.analyst_a)), 404
    )


def test_posts_are_audited(client: TestClient, cast: Cast, auth: Auth, coll: str) -> None:
    obj = indicator()
    status = post(client, coll, auth(cast.analyst_a), [obj])
    client.delete(f"{coll}objects/{obj['id']}/", headers=auth(cast.analyst_a))
    events = cast.hub.audit.events(cast.hub.operator(), limit=1000)
    added = [e for e in events if e.action == "stix.add"]
    assert added[-1].actor == cast.analyst_a.member.id and added[-1].subject_id == cast.forum_id
    assert added[-1].detail["status_id"] == status["id"] and added[-1].detail["ids"] == [obj["id"]]
    assert [e.subject_id for e in events if e.action == "stix.delete"] == [obj["id"]]
    assert cast.hub.audit.verify().ok


# -- date_added, paging and filters --------------------------------------------------------------------------


def test_date_added_is_unique_and_increasing_even_when_the_clock_stands_still(
    client: TestClient, cast: Cast, auth: Auth, coll: str
) -> None:
    frozen = datetime(2026, 1, 1, tzinfo=UTC)
    cast.hub.clock = lambda: frozen
    headers = auth(cast.analyst_a)
    post(client, coll, headers, [indicator() for _ in range(3)])
    post(client, coll, headers, [indicator(), domain()])
    added = [m["date_added"] for m in client.get(coll + "manifest/", headers=headers).json()["objects"]]
    assert len(added) == 5 and added == sorted(set(added))
    assert added[0] == "2026-01-01T00:00:00.000000Z" and added[-1] == "2026-01-01T00:00:00.000004Z"


def test_pages_follow_next_with_date_added_headers(
    client: TestClient, cast: Cast, auth: Auth, coll: str
) -> None:
    headers = auth(cast.analyst_a)
    posted = [indicator() for _ in range(25)]
    post(client, coll, headers, posted)
    seen: list[str] = []
    params: dict[str, Any] = {"limit": 10}
    sizes = []
    while True:
        page = client.get(coll + "objects/", headers=headers, params=params)
        body = page.json()
        sizes.append(len(body["objects"]))
        seen.extend(o["id"] for o in body["objects"])
        first, last = page.headers["X-TAXII-Date-Added-First"], page.headers["X-TAXII-Date-Added-Last"]
        assert timestamp_us(first) <= timestamp_us(last)
        if not body["more"]:
            assert "next" not in body
            break
        params = {"limit": 10, "next": body["next"]}
    assert sizes == [10, 10, 5] and seen == [o["id"] for o in posted]
    # Polling from the last date_added seen returns what came after it, and nothing else.
    newer = indicator()
    post(client, coll, headers, [newer])
    assert _ids(client.get(coll + "objects/", headers=headers, params={"added_after": last})) == [newer["id"]]
    empty = client.get(coll + "objects/", headers=headers, params={"added_after": "2999-01-01T00:00:00Z"})
    assert empty.json() == {"more": False} and "X-TAXII-Date-Added-First" not in empty.headers


def test_limit_is_capped_at_the_page_size(client: TestClient, cast: Cast, auth: Auth, coll: str) -> None:
    cast.hub.settings = cast.hub.settings.replace(taxii_page_size=3)
    headers = auth(cast.analyst_a)
    post(client, coll, headers, [indicator() for _ in range(5)])
    for params in ({}, {"limit": 100}):
        body = client.get(coll + "objects/", headers=headers, params=params).json()
        assert len(body["objects"]) == 3 and body["more"] is True


def test_bad_filters_are_400(client: TestClient, cast: Cast, auth: Auth, coll: str) -> None:
    headers = auth(cast.analyst_a)
    for name, value in (
        ("limit", "0"),
        ("limit", "ten"),
        ("added_after", "yesterday"),
        ("match[version]", "new"),
    ):
        body = _error(client.get(coll + "objects/", headers=headers, params={name: value}), 400)
        assert body["details"]["field"] == name


def test_tampered_or_foreign_cursors_are_400(client: TestClient, cast: Cast, auth: Auth, coll: str) -> None:
    headers = auth(cast.analyst_a)
    post(client, coll, headers, [indicator() for _ in range(3)])
    cursor = client.get(coll + "objects/", headers=headers, params={"limit": 1}).json()["next"]
    flipped = cursor[:-2] + ("A" if cursor[-2] != "A" else "B") + cursor[-1]
    for params in (
        {"next": flipped},
        {"next": "garbage"},
        {"next": cursor + "AAAA"},
        {"next": cursor, "match[type]": "indicator"},  # the same cursor with other filters
    ):
        assert _error(client.get(coll + "objects/", headers=headers, params=params), 400)["details"][
            "field"
        ] == ("next")
    _error(client.get(coll + "manifest/", headers=headers, params={"next": cursor}), 400)
    assert client.get(coll + "objects/", headers=headers, params={"next": cursor}).status_code == 200


def test_cursors_survive_a_restart(db_url: str, cast: Cast) -> None:
    by = cast.analyst_a
    cast.hub.taxii.add(by, cast.forum_id.removeprefix("forum--"), [indicator() for _ in range(3)])
    first = cast.hub.taxii.objects(by, cast.forum_id.removeprefix("forum--"), StixFilters(limit=1))
    with Hub.open(Settings(db=db_url)) as other:  # another worker, or the same hub after a restart
        rest = other.taxii.objects(by, cast.forum_id.removeprefix("forum--"), StixFilters(next=first.next))
    assert len(rest.entries) == 2 and rest.entries[0].added_us > first.entries[0].added_us


def test_match_filters(client: TestClient, cast: Cast, auth: Auth, coll: str) -> None:
    headers = auth(cast.analyst_a)
    one, two, sco = indicator(), indicator(), domain()
    post(client, coll, headers, [one, two, sco])

    def ids(**params: str) -> set[str]:
        return set(_ids(client.get(coll + "objects/", headers=headers, params=params)))

    assert ids(**{"match[type]": "domain-name"}) == {sco["id"]}
    assert ids(**{"match[type]": "domain-name,indicator"}) == {one["id"], two["id"], sco["id"]}
    assert ids(**{"match[id]": f"{one['id']},{sco['id']}"}) == {one["id"], sco["id"]}
    assert ids(**{"match[spec_version]": "2.1"}) == {one["id"], two["id"], sco["id"]}
    assert ids(**{"match[spec_version]": "2.0"}) == set()


def test_versions_first_last_all_and_timestamps(
    client: TestClient, cast: Cast, auth: Auth, coll: str
) -> None:
    headers = auth(cast.analyst_a)
    v1 = indicator("2024-05-01T12:00:00.000Z")
    v3 = indicator("2024-07-01T00:00:00.000Z", stix_id=v1["id"])
    v2 = indicator("2024-06-01T00:00:00.000Z", stix_id=v1["id"])
    post(client, coll, headers, [v1, v3])
    post(client, coll, headers, [v2])  # an older version arriving late does not become the latest

    def versions(url: str, **params: str) -> list[str]:
        response = client.get(url, headers=headers, params=params)
        assert response.status_code == 200, response.text
        return [o["modified"] for o in response.json().get("objects", [])]

    objects, one = coll + "objects/", f"{coll}objects/{v1['id']}/"
    assert versions(objects) == versions(one) == [v3["modified"]]
    assert versions(objects, **{"match[version]": "first"}) == [v1["modified"]]
    assert versions(objects, **{"match[version]": "first,last"}) == [v1["modified"], v3["modified"]]
    assert sorted(versions(one, **{"match[version]": "all"})) == [
        v1["modified"],
        v2["modified"],
        v3["modified"],
    ]
    assert versions(one, **{"match[version]": v2["modified"]}) == [v2["modified"]]
    listed = client.get(f"{one}versions/", headers=headers).json()
    assert sorted(listed["versions"]) == [v1["modified"], v2["modified"], v3["modified"]]
    manifest = client.get(coll + "manifest/", headers=headers, params={"match[version]": "all"}).json()
    assert sorted(m["version"] for m in manifest["objects"]) == listed["versions"] or sorted(
        listed["versions"]
    )
    assert all(m["media_type"] == "application/stix+json;version=2.1" for m in manifest["objects"])
    _error(
        client.get(f"{coll}objects/indicator--00000000-0000-4000-8000-000000000000/", headers=headers), 404
    )
    _error(client.get(f"{coll}objects/no-such-id/versions/", headers=headers), 404)


# -- markings ------------------------------------------------------------------------------------------------


def test_markings_decide_who_reads_each_object(client: TestClient, cast: Cast, auth: Auth, coll: str) -> None:
    objs = {tlp: indicator(tlp=tlp) for tlp in ("clear", "green", "amber", "amber+strict")}
    unmarked = indicator()  # takes the forum's default: GREEN
    status = post(client, coll, auth(cast.analyst_a), [*objs.values(), unmarked, indicator(tlp="red")])
    assert status["success_count"] == 5
    assert (
        "red" in status["failures"][0]["message"].lower()
        or "may not share" in status["failures"][0]["message"]
    )

    def seen(actor: Actor) -> set[str]:
        found = set(_ids(client.get(coll + "objects/", headers=auth(actor))))
        for obj in [*objs.values(), unmarked]:  # the object endpoint agrees with the listing
            by_id = client.get(f"{coll}objects/{obj['id']}/", headers=auth(actor))
            assert by_id.status_code == (200 if obj["id"] in found else 404)
        return found

    every = {o["id"] for o in objs.values()} | {unmarked["id"]}
    assert seen(cast.analyst_a) == seen(cast.reader_a) == every
    assert seen(cast.analyst_b) == every - {objs["amber+strict"]["id"]}
    assert seen(cast.partner_c) == {objs["clear"]["id"]}


def test_red_objects_only_for_the_recipients_the_policy_names(
    client: TestClient, cast: Cast, auth: Auth, coll: str
) -> None:
    red = indicator(tlp="red")
    marking = Marking(tlp=TLP.RED, recipient_members=(cast.analyst_b.member.id,))
    cast.hub.taxii.publish(cast.hub.operator(), cast.forum_id, [red], marking=marking, owner_org=cast.org_a)
    assert _ids(client.get(coll + "objects/", headers=auth(cast.analyst_b))) == [red["id"]]
    for actor in (cast.analyst_a, cast.reader_a, cast.partner_c):
        assert _ids(client.get(coll + "objects/", headers=auth(actor))) == []
        _error(client.get(f"{coll}objects/{red['id']}/versions/", headers=auth(actor)), 404)


def test_tlp_1_0_ids_are_those_stix2_ships() -> None:
    from stix2.v21 import TLP_AMBER, TLP_GREEN, TLP_RED, TLP_WHITE

    for marking, level in (
        (TLP_WHITE, TLP.CLEAR),
        (TLP_GREEN, TLP.GREEN),
        (TLP_AMBER, TLP.AMBER),
        (TLP_RED, TLP.RED),
    ):
        assert TLP_MARKING_DEFINITIONS[marking.id] is level
    assert {TLP_MARKING_DEFINITIONS[i] for i in TLP2.values()} == set(TLP)


def test_publish_is_all_or_nothing(cast: Cast, coll: str) -> None:
    with pytest.raises(ValidationError):
        cast.hub.taxii.publish(cast.analyst_a, cast.forum_id, [indicator(), {"type": "indicator"}])
    page = cast.hub.taxii.objects(cast.analyst_a, cast.forum_id.removeprefix("forum--"))
    assert page.entries == []
    status = cast.hub.taxii.publish(cast.analyst_a, cast.forum_id, [indicator()])
    assert len(status.successes) == 1


# -- deleting: tombstones ------------------------------------------------------------------------------------


def test_delete_leaves_a_revoked_tombstone_that_pollers_receive(
    client: TestClient, cast: Cast, auth: Auth, coll: str
) -> None:
    from stix2validator import ValidationOptions, validate_instance

    headers = auth(cast.analyst_a)
    v1 = indicator("2024-05-01T12:00:00.000Z")
    v2 = indicator("2024-06-01T00:00:00.000Z", stix_id=v1["id"])
    post(client, coll, headers, [v1, v2])
    last = client.get(coll + "objects/", headers=headers).headers["X-TAXII-Date-Added-Last"]
    _error(client.delete(f"{coll}objects/{v1['id']}/", headers=auth(cast.analyst_b)), 403)  # B reads, A owns
    _error(client.delete(f"{coll}objects/{v1['id']}/", headers=auth(cast.analyst_d)), 404)
    deleted = client.delete(f"{coll}objects/{v1['id']}/", headers=headers)
    assert deleted.status_code == 200 and deleted.headers["content-type"] == TAXII

    polled = client.get(coll + "objects/", headers=auth(cast.analyst_b), params={"added_after": last}).json()
    [tombstone] = polled["objects"]
    assert tombstone["id"] == v1["id"] and tombstone["revoked"] is True
    assert tombstone["modified"] > v2["modified"] and tombstone["pattern"] == v2["pattern"]
    assert validate_instance(tombstone, ValidationOptions(version="2.1")).is_valid
    versions = client.get(f"{coll}objects/{v1['id']}/versions/", headers=headers).json()["versions"]
    assert versions == [tombstone["modified"]]
    # Replaying an old version stores it again, but the object stays deleted.
    post(client, coll, headers, [v2])
    assert client.get(f"{coll}objects/{v1['id']}/", headers=headers).json()["objects"] == [tombstone]
    replayed = client.delete(
        f"{coll}objects/{v1['id']}/", headers=headers, params={"match[version]": v2["modified"]}
    )
    assert replayed.status_code == 200
    versions = client.get(f"{coll}objects/{v1['id']}/versions/", headers=headers).json()["versions"]
    assert versions == [tombstone["modified"]]
    _error(client.delete(f"{coll}objects/{v1['id']}/", headers=headers), 404)  # nothing left to delete


def test_deleting_an_older_version_only_removes_it(
    client: TestClient, cast: Cast, auth: Auth, coll: str
) -> None:
    headers = auth(cast.analyst_a)
    v1 = indicator("2024-05-01T12:00:00.000Z")
    v2 = indicator("2024-06-01T00:00:00.000Z", stix_id=v1["id"])
    post(client, coll, headers, [v1, v2])
    url = f"{coll}objects/{v1['id']}/"
    assert client.delete(url, headers=headers, params={"match[version]": v1["modified"]}).status_code == 200
    assert client.get(url + "versions/", headers=headers).json()["versions"] == [v2["modified"]]
    assert client.get(url, headers=headers, params={"match[version]": "first"}).json()["objects"] == [v2]


def test_deleting_an_observable_marks_it_deleted(
    client: TestClient, cast: Cast, auth: Auth, coll: str
) -> None:
    headers = auth(cast.analyst_a)
    sco = domain()
    post(client, coll, headers, [sco])
    assert client.delete(f"{coll}objects/{sco['id']}/", headers=headers).status_code == 200
    [tombstone] = client.get(f"{coll}objects/{sco['id']}/", headers=headers).json()["objects"]
    assert tombstone == marked_deleted(sco) and is_deleted(tombstone)
    stix2.parse(tombstone, allow_custom=False)  # a standard extension, no custom property
