"""A match comes from exactly one basis: a signal hit or a fingerprint (a resurgence candidate)."""

from __future__ import annotations

import pytest

from fimihub.errors import ValidationError
from fimihub.model import Match, parse

BASE = {"id": "match--1", "owner_org": "org--a", "item_kind": "account_id", "item_value": "123"}


def test_signal_match_needs_its_kind() -> None:
    with pytest.raises(ValidationError) as err:
        parse(Match, {**BASE, "signal_id": "signal--1"})
    assert err.value.field == "signal_kind"


def test_resurgence_candidate_has_a_fingerprint_and_evidence() -> None:
    m = parse(Match, {**BASE, "fingerprint_id": "fingerprint--1", "evidence": {"domains": ["x.example"]}})
    assert m.is_resurgence and m.signal_id is None


@pytest.mark.parametrize(
    "basis",
    [{}, {"signal_id": "signal--1", "signal_kind": "domain", "fingerprint_id": "fingerprint--1"}],
    ids=["none", "both"],
)
def test_exactly_one_basis(basis: dict[str, str]) -> None:
    with pytest.raises(ValidationError) as err:
        parse(Match, {**BASE, **basis})
    assert err.value.field == "signal_id"
