"""Matching through the hub: members find shared signals in their items, only those they may see."""

from __future__ import annotations

import pytest

from fimihub import Hub, NotFound, PermissionDenied, Signal, ValidationError, policy
from fimihub.model import MatchStatus
from tests.conftest import Cast
from tests.identifiers import register_identifier_keys

PDQ = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"


def share_signals(cast: Cast) -> list[Signal]:
    return cast.hub.create_many(
        cast.analyst_a,
        Signal,
        [
            {"kind": "domain", "value": "Evil-News.example", "forum_id": cast.forum_id},
            {
                "kind": "url",
                "value": "https://evil-news.example/story/1?utm_source=fb",
                "forum_id": cast.forum_id,
            },
            {"kind": "hashtag", "value": "#StopTheLies", "forum_id": cast.forum_id},
            {"kind": "pdq", "value": PDQ, "quality": 100, "forum_id": cast.forum_id},
        ],
    )


def flip(hex_hash: str, bits: int) -> str:
    value = int(hex_hash, 16)
    for bit in range(bits):
        value ^= 1 << (bit * 7)
    return f"{value:064x}"


def test_signal_values_are_normalised_when_stored(cast: Cast) -> None:
    domain, url, hashtag, _ = share_signals(cast)
    assert domain.value == "evil-news.example"
    assert "utm_source" not in url.value
    assert hashtag.value.lower() == hashtag.value


def test_members_of_the_forum_find_signals_in_their_items(cast: Cast) -> None:
    share_signals(cast)
    answers = cast.hub.match(
        cast.analyst_b,
        [
            {"kind": "url", "value": "hxxps://www.evil-news[.]example/other-story"},
            {"kind": "pdq", "value": flip(PDQ, 10)},
            {"kind": "hashtag", "value": "#nothing_here"},
        ],
    )
    url_hits = {(m["kind"], m["via"]) for m in answers[0].matches}
    assert ("domain", "domain") in url_hits
    assert [m["kind"] for m in answers[1].matches] == ["pdq"]
    assert answers[1].matches[0]["distance"] == 10
    assert answers[2].matches == []


def test_outsiders_learn_nothing(cast: Cast) -> None:
    share_signals(cast)
    answers = cast.hub.match(cast.analyst_d, [{"kind": "domain", "value": "evil-news.example"}])
    assert answers[0].matches == []


def test_revoked_signals_stop_matching(cast: Cast) -> None:
    domain = share_signals(cast)[0]
    cast.hub.revoke_signal(cast.analyst_a, domain.id)
    answers = cast.hub.match(cast.analyst_b, [{"kind": "domain", "value": "evil-news.example"}])
    assert answers[0].matches == []


def test_warning_listed_signals_are_flagged_and_not_matched(cast: Cast) -> None:
    (signal,) = cast.hub.create_many(cast.analyst_a, Signal, [{"kind": "domain", "value": "google.com"}])
    assert signal.warning_lists
    assert cast.hub.match(cast.analyst_a, [{"kind": "domain", "value": "google.com"}])[0].matches == []


def test_bad_items_name_the_field(cast: Cast) -> None:
    with pytest.raises(ValidationError) as exc:
        cast.hub.match(
            cast.analyst_b, [{"kind": "domain", "value": "ok.example"}, {"kind": "telepathy", "value": "x"}]
        )
    assert exc.value.field == "items[1].kind"
    with pytest.raises(ValidationError) as exc:
        cast.hub.match(cast.analyst_b, [{"kind": "pdq", "value": "abc"}])
    assert exc.value.field == "items[0].value"
    with pytest.raises(ValidationError):
        cast.hub.match(cast.analyst_b, [])


def test_recorded_matches_wait_for_review(cast: Cast) -> None:
    share_signals(cast)
    keys = register_identifier_keys(cast.hub, cast.org_b)
    cast.hub.match(
        cast.analyst_b, [{"kind": "domain", "value": "evil-news.example", "account_id": "42"}], record=True
    )
    from fimihub.model import Match

    queue = cast.hub.list(cast.analyst_b, Match).items
    assert len(queue) == 1 and queue[0].status is MatchStatus.PENDING
    # The account id is sealed to B's identifier key: B opens it with its private key.
    assert policy.open_sealed(keys[cast.org_b].private_key, queue[0].account_sealed or "") == "42"
    # The queue is B's own: A shared the signal but does not see B's data.
    assert cast.hub.list(cast.analyst_a, Match).items == []
    with pytest.raises(NotFound):
        cast.hub.matching.review(cast.analyst_a, queue[0].id, "confirmed")
    reviewed = cast.hub.matching.review(cast.analyst_b, queue[0].id, "confirmed", "same network")
    assert reviewed.status is MatchStatus.CONFIRMED and reviewed.reviewed_by == cast.analyst_b.member.id


