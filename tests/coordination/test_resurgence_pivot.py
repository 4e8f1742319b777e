"""Pivoting: a second returning wave that reuses the first wave's rebrand, not the disrupted operation's own
content, is found through what the first wave's flagged accounts shared — and fans are still not flagged."""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa
import pytest

from fimihub.coordination.fingerprint import OperationFingerprint, build_fingerprint_from_values
from fimihub.coordination.resurgence import ResurgenceConfig, score_accounts
from fimihub.errors import ValidationError
from tests.coordination.test_resurgence import EDITED, KEY, URL, export, row

BRAND = "https://morning-ledger.example/europe/2024/farms-{n}"
BRAND_TEXT = (
    "Farmers across the island are being sold out by a trade deal nobody voted for and the ministers who "
    "signed it will not even answer a single question about what happens to the family farms next spring"
)
DAY = 86_400


@pytest.fixture(scope="module")
def fingerprint() -> OperationFingerprint:
    return build_fingerprint_from_values(
        "op-1", {"url": [URL], "hashtag": ["StopTheLies"], "text": [EDITED]}, key=KEY
    )


def _waves() -> list[dict[str, Any]]:
    """Wave 1 posts the operation's link and text beside its new brand; wave 2, weeks later, only the new
    brand (its links, hashtag and text); two fans each share one of the brand's links once, days apart."""
    rows = []
    start = 1_710_000_000
    for burst in range(3):
        t = start + burst * DAY
        for i in range(3):
            rows.append(row(f"w1-{i}", at=t + 30 * i, urls=URL, text=EDITED, hashtags="StopTheLies"))
            rows.append(
                row(
                    f"w1-{i}",
                    at=t + 300 + 30 * i,
                    urls=BRAND.format(n=burst),
                    text=BRAND_TEXT,
                    hashtags="FarmsFirst2",
                )
            )
    for burst in range(3):
        t = start + 30 * DAY + burst * DAY
        for i in range(3):
            rows.append(
                row(
                    f"w2-{i}",
                    at=t + 45 * i,
                    urls=BRAND.format(n=burst),
                    text=BRAND_TEXT,
                    hashtags="FarmsFirst2",
                )
            )
    for i in range(2):
        rows.append(row(f"fan{i}", at=start + 50 * DAY + i * 3 * DAY, urls=BRAND.format(n=i)))
    return rows


def _flagged(table: pa.Table, fingerprint: OperationFingerprint, **config: Any) -> dict[str, dict[str, Any]]:
    result = score_accounts(table, [fingerprint], key=KEY, config=ResurgenceConfig(**config))
    return {r["account_id"]: r for r in result.flagged().to_pylist()}


def test_the_second_wave_is_found_by_pivoting(fingerprint: OperationFingerprint) -> None:
    table = export(_waves())
    once = _flagged(table, fingerprint, pivot_rounds=0)
    assert set(once) == {"w1-0", "w1-1", "w1-2"}  # the old fingerprint alone misses the second wave
    pivoted = _flagged(table, fingerprint)
    assert set(pivoted) == {"w1-0", "w1-1", "w1-2", "w2-0", "w2-1", "w2-2"}
    for account in ("w2-0", "w2-1", "w2-2"):
        found = pivoted[account]
        assert found["operation"] == "op-1" and found["confirmed"] and found["network"].startswith("op-1#")
        assert json.loads(found["evidence"])["pivot"] is True
        assert "found by pivoting" in found["explanation"] and "3 accounts flagged" in found["explanation"]
    for account in ("w1-0", "w1-1", "w1-2"):
        assert "pivot" not in json.loads(pivoted[account]["evidence"])
    # The waves act in step within themselves, a month apart: two returning networks, numbered apart.
    first = {pivoted[f"w1-{i}"]["network"] for i in range(3)}
    second = {pivoted[f"w2-{i}"]["network"] for i in range(3)}
    assert len(first) == len(second) == 1 and first != second


def test_fans_of_the_new_brand_are_not_flagged(fingerprint: OperationFingerprint) -> None:
    table = export(_waves())
    result = score_accounts(table, [fingerprint], key=KEY)
    rows = {r["account_id"]: r for r in result.candidates.to_pylist()}
    assert not any(rows[a]["flagged"] for a in ("fan0", "fan1") if a in rows)


def test_a_score_from_the_widened_fingerprint_alone_flags_nothing(fingerprint: OperationFingerprint) -> None:
    """A copycat reposting the new brand's links and text on days nobody else posts scores high against the
    widened fingerprint, above ``alone_threshold`` here; yet only co-action flags what pivoting found."""
    rows = _waves()
    for n in range(3):
        rows.append(row("copycat", at=1_710_000_000 + (60 + 2 * n) * DAY, urls=BRAND.format(n=n),
                        text=BRAND_TEXT, hashtags="FarmsFirst2"))  # fmt: skip
    config = ResurgenceConfig(alone_threshold=0.8)
    result = score_accounts(export(rows), [fingerprint], key=KEY, config=config)
    copycat = next(r for r in result.candidates.to_pylist() if r["account_id"] == "copycat")
    assert copycat["score"] >= config.alone_threshold and not copycat["confirmed"]
    assert not copycat["flagged"] and json.loads(copycat["evidence"])["pivot"] is True
    assert copycat["probability"] < 0.5
    # The second wave, confirmed by co-action, is flagged as before.
    assert {f"w2-{i}" for i in range(3)} <= {r["account_id"] for r in result.flagged().to_pylist()}


def test_what_one_flagged_account_posted_alone_does_not_widen(fingerprint: OperationFingerprint) -> None:
    """Only values at least two flagged accounts shared join the fingerprint: a stray post of one of them
    leads nowhere."""
    rows = _waves()
    stray = "https://a-cookery-blog.example/bread"
    rows.append(row("w1-0", at=1_710_000_000 + 40 * DAY, urls=stray, text="my bread recipe with seeds"))
    for i in range(3):
        rows.append(row(f"baker{i}", at=1_710_000_000 + 40 * DAY + 20 * i, urls=stray))
        rows.append(row(f"baker{i}", at=1_710_000_000 + 41 * DAY + 20 * i, urls=stray))
    flagged = _flagged(export(rows), fingerprint)
    assert not any(a.startswith("baker") for a in flagged)


def test_pivot_rounds_are_checked() -> None:
    with pytest.raises(ValidationError, match="pivot_rounds"):
        ResurgenceConfig(pivot_rounds=-1)


def test_progress_covers_every_round(fingerprint: OperationFingerprint) -> None:
    table = export(_waves())
    seen: list[tuple[int, int]] = []
    score_accounts(table, [fingerprint], key=KEY, progress=lambda d, t: seen.append((d, t)))
    assert seen[-1][0] == seen[-1][1] == 2 * table.num_rows
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
