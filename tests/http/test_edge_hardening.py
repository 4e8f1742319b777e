"""The HTTP edges under attack: what a member probing the hub must not learn, and what must never be a 500.

Each test here was written against a defect found by probing the hub: an existence oracle in TAXII posts,
500s on odd bodies and parameters, an echoed ``Authorization`` header, a streamed body answered 400 instead of
413, a wrong ``Allow``, missing security headers, and an OpenAPI description without security or errors.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from fimihub.exchange.stix.ids import sco_id
from fimihub.exchange.stix.markings import tlp_marking_definition
from fimihub.model import TLP, Asset, Operation
from fimihub.policy import Actor
from tests.conftest import Cast
from tests.http.conftest import bearer

TAXII = "application/taxii+json;version=2.1"
Auth = Callable[[Actor], dict[str, str]]


@pytest.fixture
def auth(cast: Cast) -> Auth:
    def make(actor: Actor) -> dict[str, str]:
        secret = cast.hub.admin.issue_token(cast.hub.operator(), actor.member.id).secret
        basic = base64.b64encode(f"client:{secret}".encode()).decode()
        return {"Authorization": f"Basic {basic}", "Accept": TAXII}

    return make


@pytest.fixture
def coll(cast: Cast) -> str:
    return f"/taxii2/exchange/collections/{cast.forum_id.removeprefix('forum--')}/"


def _post(client: TestClient, url: str, headers: dict[str, str], objects: list[Any]) -> dict[str, Any]:
    response = client.post(
        url + "objects/", headers={**headers, "Content-Type": TAXII}, content=json.dumps({"objects": objects})
    )
    assert response.status_code == 202, response.text
    status: dict[str, Any] = response.json()
    return status


def _shape(status: dict[str, Any], stix_id: str, date_added: bool) -> dict[str, Any]:
    """A status resource without what is generated per request (its id, time), the object's id, and the
    version when it is the ``date_added`` the hub gave (an observable's)."""
    text = json.dumps({k: v for k, v in status.items() if k not in {"id", "request_timestamp"}})
    shape = json.loads(text.replace(stix_id, "<id>"))
    for outcome in shape.get("successes", []) if date_added else []:
        outcome["version"] = "<date_added>"
    return dict(shape)


def _observable(stix_id: str, value: str, tlp: str | None = None) -> dict[str, Any]:
    obj: dict[str, Any] = {"type": "domain-name", "spec_version": "2.1", "id": stix_id, "value": value}
    if tlp is not None:
        obj["object_marking_refs"] = [_TLP_IDS[tlp]]
    return obj


def _campaign(stix_id: str, name: str, tlp: str | None = None) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "type": "campaign",
        "spec_version": "2.1",
        "id": stix_id,
        "created": "2024-05-01T12:00:00.000Z",
        "modified": "2024-05-01T12:00:00.000Z",
        "name": name,
    }
    if tlp is not None:
        obj["object_marking_refs"] = [_TLP_IDS[tlp]]
    return obj


_TLP_IDS = {
    "green": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "amber+strict": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
}


# -- 1. TAXII: no existence oracle -------------------------------------------------------------------------


@pytest.mark.parametrize("make", [_observable, _campaign], ids=["observable", "campaign"])
def test_a_hidden_object_and_an_unknown_id_answer_alike(
    client: TestClient, cast: Cast, auth: Auth, coll: str, make: Callable[..., dict[str, Any]]
) -> None:
    kind = "domain-name" if make is _observable else "campaign"
    hidden, unknown = f"{kind}--{uuid.uuid4()}", f"{kind}--{uuid.uuid4()}"
    a, b = auth(cast.analyst_a), auth(cast.analyst_b)
    # A holds `hidden`, marked so that only A reads it (deterministic ids make such ids guessable).
    assert _post(client, coll, a, [make(hidden, "secret.example", "amber+strict")])["success_count"] == 1
    assert client.get(f"{coll}objects/{hidden}/", headers=b).status_code == 404

    on_hidden = _post(client, coll, b, [make(hidden, "probe.example")])
    on_unknown = _post(client, coll, b, [make(unknown, "probe.example")])
    sco = make is _observable
    assert _shape(on_hidden, hidden, sco) == _shape(on_unknown, unknown, sco)
    assert on_hidden["success_count"] == 1

    # Reading back shows the poster its own object in both cases, and nothing of A's.
    for stix_id in (hidden, unknown):
        read = client.get(f"{coll}objects/{stix_id}/", headers=b)
        assert read.status_code == 200, read.text
        assert [o.get("value", o.get("name")) for o in read.json()["objects"]] == ["probe.example"]
        versions = client.get(f"{coll}objects/{stix_id}/versions/", headers=b).json()["versions"]
        assert len(versions) == 1
    # A's object is untouched: A still reads its own version as the newest of its copy.
    mine = client.get(f"{coll}objects/{hidden}/", headers=a).json()["objects"]
    assert "secret.example" in [o.get("value", o.get("name")) for o in mine]

    # B deletes its copy; A's stays.
    assert client.delete(f"{coll}objects/{hidden}/", headers=b).status_code == 200
    mine = client.get(f"{coll}objects/{hidden}/", headers=a).json()["objects"]
    assert "secret.example" in [o.get("value", o.get("name")) for o in mine]


