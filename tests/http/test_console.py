"""The console: sign in with a token, see operations, work the review queue — over the real ASGI app."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from fimihub import Signal
from fimihub.model import Asset, Fingerprint, Match, MatchStatus, Operation
from tests.conftest import Cast


def sign_in(client: TestClient, cast: Cast, member_id: str) -> str:
    """Sign in as ``member_id``; returns the session's CSRF token, which every form post carries."""
    secret = cast.hub.admin.issue_token(cast.hub.operator(), member_id).secret
    answer = client.post("/login", data={"token": secret}, follow_redirects=False)
    assert answer.status_code == 303
    found = re.search(r'name="fimihub-csrf" content="([0-9a-f]{64})"', client.get("/").text)
    assert found, "the signed-in page carries the CSRF token in its forms"
    return found.group(1)


def test_forms_without_the_csrf_token_or_from_another_site_change_nothing(
    client: TestClient, cast: Cast
) -> None:
    op = cast.hub.create(cast.analyst_a, Operation, {"name": "Storm", "forum_id": cast.forum_id})
    cast.hub.create(
        cast.analyst_a,
        Signal,
        {"kind": "domain", "value": "csrf.example", "operation_id": op.id, "forum_id": cast.forum_id},
    )
    csrf = sign_in(client, cast, cast.analyst_a.member.id)
    forged = client.post(f"/operations/{op.id}/fingerprint", data={"csrf": "0" * 64}, follow_redirects=False)
    assert forged.status_code == 403 and "CSRF" in forged.text
    missing = client.post(f"/operations/{op.id}/fingerprint", follow_redirects=False)
    assert missing.status_code == 403
    cross_site = client.post(
        f"/operations/{op.id}/fingerprint",
        data={"csrf": csrf},
        headers={"Origin": "https://attacker.example"},
        follow_redirects=False,
    )
    assert cross_site.status_code == 403
    assert cast.hub.list(cast.analyst_a, Fingerprint).items == []
    made = client.post(f"/operations/{op.id}/fingerprint", data={"csrf": csrf}, follow_redirects=False)
    assert made.status_code == 303 and len(cast.hub.list(cast.analyst_a, Fingerprint).items) == 1


def test_bad_token_is_refused(client: TestClient) -> None:
    answer = client.post("/login", data={"token": "fhk_wrong"})
    assert answer.status_code == 401 and "unknown, expired or revoked" in answer.text


def test_review_queue_confirms_a_match(client: TestClient, cast: Cast) -> None:
    cast.hub.create(
        cast.analyst_a, Signal, {"kind": "domain", "value": "evil-news.example", "forum_id": cast.forum_id}
    )
    cast.hub.match(cast.analyst_b, [{"kind": "url", "value": "https://evil-news.example/x"}], record=True)
    csrf = sign_in(client, cast, cast.analyst_b.member.id)
    page = client.get("/matches")
    assert page.status_code == 200 and "evil-news.example" in page.text
    (pending,) = cast.hub.list(cast.analyst_b, Match).items
    answer = client.post(
        f"/matches/{pending.id}/review", data={"status": "confirmed", "csrf": csrf}, follow_redirects=False
    )
    assert answer.status_code == 303
    assert cast.hub.get(cast.analyst_b, Match, pending.id).status is MatchStatus.CONFIRMED
    assert "Nothing to review." in client.get("/matches").text
    missing = client.post("/matches/match--nope/review", data={"status": "confirmed", "csrf": csrf})
    assert missing.status_code == 404


def test_outsiders_see_no_queue_but_their_own(client: TestClient, cast: Cast) -> None:
    cast.hub.create(
        cast.analyst_a, Signal, {"kind": "domain", "value": "evil-news.example", "forum_id": cast.forum_id}
    )
    cast.hub.match(cast.analyst_b, [{"kind": "domain", "value": "evil-news.example"}], record=True)
    sign_in(client, cast, cast.analyst_a.member.id)
    assert "Nothing to review." in client.get("/matches").text


def test_operation_page_fingerprints_and_shows_returning_accounts(client: TestClient, cast: Cast) -> None:
    op = cast.hub.create(cast.analyst_a, Operation, {"name": "Storm", "forum_id": cast.forum_id})
    cast.hub.create_many(
        cast.analyst_a,
        Asset,
        [
            {
                "operation_id": op.id,
                "platform": "x",
                "kind": "account",
                "handle": h,
                "forum_id": cast.forum_id,
            }
            for h in ("true_voice_1987", "true_voice_1988")
        ]
        + [{"operation_id": op.id, "platform": "web", "kind": "domain", "handle": "true-review.example"}],
    )
    csrf = sign_in(client, cast, cast.analyst_a.member.id)
    assert "Fingerprints (0)" in client.get(f"/operations/{op.id}").text
    answer = client.post(f"/operations/{op.id}/fingerprint", data={"csrf": csrf}, follow_redirects=False)
    assert answer.status_code == 303
    page = client.get(f"/operations/{op.id}").text
    assert "Fingerprints (1)" in page and "true_voice_1987" in page and "returned after" not in page
    assert "<title>Storm · fimihub</title>" in page and page.count("<h2>Fingerprints") == 1
    (fingerprint,) = cast.hub.list(cast.analyst_a, Fingerprint).items
    assert fingerprint.features["handle_patterns"] and fingerprint.forum_id == cast.forum_id

    empty = cast.hub.create(cast.analyst_a, Operation, {"name": "Quiet"})
    refused = client.post(f"/operations/{empty.id}/fingerprint", data={"csrf": csrf}, follow_redirects=False)
    assert refused.status_code == 400 and "no assets or signals" in refused.text