def test_readers_cannot_review(cast: Cast) -> None:
    share_signals(cast)
    cast.hub.match(cast.analyst_a, [{"kind": "domain", "value": "evil-news.example"}], record=True)
    from fimihub.model import Match

    (queued,) = cast.hub.list(cast.analyst_a, Match).items
    with pytest.raises(PermissionDenied):
        cast.hub.matching.review(cast.reader_a, queued.id, "rejected")


def test_allow_list_suppresses_matches(cast: Cast) -> None:
    share_signals(cast)
    org = cast.hub.matching.set_allow_list(cast.hub.operator(), cast.org_b, ["domain:Evil-News.example"])
    assert org.allow_list == ("domain:evil-news.example",)
    answers = cast.hub.match(cast.analyst_b, [{"kind": "domain", "value": "evil-news.example"}])
    assert answers[0].matches == []
    assert cast.hub.match(cast.analyst_a, [{"kind": "domain", "value": "evil-news.example"}])[0].matches
    with pytest.raises(PermissionDenied):
        cast.hub.matching.set_allow_list(cast.analyst_b, cast.org_b, [])


def test_low_quality_image_hashes_are_refused(cast: Cast) -> None:
    with pytest.raises(ValidationError) as exc:
        cast.hub.create(cast.analyst_a, Signal, {"kind": "pdq", "value": PDQ, "quality": 30})
    assert exc.value.field == "quality"
    assert cast.hub.create(cast.analyst_a, Signal, {"kind": "pdq", "value": PDQ, "quality": 80}).quality == 80


def test_personal_identifiers_travel_hashed_with_the_forum_key(cast: Cast) -> None:
    hub = cast.hub
    forum = hub.admin.forum(cast.analyst_a, cast.forum_id)
    key = hub.keys.forum_key(cast.analyst_a, cast.forum_id)
    assert forum.pseudonymisation_key_id == key.id and len(key.secret) == 64
    # A shares the hash of an account on its platform; the clear id never reaches the hub.
    (hashed,) = hub.keys.pseudonymise(cast.analyst_a, cast.forum_id, "account_id", ["x:12345"])
    hub.create(cast.analyst_a, Signal, {"kind": "account_id", "value": hashed, "forum_id": cast.forum_id})
    with pytest.raises(ValidationError):
        hub.create(
            cast.analyst_a, Signal, {"kind": "account_id", "value": "12345", "forum_id": cast.forum_id}
        )
    # B sends the account in clear; the hub hashes it with B's forums' keys.
    answer = hub.match(cast.analyst_b, [{"kind": "account_id", "value": "12345", "platform": "twitter"}])
    assert [m["kind"] for m in answer[0].matches] == ["account_id"]
    assert (
        hub.match(cast.analyst_b, [{"kind": "account_id", "value": "12345", "platform": "tiktok"}])[0].matches
        == []
    )
    # D is in no forum: it has no key, cannot get one, and finds nothing.
    assert hub.match(cast.analyst_d, [{"kind": "account_id", "value": "x:12345"}])[0].matches == []
    with pytest.raises(NotFound):
        hub.keys.forum_key(cast.analyst_d, cast.forum_id)
    disclosed = [e for e in hub.audit.events(cast.admin_o, limit=1000) if e.action == "forum_key.disclose"]
    assert disclosed and disclosed[0].actor == cast.analyst_a.member.id


def test_changed_signal_values_are_normalised_and_rematched(cast: Cast) -> None:
    (signal,) = share_signals(cast)[:1]
    changed = cast.hub.update(cast.analyst_a, Signal, signal.id, {"value": "hxxps://Other-News[.]example/x"})
    assert changed.value == "other-news.example"
    assert cast.hub.match(cast.analyst_b, [{"kind": "domain", "value": "other-news.example"}])[0].matches
    assert cast.hub.match(cast.analyst_b, [{"kind": "domain", "value": "evil-news.example"}])[0].matches == []
    flagged = cast.hub.update(cast.analyst_a, Signal, signal.id, {"value": "google.com"})
    assert flagged.warning_lists
    with pytest.raises(ValidationError) as exc:
        cast.hub.update(cast.analyst_a, Signal, signal.id, {"value": "not a domain at all"})
    assert exc.value.field == "value"


def test_bad_value_in_a_batch_names_its_item(cast: Cast) -> None:
    good = {"kind": "domain", "value": "fine.example"}
    with pytest.raises(ValidationError) as exc:
        cast.hub.create_many(cast.analyst_a, Signal, [good, {"kind": "url", "value": "hxxp://junk[ ]"}])
    assert exc.value.field == "[1].value"


def test_warm_loads_what_first_requests_would_wait_for(hub: Hub) -> None:
    from fimihub.matching.kinds import domain

    hub.matching.warm()
    assert hub.matching._matcher is not None
    assert domain._psl.cache_info().currsize == 1
