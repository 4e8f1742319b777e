"""The ``handle`` kind: profile URLs per platform, confusables, and the similarity index."""

from __future__ import annotations

import random
from typing import ClassVar

import pytest

from fimihub.matching.base import Hit, SignalType
from fimihub.matching.index.brute import BruteForceIndex
from fimihub.matching.index.handle import HandleIndex, handle_distance
from fimihub.matching.kinds.handle import HandleSignalType, handle_from_url, handle_value
from tests.matching.signal_type_suite import SignalTypeSuite

BASES = ["name", "news", "truth", "patri0t", "bob", "ab", "x", "info_war", "n\u0430me"]
PLATFORMS = ["x", "tiktok", "telegram"]
LOOKALIKE = str.maketrans("oli", "01l")


def random_handles(rng: random.Random, n: int) -> list[str]:
    raw = []
    for _ in range(n):
        tail = rng.choice(["", "_", ".", "-"]) + str(rng.randint(0, 40)) if rng.random() < 0.7 else ""
        raw.append(f"{rng.choice(PLATFORMS)}:{rng.choice(BASES)}{tail}")
    return [HandleSignalType().normalise(value) for value in raw]


def mutate(rng: random.Random, value: str) -> str:
    platform, handle = value.split(":", 1)
    roll = rng.random()
    if roll < 0.3:
        handle = handle.translate(LOOKALIKE)
    elif roll < 0.6:
        position = rng.randrange(len(handle) + 1)
        handle = handle[:position] + rng.choice("ab1_") + handle[position + 1 :]
    elif roll < 0.8:
        handle += rng.choice(["1", "_fr", "x"])
    else:
        platform = rng.choice(PLATFORMS)
    return HandleSignalType().normalise(f"{platform}:{handle}")


class TestHandleKind(SignalTypeSuite):
    signal_type: ClassVar[SignalType] = HandleSignalType()
    examples: ClassVar[dict[str, str]] = {
        "https://twitter.com/Name_1234": "x:name_1234",
        "x:@Name_1234": "x:name_1234",
        "twitter: @Name_1234": "x:name_1234",
        "x:n\u0430me": "x:name",  # Cyrillic \u0430
        "x:\U0001d40d\U0001d41a\U0001d426\U0001d41e": "x:name",
        "x:\uff2e\uff21\uff2d\uff25": "x:name",
        "x:na\u200bme": "x:name",
        "https://mobile.twitter.com/Someone/status/123?s=20": "x:someone",
        "https://x.com/intent/user?screen_name=Someone": "x:someone",
        "https://www.tiktok.com/@Some.One/video/123": "tiktok:some.one",
        "https://www.youtube.com/@ChannelName": "youtube:channelname",
        "https://youtube.com/channel/UCabcDEF123_-x": "youtube:channel/UCabcDEF123_-x",
        "youtube:channel/UCabcDEF123_-x": "youtube:channel/UCabcDEF123_-x",
        "https://www.youtube.com/c/OldName": "youtube:c/oldname",
        "https://www.facebook.com/Some.Page/posts/1": "facebook:some.page",
        "https://m.facebook.com/profile.php?id=100012345": "facebook:100012345",
        "https://www.facebook.com/groups/SomeGroup/": "facebook:groups/somegroup",
        "https://fb.com/people/Some-Name/100099/": "facebook:100099",
        "https://www.instagram.com/some_user/": "instagram:some_user",
        "https://instagram.com/stories/some_user/123": "instagram:some_user",
        "https://t.me/Chan_Name": "telegram:chan_name",
        "https://t.me/s/chan_name/42": "telegram:chan_name",
        "hxxps://t[.]me/chan_name": "telegram:chan_name",
        "https://vk.com/id123": "vk:id123",
        "https://m.vk.com/Club_Name": "vk:club_name",
        "https://www.threads.net/@someone": "threads:someone",
        "https://bsky.app/profile/someone.bsky.social": "bluesky:someone.bsky.social",
        "https://www.reddit.com/user/Someone/": "reddit:someone",
        "https://www.linkedin.com/in/some-one/": "linkedin:some-one",
        "tg:@chan_name": "telegram:chan_name",
    }
    junk: ClassVar[list[str]] = [
        "name",
        "@name",
        "x:",
        "x:@",
        ":name",
        "x:na me",
        "x:name!",
        "x:a/",
        "x://a",
        "not a platform:name",
        "x:" + "a" * 200,
        "https://twitter.com/home",
        "https://twitter.com/",
        "https://t.me/+AbCdEf",
        "https://t.me/joinchat/AbCdEf",
        "https://vk.com/wall-1_2",
        "https://www.instagram.com/p/Cabc/",
        "https://www.tiktok.com/foo",
        "https://developers.facebook.com/docs",
        "https://evil.com/someone",
    ]
    fuzz_prefixes: ClassVar[tuple[str, ...]] = (
        "",
        "x:",
        "youtube:channel/",
        "https://t.me/",
        "https://x.com/",
    )

    def random_values(self, rng: random.Random, n: int) -> list[str]:
        return random_handles(rng, n)

    def random_queries(self, rng: random.Random, values: list[str]) -> list[str]:
        return [mutate(rng, rng.choice(values)) for _ in range(150)] + random_handles(rng, 50)


