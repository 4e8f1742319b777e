"""Bad input never crashes the text kind: it is signed sanely or refused with a ValueError that says why."""

from __future__ import annotations

import pytest

from fimihub.matching import minhash
from fimihub.matching.kinds.text import TextSignalType

PLAIN = "the harbour bridge will close for repairs next week say officials"


def _zalgo(text: str) -> str:
    marks = "\u0300\u0301\u0334\u0335\u0336\u0337\u0338\u0352\u0489"
    return "".join(c + marks * 3 if c.isalpha() else c for c in text)


def test_zalgo_text_matches_the_plain_text() -> None:
    assert minhash.signature(_zalgo(PLAIN)) == minhash.signature(PLAIN)


def test_bidi_overrides_and_invisible_characters_are_dropped() -> None:
    tricked = (
        "\u202ethe harbour\u202c bridge\u2066 will close\u2069 for re\u200dpairs next week say officials"
    )
    assert minhash.signature(tricked) == minhash.signature(PLAIN)


@pytest.mark.parametrize(
    "value",
    [
        "🔥🔥🔥 👉👉 💯💯💯 🇫🇷🇫🇷 😡😡😡😡",
        "\u200b" * 50,
        "!!! ??? ... ---",
        "a" * 200_000,
        "\ud800\udfff\ud800 lone surrogates",
        "\x00\x01\x02 control \x7f chars",
        "",
    ],
)
def test_text_without_enough_words_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="too short"):
        minhash.signature(value)
    assert (minhash.signatures([value]) == minhash.EMPTY).all()


def test_lone_surrogates_and_private_use_characters_are_signed_when_words_remain() -> None:
    text = "\ud800" + PLAIN.replace(" ", " \udfff\ue000 ")
    assert minhash.signature(text) == minhash.signature(PLAIN)


def test_other_scripts_are_signed() -> None:
    for text in [
        "الحكومة تخفي الحقيقة عن الشعب منذ سنوات طويلة",
        "सरकार लोगों से सच छिपा रही है और कोई नहीं बोलता",
        "รัฐบาล ปิดบัง ความจริง จาก ประชาชน มา หลาย ปี แล้ว",
        "政府 多年来 一直 向 人民 隐瞒 真相",
    ]:
        assert minhash.signature(text).startswith("mh1:")


@pytest.mark.parametrize(
    "text",
    [
        " ".join(f"w{i % 5000}" for i in range(200_000))[:1_000_000],
        "a " * 500_000,  # the most words a megabyte can hold
        ("Zażółć gęślą jaźń, " * 60_000)[:1_000_000],
    ],
    ids=["words", "letters", "accents"],
)
def test_a_megabyte_of_text_is_signed(text: str) -> None:
    assert len(text) == 1_000_000
    value = minhash.signature(text)
    assert minhash.encode(minhash.signatures([text])[0]) == value


def test_text_longer_than_the_limit_is_refused() -> None:
    with pytest.raises(ValueError, match="too long"):
        minhash.signature("word " * (minhash.MAX_TEXT_CHARS // 5 + 1))


def test_expanding_compatibility_characters_are_bounded() -> None:
    # U+FDFA becomes 18 characters under NFKC: 100k of them would be 1.8 million after normalisation.
    with pytest.raises(ValueError, match="too long"):
        minhash.signature("\ufdfa " * 100_000)


def test_signal_type_refuses_what_is_not_text() -> None:
    kind = TextSignalType()
    with pytest.raises(ValueError, match="must be a string"):
        kind.normalise(b"bytes are not text")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="too short"):
        kind.normalise("   ")