def test_the_feed_publishes_a_members_observable_whatever_it_cannot_see(
    client: TestClient, cast: Cast, auth: Auth, coll: str
) -> None:
    value = "evil-news.example"
    stix_id = sco_id("domain-name", {"value": value})
    strict = _observable(stix_id, value, "amber+strict")
    assert _post(client, coll, auth(cast.analyst_a), [strict])["success_count"] == 1
    # B's asset for the same domain, shared into the forum: its observable has the same deterministic id.
    cast.hub.create(
        cast.analyst_b,
        Asset,
        {
            "platform": "web",
            "kind": "domain",
            "handle": value,
            "forum_id": cast.forum_id,
            "marking": {"tlp": "green"},
        },
    )
    read = client.get(f"{coll}objects/{stix_id}/", headers=auth(cast.analyst_b))
    assert read.status_code == 200, read.text
    (mine,) = read.json()["objects"]
    assert _TLP_IDS["green"] in mine["object_marking_refs"]  # B's copy, not A's AMBER+STRICT one
    both = client.get(f"{coll}objects/{stix_id}/", headers=auth(cast.analyst_a)).json()["objects"]
    assert len(both) == 2  # A reads its own copy and B's


def test_each_organisations_copy_expires_into_its_own_tombstone(
    client: TestClient, cast: Cast, auth: Auth, coll: str
) -> None:
    hub, stix_id = cast.hub, f"campaign--{uuid.uuid4()}"
    a, b = auth(cast.analyst_a), auth(cast.analyst_b)
    _post(client, coll, a, [_campaign(stix_id, "Secret", "amber+strict")])
    _post(client, coll, b, [_campaign(stix_id, "Probe")])
    later = hub.clock() + timedelta(days=hub.settings.default_retention_days + 400)
    hub.clock = lambda: later
    assert hub.privacy.run(hub.operator())["stix_tombstones"] == 2
    a, b = auth(cast.analyst_a), auth(cast.analyst_b)  # tokens of the new day
    for headers, name in ((a, "Secret"), (b, "Probe")):
        stones = client.get(f"{coll}objects/{stix_id}/", headers=headers).json()["objects"]
        assert [(o["name"], o["revoked"]) for o in stones if o["name"] == name] == [(name, True)]
    stones = client.get(f"{coll}objects/{stix_id}/", headers=b).json()["objects"]
    assert [o["name"] for o in stones] == ["Probe"]  # and nothing of A's


def test_the_operator_deletes_every_copy(client: TestClient, cast: Cast, auth: Auth, coll: str) -> None:
    stix_id = f"campaign--{uuid.uuid4()}"
    a, b = auth(cast.analyst_a), auth(cast.analyst_b)
    _post(client, coll, a, [_campaign(stix_id, "Secret", "amber+strict")])
    _post(client, coll, b, [_campaign(stix_id, "Probe")])
    collection_id = cast.forum_id.removeprefix("forum--")
    cast.hub.taxii.delete(cast.hub.operator(), collection_id, stix_id)
    for headers, name in ((a, "Secret"), (b, "Probe")):
        stones = client.get(f"{coll}objects/{stix_id}/", headers=headers).json()["objects"]
        assert [(o["name"], o["revoked"]) for o in stones if o["name"] == name] == [(name, True)]


