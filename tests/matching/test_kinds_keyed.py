"""The personal kinds: keyed hashes only."""

from __future__ import annotations

import random
from typing import ClassVar

import pytest

from fimihub.matching.base import SignalType
from fimihub.matching.kinds.keyed import AccountIdSignalType, EmailSignalType, PhoneSignalType
from fimihub.model.signals import SignalKind
from tests.matching.signal_type_suite import SignalTypeSuite

DIGEST = "0f" * 32


def random_hex(rng: random.Random, n: int, digits: int) -> list[str]:
    # A small alphabet of prefixes so that some random values repeat and queries hit.
    return [f"{rng.randrange(64):02x}" + "0" * (digits - 2) for _ in range(n)]


class TestAccountIdKind(SignalTypeSuite):
    signal_type: ClassVar[SignalType] = AccountIdSignalType()
    examples: ClassVar[dict[str, str]] = {DIGEST.upper(): DIGEST, f"  {DIGEST} ": DIGEST}
    junk: ClassVar[list[str]] = [
        DIGEST[:-1],
        DIGEST + "0",
        "g" * 64,
        "someone@example.org",
        "+44 20 7946 0958",
    ]

    def random_values(self, rng: random.Random, n: int) -> list[str]:
        return random_hex(rng, n, 64)


class TestEmailKind(TestAccountIdKind):
    signal_type: ClassVar[SignalType] = EmailSignalType()


class TestPhoneKind(TestAccountIdKind):
    signal_type: ClassVar[SignalType] = PhoneSignalType()


@pytest.mark.parametrize("value", ["someone@example.org", "+44 20 7946 0958"])
def test_identifiers_in_clear_are_refused_with_advice(value: str) -> None:
    with pytest.raises(ValueError, match="keyed hash"):
        EmailSignalType().normalise(value)


def test_kinds() -> None:
    assert [t.kind for t in (AccountIdSignalType(), EmailSignalType(), PhoneSignalType())] == [
        SignalKind.ACCOUNT_ID,
        SignalKind.EMAIL,
        SignalKind.PHONE,
    ]
