"""``POST /api/v1/match`` is no oracle: a value only hidden signals match answers like one nothing matches."""

from __future__ import annotations

from typing import Any

import pytest

from tests.security.conftest import World, may_read, record_body

NOTHING = "nothing-matches-this.example"


def _match(world: World, headers: dict[str, str], items: list[dict[str, Any]], **extra: Any) -> Any:
    answer = world.client.post("/api/v1/match", json={"items": items, **extra}, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer


def _without(answer_text: str, *values: str) -> str:
    for value in values:
        answer_text = answer_text.replace(value, "<VALUE>")
    return answer_text


def test_matches_name_exactly_the_signals_the_oracle_allows(matrix_world: World) -> None:
    """Every member matches the value of every signal of the world (one request each): it learns of the
    signal exactly when it may read it, and an item only hidden signals match answers like one nothing
    matches, but for the value."""
    world = matrix_world
    signals = [r for r in world.records if r.kind == "signals"]
    assert len({r.tlp for r in signals}) == 5
    items = [{"kind": "domain", "value": record_body("signals", r.label)["value"]} for r in signals]
    items.append({"kind": "domain", "value": NOTHING})
    for member in world.member_list():
        answer = _match(world, member.headers, items).json()["items"]
        empty = {k: v for k, v in answer[-1].items() if k not in ("index", "value")}
        assert answer[-1]["matches"] == []
        for rec, item in zip(signals, answer, strict=False):
            found = {m["signal_id"] for m in item["matches"]}
            expected = {rec.id} if may_read(world, member, rec) else set()
            assert found == expected, (member.key, rec.label, found)
            if not expected:
                assert {k: v for k, v in item.items() if k not in ("index", "value")} == empty


@pytest.mark.parametrize("item_kind", ["domain", "url"])
def test_a_value_only_hidden_signals_match_answers_like_one_nothing_matches(
    world: World, item_kind: str
) -> None:
    secret = "fresh-secret-domain.example"

    def item(domain: str) -> dict[str, str]:
        return {"kind": item_kind, "value": domain if item_kind == "domain" else f"https://{domain}/post/1"}

    probers = [world.members[k] for k in ("B.analyst", "D.reader", "B.partner-reporter", "O.admin")]
    before = {m.key: _match(world, m.headers, [item(secret)]).text for m in probers}
    # Signals for the value that none of the probers may read.
    value = {"value": secret}
    world.create("A.analyst", "signals", "strict", tlp="amber+strict", fields=value)
    world.create("A.analyst", "signals", "red", tlp="red", fields=value)
    world.create(
        "A.analyst",
        "signals",
        "amber",
        tlp="amber",
        forum="F1",
        recipient_orgs=(world.org_ids["C"],),
        fields=value,
    )
    for rec in world.records[-3:]:
        assert not any(may_read(world, m, rec) for m in probers)
    for member in probers:
        after = _match(world, member.headers, [item(secret)])
        nothing = _match(world, member.headers, [item(NOTHING)])
        # The same answer as before the signals existed, and as for a value nothing matches.
        assert after.text == before[member.key], member.key
        assert _without(after.text, secret) == _without(nothing.text, NOTHING), member.key
        assert after.json()["items"][0]["matches"] == []
        # Recording the match puts nothing in the prober's review queue either (readers record nothing).
        recorded = world.client.post(
            "/api/v1/match", json={"items": [item(secret)], "record": True}, headers=member.headers
        )
        assert recorded.status_code == (403 if member.roles == {"reader"} else 200), recorded.text
        if recorded.status_code == 200:
            assert _without(recorded.text, secret) == _without(nothing.text, NOTHING)
        assert world.client.get("/api/v1/matches", headers=member.headers).json()["items"] == []
    # The control: the signals do match for those who may read them.
    owner = _match(world, world.members["A.analyst"].headers, [item(secret)]).json()["items"][0]["matches"]
    assert len(owner) == 3
    recipient = _match(world, world.members["C.reader"].headers, [item(secret)]).json()["items"][0]["matches"]
    assert [m["tlp"] for m in recipient] == ["amber"]
    colleague = _match(world, world.members["A.admin"].headers, [item(secret)]).json()["items"][0]["matches"]
    assert sorted(m["tlp"] for m in colleague) == ["amber", "amber+strict"]  # not the analyst's RED one