def test_an_object_the_poster_reads_stays_its_creators(
    client: TestClient, cast: Cast, auth: Auth, coll: str
) -> None:
    stix_id = f"campaign--{uuid.uuid4()}"
    original = _campaign(stix_id, "Visible", "green")
    _post(client, coll, auth(cast.analyst_a), [original])
    status = _post(client, coll, auth(cast.analyst_b), [{**original, "name": "Hijacked"}])
    assert status["failure_count"] == 1 and "another organisation" in status["failures"][0]["message"]
    # A copy of what the collection holds is a success that changes nothing.
    assert _post(client, coll, auth(cast.analyst_b), [original])["success_count"] == 1
    versions = client.get(f"{coll}objects/{stix_id}/versions/", headers=auth(cast.analyst_b)).json()
    assert len(versions["versions"]) == 1


def test_posting_the_oasis_tlp_definitions_back_never_fails(
    client: TestClient, cast: Cast, auth: Auth, coll: str
) -> None:
    hub, a = cast.hub, cast.analyst_a
    # The hub publishes the TLP definitions its records use: GREEN (B reads it) and AMBER+STRICT (B does not).
    for tlp in ("green", "amber+strict"):
        op = hub.create(a, Operation, {"name": f"Op {tlp}", "marking": {"tlp": tlp}})
        hub.share(a, Operation, op.id, cast.forum_id, marking={"tlp": tlp})
    definitions = [tlp_marking_definition(t) for t in TLP]
    for member in (cast.analyst_b, cast.analyst_a):
        status = _post(client, coll, auth(member), definitions)
        assert status["success_count"] == len(definitions), status
        again = _post(client, coll, auth(member), definitions)
        assert again["success_count"] == len(definitions), again


# -- 2. No 500s: bodies, parameters, JSON ------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/organisations", "/api/v1/forums", "/api/v1/members"])
@pytest.mark.parametrize("key", ["by", "self", "data"])
def test_any_body_key_is_a_field_never_an_argument(
    client: TestClient, cast: Cast, path: str, key: str
) -> None:
    admin = bearer(cast, cast.admin_o.member.id)
    bodies: dict[str, dict[str, object]] = {
        "/api/v1/organisations": {"name": "X", "kind": "platform"},
        "/api/v1/forums": {"name": "X"},
        "/api/v1/members": {"org_id": cast.org_a, "name": "X", "roles": ["reader"]},
    }
    answer = client.post(path, json={**bodies[path], key: 1}, headers=admin)
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["code"] == "invalid" and key in [e["field"] for e in error["errors"]]
    # Without the stray key the same body is accepted; the hub sets ids and times itself.
    assert client.post(path, json=bodies[path], headers=admin).status_code == 201
    answer = client.post(path, json={**bodies[path], "id": "organisation--mine"}, headers=admin)
    assert answer.status_code == 400 and answer.json()["error"]["field"] == "id"


@pytest.mark.parametrize("path", ["/api/v1/organisations", "/api/v1/forums", "/api/v1/members"])
def test_permission_is_checked_before_the_body(client: TestClient, cast: Cast, path: str) -> None:
    reader = bearer(cast, cast.reader_a.member.id)
    for body in ({"by": 1}, {}, {"org_id": 5, "self": None}):
        answer = client.post(path, json=body, headers=reader)
        assert answer.status_code == 403, (body, answer.text)


@pytest.mark.parametrize("after_seq", ["-1", str(2**63), "9" * 40])
def test_audit_cursor_out_of_range_is_a_400(client: TestClient, cast: Cast, after_seq: str) -> None:
    admin = bearer(cast, cast.admin_o.member.id)
    answer = client.get("/api/v1/audit/events", params={"after_seq": after_seq}, headers=admin)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["field"] == "after_seq"
    top = client.get("/api/v1/audit/events", params={"after_seq": str(2**63 - 1)}, headers=admin)
    assert top.status_code == 200 and top.json()["items"] == []


