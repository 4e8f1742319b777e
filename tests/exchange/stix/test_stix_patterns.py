"""Indicator patterns: valid STIX for every signal kind and value, and read back exactly."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from stix2patterns.validator import run_validator

from fimihub.exchange.stix import escape, pattern_for
from fimihub.exchange.stix.indicators import parse_pattern, signal_of_pattern
from fimihub.model import Signal, SignalKind
from tests.exchange.stix import strategies as s
from tests.storage import samples

_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=40)


@settings(max_examples=200, deadline=None)
@given(_TEXT)
def test_escaped_literals_read_back_exactly(value: str) -> None:
    pattern = f"[url:value = {escape(value)}]"
    assert parse_pattern(pattern) == [("url:value", value)]


@settings(max_examples=100, deadline=None)
@given(s.signals())
def test_every_signal_pattern_is_valid_stix(signal: Signal) -> None:
    pattern = pattern_for(signal)
    assert run_validator(pattern, stix_version="2.1") == []
    found = signal_of_pattern(pattern)
    assert found is not None
    kind, value, _ = found
    assert kind == signal.kind
    if kind != SignalKind.HANDLE:
        assert value == signal.value


def test_patterns_per_kind() -> None:
    def pattern(kind: str, value: str, **f: str) -> str:
        return pattern_for(samples.signal(kind=kind, value=value, **f))

    assert pattern("domain", "ex'ample.org") == r"[domain-name:value = 'ex\'ample.org']"
    assert pattern("url", "http://a/b\\c") == r"[url:value = 'http://a/b\\c']"
    # A host given by address is an address object, never a domain name; read back as the same signal.
    assert pattern("domain", "203.0.113.9") == "[ipv4-addr:value = '203.0.113.9']"
    assert pattern("domain", "2001:db8::1") == "[ipv6-addr:value = '2001:db8::1']"
    for address in ("203.0.113.9", "2001:db8::1"):
        assert signal_of_pattern(pattern("domain", address)) == (SignalKind.DOMAIN, address, None)
    assert pattern("md5", "a" * 32) == f"[file:hashes.MD5 = '{'a' * 32}']"
    assert pattern("sha256", "b" * 64) == f"[file:hashes.'SHA-256' = '{'b' * 64}']"
    assert pattern("pdq", "c" * 64) == f"[file:hashes.x_pdq = '{'c' * 64}']"
    assert pattern("handle", "x:someone") == (
        "[user-account:account_type = 'twitter' AND user-account:account_login = 'someone']"
    )
    assert pattern("handle", "someone", platform="telegram") == (
        "[user-account:account_type = 'telegram' AND user-account:account_login = 'someone']"
    )
    assert (
        pattern("text", "mh1:abc")
        == "[x-fimihub-signal:kind = 'text' AND x-fimihub-signal:value = 'mh1:abc']"
    )
    assert pattern("email", "d" * 64).startswith("[x-fimihub-signal:kind = 'email' AND")


def test_other_valid_patterns_are_not_mistaken_for_signals() -> None:
    assert signal_of_pattern("[domain-name:value = 'a.b'] OR [url:value = 'c']") is None
    assert signal_of_pattern("[mac-addr:value = '00:00:5e:00:53:01']") is None
    assert signal_of_pattern("[domain-name:value = 'a.b' AND url:value = 'x']") is None
