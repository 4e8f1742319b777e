"""JSON from outside the hub: :func:`fimihub.jsontext.loads_limited` reads what ``loads`` reads, and refuses,
naming where, what no part of the hub should have to hold."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fimihub import jsontext

_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(alphabet=st.characters(exclude_categories=["Cs"])),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=25,
)


@given(_VALUES)
def test_what_loads_reads_loads_limited_reads_alike(value: Any) -> None:
    text = json.dumps(value)
    assert jsontext.loads_limited(text) == jsontext.loads(text)
    assert jsontext.loads_limited(text.encode()) == jsontext.loads(text)


@pytest.mark.parametrize(
    ("text", "field", "words"),
    [
        ('{"a": "\\ud800"}', "a", "unpaired surrogate U+D800"),
        ('{"a": ["x", "\\udfff"]}', "a.1", "unpaired surrogate U+DFFF"),
        ('{"\\ud800": 1}', "\\ud800", "unpaired surrogate"),
        ('{"n": ' + "9" * 5000 + "}", "(root)", "5000 digits"),
        ('{"n": -' + "9" * 400 + "}", "(root)", "400 digits"),
        ('{"n": 1e400}', "(root)", "range"),
        ('{"n": NaN}', "(root)", "NaN"),
        ('{"n": -Infinity}', "(root)", "Infinity"),
        ("[" * 100_000 + "]" * 100_000, "(root)", "deeper than 128"),
        ("[" * 129 + "]" * 129, "0.0.0.0.0.0.0.0.…", "deeper than 128"),
        ('{"a": ' * 200 + "1" + "}" * 200, "a.a.a.a.a.a.a.a.…", "deeper than 128"),
    ],
)
def test_what_no_store_can_hold_is_refused_naming_where(text: str, field: str, words: str) -> None:
    with pytest.raises(jsontext.JsonRefused) as refused:
        jsontext.loads_limited(text.encode())
    assert refused.value.field == field and words in refused.value.reason
    refused.value.reason.encode("utf-8")  # the message itself is always text an answer can carry
    refused.value.field.encode("utf-8")


def test_a_surrogate_spelled_in_raw_bytes_is_refused_too() -> None:
    with pytest.raises(jsontext.JsonRefused) as refused:
        jsontext.loads_limited(b'{"k": "\xed\xa0\x80"}')  # UTF-8 has no such bytes; surrogatepass reads them
    assert refused.value.field == "k"


def test_limits_are_limits_not_less() -> None:
    assert jsontext.loads_limited("[" * 128 + "]" * 128) is not None
    assert jsontext.loads_limited("[" * 10 + "]" * 10, max_depth=10) is not None
    with pytest.raises(jsontext.JsonRefused):
        jsontext.loads_limited("[" * 11 + "]" * 11, max_depth=10)
    assert jsontext.loads_limited('"\\ud83d\\ude00"') == "\U0001f600"  # a pair is one character
    assert jsontext.loads_limited("1" + "0" * 300) == pytest.approx(1e300)


@pytest.mark.parametrize("text", [b"{not json", b"\xff\xfe", b"", b"[1,]"])
def test_what_is_not_json_stays_a_decoding_error(text: bytes) -> None:
    with pytest.raises(ValueError) as raised:
        jsontext.loads_limited(text)
    assert not isinstance(raised.value, jsontext.JsonRefused)