_LONE = b'"\\ud800"'


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/match", b'{"items": [{"kind": "text", "value": ' + _LONE + b"}]}", "items.0.value"),
        ("/api/v1/match", b'{"items": [{"kind": "domain", "value": "x.example", ' + _LONE + b": 1}]}", None),
        ("/api/v1/operations", b'{"name": "Op", "description": ' + _LONE + b"}", "description"),
    ],
)
def test_unpaired_surrogates_in_rest_bodies_are_a_400_naming_the_field(
    client: TestClient, cast: Cast, path: str, body: bytes, field: str | None
) -> None:
    headers = {**bearer(cast, cast.analyst_a.member.id), "Content-Type": "application/json"}
    answer = client.post(path, content=body, headers=headers)
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert "surrogate" in error["message"]
    if field is not None:
        assert error["field"] == field


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b'{"items": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "deeper"),
        (b'{"items": [{"kind": "domain", "value": "x.example", "n": ' + b"9" * 5000 + b"}]}", "digits"),
        (b'{"items": [{"kind": "domain", "value": "x.example", "n": 1e999}]}', "range"),
        (b'{"items": [{"kind": "domain", "value": "x.example", "n": NaN}]}', "NaN"),
    ],
)
def test_rest_bodies_too_deep_or_with_huge_numbers_are_a_400(
    client: TestClient, cast: Cast, body: bytes, words: str
) -> None:
    headers = {**bearer(cast, cast.analyst_a.member.id), "Content-Type": "application/json"}
    answer = client.post("/api/v1/match", content=body, headers=headers)
    assert answer.status_code == 400, answer.text
    assert words in answer.json()["error"]["message"]


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        (
            b'{"objects": [{"type": "x-probe", "id": "x-probe--00000000-0000-4000-8000-000000000000", '
            + b'"name": '
            + _LONE
            + b"}]}",
            "objects.0.name",
            "surrogate",
        ),
        (b'{"objects": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", None, "deeper"),
        (b'{"objects": [{"type": "x-probe", "n": ' + b"9" * 5000 + b"}]}", None, "digits"),
        (b'{"objects": [{"type": "x-probe", "n": -Infinity}]}', None, "Infinity"),
    ],
)
def test_taxii_bodies_that_no_store_can_hold_are_a_400(
    client: TestClient, cast: Cast, auth: Auth, coll: str, body: bytes, field: str | None, words: str
) -> None:
    headers = {**auth(cast.analyst_a), "Content-Type": TAXII}
    answer = client.post(coll + "objects/", headers=headers, content=body)
    assert answer.status_code == 400, answer.text
    assert answer.headers["content-type"] == TAXII
    error = answer.json()
    assert error["http_status"] == "400" and words in error["description"]
    if field is not None:
        assert error["details"]["field"] == field
    assert client.get(coll + "objects/", headers=auth(cast.analyst_a)).json() == {"more": False}


# -- 3. Authentication edges, body limits, methods -----------------------------------------------------------


def test_a_bare_token_is_never_echoed(client: TestClient, cast: Cast, auth: Auth) -> None:
    secret = cast.hub.admin.issue_token(cast.hub.operator(), cast.analyst_a.member.id).secret
    for header in (secret, secret.upper(), f"{secret} trailing", f"Weird{secret} x"):
        rest = client.get("/api/v1/whoami", headers={"Authorization": header})
        assert rest.status_code == 401
        taxii = client.get("/taxii2/", headers={"Authorization": header, "Accept": TAXII})
        assert taxii.status_code == 401
        for answer in (rest, taxii):
            assert secret.lower() not in answer.text.lower()
            assert secret[8:20].lower() not in answer.text.lower()


def test_a_streamed_rest_body_above_the_limit_is_a_413(cast: Cast) -> None:
    from fimihub.app import create_app

    cast.hub.settings = cast.hub.settings.replace(max_content_length=4000)
    headers = {**bearer(cast, cast.analyst_a.member.id), "Content-Type": "application/json"}
    body = json.dumps({"items": [{"kind": "domain", "value": "x.example"}] * 200}).encode()
    assert len(body) > 4000

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit applies to what arrives
        for start in range(0, len(body), 1000):
            yield body[start : start + 1000]

    with TestClient(create_app(hub=cast.hub), raise_server_exceptions=False) as small:
        answer = small.post("/api/v1/match", headers=headers, content=chunks())
        assert answer.status_code == 413, answer.text
        assert answer.json()["error"]["code"] == "too_large"
        declared = small.post("/api/v1/match", headers=headers, content=body)
        assert declared.status_code == 413
        fits = small.post(
            "/api/v1/match", headers=headers, json={"items": [{"kind": "domain", "value": "a.b"}]}
        )
        assert fits.status_code == 200


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/api/v1/organisations", {"GET", "POST"}),
        ("/api/v1/operations/operation--00000000-0000-4000-8000-000000000000", {"GET", "PATCH", "DELETE"}),
        ("/api/v1/forums/f/members/o", {"PUT", "DELETE"}),
        ("/taxii2/exchange/collections/c/objects/", {"GET", "HEAD", "POST"}),
    ],
)
def test_options_and_405_name_every_method_of_the_path(
    client: TestClient, cast: Cast, path: str, allowed: set[str]
) -> None:
    for headers in ({}, bearer(cast, cast.analyst_a.member.id)):
        answer = client.options(path, headers=headers)
        assert answer.status_code == 204, answer.text
        assert set(answer.headers["allow"].split(", ")) == allowed | {"OPTIONS"}
    refused = client.request("TRACE", path)
    assert refused.status_code == 405
    assert set(refused.headers["allow"].split(", ")) == allowed | {"OPTIONS"}
    if not path.startswith("/taxii2"):
        assert refused.json()["error"]["code"] == "method_not_allowed"
    assert client.options("/api/v1/no-such-thing").status_code == 404


