"""JSON text: orjson's output is the standard library's compact form, and what orjson refuses still works."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fimihub import jsontext

_EXACT = st.none() | st.booleans() | st.integers(min_value=-(2**63), max_value=2**64 - 1) | st.text()


def _values(scalars: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner, max_size=5),
        max_leaves=30,
    )


#: Values whose text is the standard library's, character for character.
JSON_VALUES = _values(_EXACT)
#: With floats, which orjson may spell differently (``0.0001`` for ``1e-04``): the same number either way.
WITH_FLOATS = _values(_EXACT | st.floats(allow_nan=False, allow_infinity=False))


def _no_surrogates(value: Any) -> bool:
    return "\\ud8" not in json.dumps(value) and "\\udc" not in json.dumps(value).lower()


@given(JSON_VALUES.filter(_no_surrogates))
def test_dumps_is_the_standard_librarys_compact_text(value: Any) -> None:
    assert jsontext.dumps(value) == json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    assert jsontext.loads(jsontext.dumps(value)) == value


@given(WITH_FLOATS.filter(_no_surrogates))
def test_floats_read_back_as_the_same_numbers(value: Any) -> None:
    assert jsontext.loads(jsontext.dumps(value)) == value == json.loads(jsontext.dumps(value))


@given(WITH_FLOATS.filter(_no_surrogates))
def test_canonical_text_is_the_standard_librarys_and_the_same_for_equal_values(value: Any) -> None:
    assert jsontext.canonical(value) == json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    if isinstance(value, dict):
        assert jsontext.canonical(dict(reversed(list(value.items())))) == jsontext.canonical(value)


def test_what_orjson_refuses_the_standard_library_writes() -> None:
    huge = {"count": 2**70, 3: "int key"}
    assert jsontext.dumps(huge) == '{"count":1180591620717411303424,"3":"int key"}'
    assert jsontext.loads(jsontext.dumps(huge)) == {"count": 2**70, "3": "int key"}
    assert jsontext.canonical({"b": 2**70, "a": 1}) == '{"a":1,"b":1180591620717411303424}'


def test_loads_reads_bytes_and_memoryviews_and_names_where_text_is_not_json() -> None:
    assert jsontext.loads(b'{"a":[1,"\xc3\xa9"]}') == {"a": [1, "é"]}
    assert jsontext.loads(memoryview(b"[1,2]")) == [1, 2]
    assert math.isnan(jsontext.loads("NaN"))  # accepted as before: the standard library reads it
    with pytest.raises(json.JSONDecodeError, match="line 1 column 7"):
        jsontext.loads('{"a": }')