class TestHandleKindAcrossPlatforms(TestHandleKind):
    signal_type: ClassVar[SignalType] = HandleSignalType(cross_platform=True)


class TestHandleKindLoose(TestHandleKind):
    signal_type: ClassVar[SignalType] = HandleSignalType(max_distance=3, min_score=0.0)


class TestHandleKindStrict(TestHandleKind):
    signal_type: ClassVar[SignalType] = HandleSignalType(max_distance=1.5, min_score=0.9)


def test_digit_increment_hits() -> None:
    index = HandleSignalType().new_index()
    index.add(["x:name_1234", "x:other", "tiktok:name_1235"], [1, 2, 3])
    assert index.query("x:name_1235") == [Hit(1, 1.0, 1 - 1 / 9)]


def test_lookalike_letters_cost_half() -> None:
    assert handle_distance("paypal", "paypa1") == 0.5
    assert handle_distance("name_1234", "name_1235") == 1.0
    assert handle_distance("n0name", "nonane") == 1.5
    index = HandleIndex()
    index.add(["x:paypal", "x:rob"], [1, 2])
    assert [hit.entry for hit in index.query("x:paypa1")] == [1]
    assert index.query("x:bob") == []  # one edit on three letters is another name, not a variant


def test_suffix_change_and_cross_platform() -> None:
    same_platform = HandleIndex()
    anywhere = HandleIndex(cross_platform=True)
    for index in (same_platform, anywhere):
        index.add(["x:doppelganger_de", "telegram:doppelganger_fr"], [1, 2])
    assert [hit.entry for hit in same_platform.query("x:doppelganger_fr")] == [1]
    assert [hit.entry for hit in anywhere.query("x:doppelganger_fr")] == [2, 1]


def test_confusable_handle_folds_to_latin() -> None:
    assert HandleSignalType().normalise("x:n\u0430me") == "x:name"
    assert HandleSignalType().compare("x:name", HandleSignalType().normalise("x:n\u0430m\u0435")) == Hit(0)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://twitter.com/Name_1234", ("x", "name_1234")),
        ("https://www.tiktok.com/@someone", ("tiktok", "someone")),
        ("https://www.youtube.com/@someone", ("youtube", "someone")),
        ("https://www.youtube.com/channel/UCxyz", ("youtube", "channel/UCxyz")),
        ("https://facebook.com/someone", ("facebook", "someone")),
        ("https://instagram.com/someone", ("instagram", "someone")),
        ("https://t.me/someone", ("telegram", "someone")),
        ("https://vk.com/someone", ("vk", "someone")),
        ("https://evil.com/someone", None),
        ("not a url at all", None),
        ("https://twitter.com/" + "a" * 5000, None),
        ("", None),
    ],
)
def test_handle_from_url(url: str, expected: tuple[str, str] | None) -> None:
    assert handle_from_url(url) == expected


def test_handle_value_joins_a_platform_field() -> None:
    assert handle_value("Twitter", "@Name") == "x:name"
    with pytest.raises(ValueError, match="platform"):
        handle_value("no such platform!", "name")


def test_interleaved_adds_and_removes_reuse_slots_correctly() -> None:
    rng = random.Random(7)
    kind = HandleSignalType(min_score=0.5)
    index = kind.new_index()
    stored: dict[int, str] = {}
    for step in range(60):
        values = random_handles(rng, 20)
        entries = [rng.randrange(80) for _ in values]
        index.add(values, entries)
        stored.update(zip(entries, values, strict=True))
        gone = rng.sample(sorted(stored), min(len(stored), 8))
        index.remove(gone)
        for entry in gone:
            del stored[entry]
        if step % 10 == 9:
            brute = BruteForceIndex(kind)
            brute.add(list(stored.values()), list(stored))
            for query in random_handles(rng, 30):
                assert index.query(query) == brute.query(query)