# -- 4. Console and OpenAPI --------------------------------------------------------------------------------


_HEADERS = {"x-frame-options": "DENY", "x-content-type-options": "nosniff", "referrer-policy": "no-referrer"}


def test_every_answer_carries_the_security_headers(client: TestClient, cast: Cast, auth: Auth) -> None:
    token = bearer(cast, cast.analyst_a.member.id)
    answers = {
        "console": client.get("/"),
        "static": client.get("/static/console.css"),
        "api": client.get("/api/v1/whoami", headers=token),
        "api error": client.get("/api/v1/whoami"),
        "openapi": client.get("/openapi.json"),
        "taxii": client.get("/taxii2/", headers=auth(cast.analyst_a)),
        "taxii error": client.get("/taxii2/"),
        "not found": client.get("/nowhere"),
    }
    for name, answer in answers.items():
        for header, value in _HEADERS.items():
            assert answer.headers.get(header) == value, (name, header)
        policy = answer.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy, name
        assert policy.startswith("default-src 'self'" if name == "console" else "default-src 'none'"), name
    docs = client.get("/api/docs")
    assert "script-src https://cdn.jsdelivr.net 'sha256-" in docs.headers["content-security-policy"]
    assert "unsafe-inline" not in docs.headers["content-security-policy"].split("script-src")[1].split(";")[0]


def test_an_unexpected_error_carries_the_security_headers_too(
    client: TestClient, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(cast.hub.admin, "organisations", broken)
    answer = client.get("/api/v1/organisations", headers=bearer(cast, cast.analyst_a.member.id))
    assert answer.status_code == 500 and answer.json()["error"]["code"] == "internal"
    for header, value in _HEADERS.items():
        assert answer.headers.get(header) == value, header
    assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]


def test_the_console_has_no_inline_script_or_style(client: TestClient) -> None:
    page = client.get("/").text
    assert "<script" not in page and "<style" not in page and " style=" not in page


def test_the_console_cookie_is_secure_over_https(cast: Cast) -> None:
    from fimihub.app import create_app

    secret = cast.hub.admin.issue_token(cast.hub.operator(), cast.analyst_a.member.id).secret
    for base, secure in (("https://hub.example", True), ("http://hub.example", False)):
        with TestClient(create_app(hub=cast.hub), base_url=base, follow_redirects=False) as console:
            signed_in = console.post("/login", data={"token": secret})
            assert signed_in.status_code == 303
            cookie = signed_in.headers["set-cookie"].lower()
            assert "httponly" in cookie and "samesite=strict" in cookie
            assert ("; secure" in cookie) is secure
            signed_out = console.post("/logout").headers["set-cookie"].lower()
            assert ("; secure" in signed_out) is secure


def test_openapi_declares_security_and_the_error_envelope(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    schemes = spec["components"]["securitySchemes"]
    assert schemes["bearer"] == {**schemes["bearer"], "type": "http", "scheme": "bearer"}
    assert schemes["basic"]["scheme"] == "basic"
    operations = [
        (path, op)
        for path, item in spec["paths"].items()
        if path.startswith("/api/v1/")
        for method, op in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]
    assert len(operations) > 30
    for path, op in operations:
        assert op["security"] == [{"bearer": []}, {"basic": []}], path
        for status in ("400", "401", "403", "404", "413", "default"):
            schema = op["responses"][status]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/ErrorEnvelope"}, (path, status)
        assert "422" not in op["responses"], path  # validation errors are 400s here
    envelope = spec["components"]["schemas"]["ErrorEnvelope"]
    assert envelope["required"] == ["error"]
