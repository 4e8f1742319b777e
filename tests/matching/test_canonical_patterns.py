"""The scan's fast path trusts CANONICAL_PATTERNS: every value they accept must already be canonical."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fimihub.matching.kinds import CANONICAL_PATTERNS, SIGNAL_TYPES
from fimihub.model import SignalKind


@pytest.mark.parametrize("kind", sorted(CANONICAL_PATTERNS))
def test_patterns_accept_only_canonical_values(kind: SignalKind) -> None:
    include, exclude = CANONICAL_PATTERNS[kind]
    signal_type = SIGNAL_TYPES[kind]

    @settings(max_examples=400, deadline=None)
    @given(st.from_regex(include, fullmatch=True))
    def check(value: str) -> None:
        if exclude and re.search(exclude, value):
            return
        assert signal_type.normalise(value) == value

    check()


@pytest.mark.parametrize(
    "url",
    ["https://evil-news.example/story/1", "http://a.b.example/x/y-z_(1)", "https://www.example.org/"],
)
def test_typical_urls_take_the_fast_path(url: str) -> None:
    include, exclude = CANONICAL_PATTERNS[SignalKind.URL]
    assert re.fullmatch(include, url) and not (exclude and re.search(exclude, url))
    assert SIGNAL_TYPES[SignalKind.URL].normalise(url) == url


@pytest.mark.parametrize(
    "url",
    [
        "HTTPS://Example.com/a",
        "https://example.com",
        "https://example.com/a?utm_source=x",
        "https://1.2.3.4/",
    ],
)
def test_other_urls_do_not(url: str) -> None:
    include, _ = CANONICAL_PATTERNS[SignalKind.URL]
    assert not re.fullmatch(include, url)
