"""Resurgence scoring: each kind of evidence, renamed and edited copies, and confirmation by co-action."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pyarrow as pa
import pytest

from fimihub.coordination.fingerprint import OperationFingerprint, build_fingerprint_from_values
from fimihub.coordination.resurgence import (
    CANDIDATE_SCHEMA,
    EvidenceWeights,
    ResurgenceConfig,
    ResurgenceResult,
    score_accounts,
)
from fimihub.errors import ValidationError

KEY = b"k" * 32
NARRATIVE = (
    "The big newspapers in Iceland are paid to tell you only one side of the story and nothing more so "
    "turn off the news tonight and start asking your own questions about who pays for all of this"
)
EDITED = NARRATIVE.replace("newspapers", "papers").replace("tonight", "today")
IMAGE = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
URL = "https://evil-news.example/politics/story-1"

COLUMNS = (
    "platform", "account_id", "handle", "posted_at", "post_id",
    "text", "urls", "hashtags", "image_pdq", "repost_of",
)  # fmt: skip
#: Every kind counts and anything is a candidate: what each kind finds on its own.
SEE_ALL = ResurgenceConfig(threshold=0.001, confirm=False)


def flip(hex_hash: str, bits: int) -> str:
    value = int(hex_hash, 16)
    for i in range(bits):
        value ^= 1 << (i * 7)
    return f"{value:064x}"


def export(rows: list[dict[str, Any]]) -> pa.Table:
    return pa.table({c: pa.array([str(r.get(c, "")) for r in rows], pa.string()) for c in COLUMNS})


counter = iter(range(1_000_000))


def row(account: str, *, handle: str = "", at: int | str = 1_710_000_000, **fields: Any) -> dict[str, Any]:
    base = {"platform": "x", "account_id": account, "handle": handle or f"someone_{account}", "posted_at": at}
    base["post_id"] = f"p{next(counter)}"
    base.update(fields)
    return base


@pytest.fixture(scope="module")
def fingerprint() -> OperationFingerprint:
    return build_fingerprint_from_values(
        "op-1",
        {
            "url": [URL, "https://evil-news.example/politics/story-2"],
            "hashtag": ["StopTheLies", "WakeUpEurope"],
            "pdq": [IMAGE],
            "text": [NARRATIVE],
            "handle": ["x:maria_schmidt_1234"],
        },
        key=KEY,
    )


def evidence(result: ResurgenceResult) -> dict[str, dict[str, Any]]:
    rows = result.candidates.to_pylist()
    return {r["account_id"]: json.loads(r["evidence"]) for r in rows}


def test_each_kind_of_evidence_scores(fingerprint: OperationFingerprint) -> None:
    table = export(
        [
            row("domain", urls="https://www.evil-news.example/another/page"),
            row("url", urls=URL + "?utm_source=feed"),
            row("hashtag", hashtags="#wakeupeurope"),
            row("pdq", image_pdq=flip(IMAGE, 5)),
            row("text", text=EDITED),
            row("handle", handle="maria_schmidt_1235"),
            row(
                "benign",
                text="lovely walk in the park with the dog this morning",
                urls="https://bbc.com/x",
                hashtags="weekend",
                image_pdq=flip(IMAGE, 120),
            ),
        ]
    )
    result = score_accounts(table, [fingerprint], key=KEY, config=SEE_ALL)
    assert result.candidates.schema == CANDIDATE_SCHEMA
    found = evidence(result)
    assert set(found) == {"domain", "url", "hashtag", "pdq", "text", "handle"}
    for kind in ("domain", "hashtag", "pdq", "text", "handle"):
        assert kind in found[kind], kind
    assert found["url"]["url"] == 1 and found["url"]["domain"] == 1
    assert found["pdq"]["pdq_distance"] == 5
    assert found["text"]["text_similarity"] > 0.6
    assert set(result.candidates.column("operation").to_pylist()) == {"op-1"}
    scores = result.candidates.column("score").to_pylist()
    assert all(0.0 < s <= 1.0 for s in scores)


@pytest.mark.parametrize(
    "handle",
    ["maria_schmidt_1235", "maria_schmidt_1299", "m4ria_schmidt_1234", "mar1a_schmidt_1234",
     "\u041c\u0430ria_schmidt_1234", "mariaschmidt1234", "maria.schmidt.1234", "maria_schmidt_news"],
)  # fmt: skip
def test_renamed_handles_hit(fingerprint: OperationFingerprint, handle: str) -> None:
    result = score_accounts(export([row("new", handle=handle)]), [fingerprint], key=KEY, config=SEE_ALL)
    assert evidence(result)["new"]["handle"] == 1.0


@pytest.mark.parametrize("handle", ["peter_novak_1234", "maria_1234", "schmidt"])
def test_other_handles_miss(fingerprint: OperationFingerprint, handle: str) -> None:
    result = score_accounts(export([row("new", handle=handle)]), [fingerprint], key=KEY, config=SEE_ALL)
    assert result.candidates.num_rows == 0


def test_a_pattern_many_accounts_share_weighs_less(fingerprint: OperationFingerprint) -> None:
    table = export([row(f"a{i}", handle=f"maria_schmidt_{1000 + i}") for i in range(4)])
    found = evidence(score_accounts(table, [fingerprint], key=KEY, config=SEE_ALL))
    assert {e["handle"] for e in found.values()} == {0.25}


def test_wrong_key_gives_no_handle_evidence(fingerprint: OperationFingerprint) -> None:
    table = export([row("new", handle="maria_schmidt_1235")])
    result = score_accounts(table, [fingerprint], key=b"another key of 32 bytes........", config=SEE_ALL)
    assert result.candidates.num_rows == 0 and result.skipped["handle_key"] == 1


def test_near_duplicates_hit_and_far_ones_do_not(fingerprint: OperationFingerprint) -> None:
    unrelated = (
        "Prices at the farmers market went up again this week and the cheese stall has closed for good"
    )
    table = export(
        [
            row("near-image", image_pdq=flip(IMAGE, 12).upper()),
            row("far-image", image_pdq=flip(IMAGE, 60)),
            row("near-text", text=EDITED),
            row("far-text", text=unrelated),
        ]
    )
    assert set(evidence(score_accounts(table, [fingerprint], key=KEY, config=SEE_ALL))) == {
        "near-image",
        "near-text",
    }


def test_a_kind_with_no_weight_is_off(fingerprint: OperationFingerprint) -> None:
    table = export([row("text", text=EDITED), row("pdq", image_pdq=IMAGE)])
    config = replace(SEE_ALL, weights=EvidenceWeights().without("text"))
    assert set(evidence(score_accounts(table, [fingerprint], key=KEY, config=config))) == {"pdq"}


def test_more_evidence_scores_higher(fingerprint: OperationFingerprint) -> None:
    table = export(
        [
            row("one", urls=URL),
            row("two", urls=URL, text=EDITED),
            row("three", urls=URL, text=EDITED, image_pdq=IMAGE, handle="maria_schmidt_1236"),
        ]
    )
    result = score_accounts(table, [fingerprint], key=KEY, config=SEE_ALL)
    scores = {r["account_id"]: r["score"] for r in result.candidates.to_pylist()}
    assert scores["one"] < scores["two"] < scores["three"] <= 1.0


def _network_and_fans() -> pa.Table:
    """Three returning accounts posting the operation's link and text in bursts a minute apart, and two fans
    who share the same link and hashtag, days apart from everyone."""
    rows = []
    start = 1_710_000_000
    for burst in range(3):
        t = start + burst * 86_400
        for i, handle in enumerate(("maria_schmidt_1235", "jonas_weber_78", "lena_koch_4822")):
            rows.append(
                row(f"op{i}", handle=handle, at=t + 40 * i, urls=URL, text=EDITED, hashtags="StopTheLies")
            )
    for i in range(2):
        for day in range(3):
            t = start + 400_000 + i * 200_000 + day * 90_000
            rows.append(row(f"fan{i}", at=t, urls=URL, hashtags="StopTheLies WakeUpEurope"))
    return export(rows)


def test_lookalikes_without_coaction_are_not_confirmed(fingerprint: OperationFingerprint) -> None:
    result = score_accounts(_network_and_fans(), [fingerprint], key=KEY)
    rows = {r["account_id"]: r for r in result.candidates.to_pylist()}
    assert set(rows) == {"op0", "op1", "op2", "fan0", "fan1"}
    for account in ("op0", "op1", "op2"):
        assert rows[account]["confirmed"] and rows[account]["flagged"] and rows[account]["coactors"] == 2
    for account in ("fan0", "fan1"):
        assert rows[account]["score"] >= ResurgenceConfig().threshold
        assert not rows[account]["confirmed"] and not rows[account]["flagged"]
    assert {r["account_id"] for r in result.flagged().to_pylist()} == {"op0", "op1", "op2"}


def test_without_confirmation_lookalikes_are_flagged(fingerprint: OperationFingerprint) -> None:
    config = ResurgenceConfig(confirm=False)
    result = score_accounts(_network_and_fans(), [fingerprint], key=KEY, config=config)
    assert result.flagged().num_rows == 5


def test_best_operation_is_reported(fingerprint: OperationFingerprint) -> None:
    other = build_fingerprint_from_values("op-2", {"url": [URL]}, key=KEY)
    result = score_accounts(export([row("a", urls=URL, text=EDITED)]), [other, fingerprint], key=KEY,
                            config=SEE_ALL)  # fmt: skip
    assert result.candidates.column("operation").to_pylist() == ["op-1"]


def test_missing_columns_are_named(fingerprint: OperationFingerprint) -> None:
    table = export([row("a")]).drop_columns(["platform", "account_id"])
    with pytest.raises(ValidationError) as error:
        score_accounts(table, [fingerprint], key=KEY)
    assert [f for f, _ in error.value.errors] == ["platform", "account_id"]


def test_bad_values_are_skipped_not_fatal(fingerprint: OperationFingerprint) -> None:
    table = export(
        [
            row("a", at="yesterday", urls="hxxp://[bad " + URL, image_pdq="zz " + IMAGE, text=EDITED),
            row("", urls=URL),
            row("b", at="", hashtags="### #StopTheLies"),
            row("c", at="2024-03-01T10:00:00+01:00", text=""),
        ]
    )
    result = score_accounts(table, [fingerprint], key=KEY, config=SEE_ALL)
    assert result.skipped == {"posted_at": 1, "urls": 1, "image_pdq": 1, "hashtags": 1, "account": 1}
    assert set(evidence(result)) == {"a", "b"}
    assert result.rows == 4 and result.accounts == 3


def test_times_as_numbers_and_timestamps(fingerprint: OperationFingerprint) -> None:
    table = _network_and_fans()
    seconds = pa.array([int(v) for v in table.column("posted_at").to_pylist()], pa.int64())
    for column in (seconds, seconds.cast(pa.timestamp("s", tz="UTC"))):
        changed = table.set_column(table.column_names.index("posted_at"), "posted_at", column)
        assert score_accounts(changed, [fingerprint], key=KEY).flagged().num_rows == 3


def test_progress_and_batches(fingerprint: OperationFingerprint) -> None:
    seen: list[tuple[int, int]] = []
    config = ResurgenceConfig(batch_rows=4)
    table = _network_and_fans()
    result = score_accounts(
        table, [fingerprint], key=KEY, config=config, progress=lambda d, t: seen.append((d, t))
    )
    # Rows are looked up once per round: the scan and one pivot round.
    assert seen[-1] == (2 * table.num_rows, 2 * table.num_rows) and len(seen) > 3
    assert result.flagged().num_rows == 3


def test_nothing_to_score() -> None:
    result = score_accounts(export([]), [], key=KEY)
    assert result.candidates.num_rows == 0 and result.rows == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [({"threshold": 0.0}, "threshold"), ({"text_similarity": 0.3}, "text_similarity"),
     ({"pdq_distance": 300}, "pdq_distance"), ({"min_coactors": 0}, "min_coactors"),
     ({"common_share": 0.0}, "common_share"), ({"common_floor": -1}, "common_floor")],
)  # fmt: skip
def test_config_is_checked(change: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as error:
        ResurgenceConfig(**change)
    assert error.value.field == field
    with pytest.raises(ValidationError):
        EvidenceWeights(text=1.5)


# -- specificity: what everyone posts is no evidence, and co-acting on it confirms nothing ------------------

BLEND = ("news", "breaking", "fyp")
MAINSTREAM = "https://www.bbc.co.uk/news/world-1"


@pytest.fixture(scope="module")
def blending() -> OperationFingerprint:
    """An operation that also posted popular hashtags and a broadcaster's link to blend in."""
    return build_fingerprint_from_values(
        "op-blend",
        {
            "url": [URL, MAINSTREAM, "https://trending.example/viral"],
            "domain": ["evil-news.example", "bbc.co.uk", "trending.example"],
            "hashtag": ["StopTheLies", *BLEND],
            "pdq": [IMAGE],
        },
        key=KEY,
    )


def _crowd_on_trending_content(crowd: int = 200) -> list[dict[str, Any]]:
    """``crowd`` ordinary accounts posting the popular hashtags, the broadcaster's link and a viral link
    together, in bursts a minute apart (a trend), on two days."""
    rows = []
    for i in range(crowd):
        for day in range(2):
            at = 1_720_000_000 + day * 86_400 + (i % 10) * 30
            rows.append(
                row(
                    f"crowd{i}",
                    at=at,
                    urls=f"{MAINSTREAM} https://trending.example/viral",
                    hashtags=" ".join(BLEND),
                )
            )
    return rows


def test_values_everyone_uses_count_for_almost_nothing(blending: OperationFingerprint) -> None:
    result = score_accounts(export(_crowd_on_trending_content()), [blending], key=KEY, config=SEE_ALL)
    found = evidence(result)
    sample = found["crowd0"]
    # Three popular hashtags and two popular links matched, and counted for little.
    assert sample["hashtag"] == 3 and sample["hashtag_specific"] < 0.5
    assert sample["url"] == 2 and sample["url_specific"] < 0.5
    # The broadcaster's domain is on a popular-sites list: it counts for nothing, however few used it.
    assert sample["domain_specific"] <= sample["domain"] - 1
    scores = [r["score"] for r in result.candidates.to_pylist()]
    assert max(scores) < ResurgenceConfig().threshold / 2


def test_the_operations_own_content_still_counts_in_full(blending: OperationFingerprint) -> None:
    rows = _crowd_on_trending_content()
    rows.append(row("returner", urls=URL, hashtags="StopTheLies news", image_pdq=flip(IMAGE, 3)))
    found = evidence(score_accounts(export(rows), [blending], key=KEY, config=SEE_ALL))["returner"]
    assert found["url"] == 1 and "url_specific" not in found  # its own article: counted in full
    assert found["hashtag"] == 2 and 1.0 <= found["hashtag_specific"] < 2.0  # #news counts for little
    assert found["pdq"] == 1


def test_coacting_on_trending_content_confirms_nothing(blending: OperationFingerprint) -> None:
    """A crowd that also reshared the operation's image once each, while a trend ran: candidates by score,
    co-acting with one another on the trending links and hashtags, yet none is confirmed."""
    rows = _crowd_on_trending_content(60)
    for i in range(60):
        rows.append(row(f"crowd{i}", at=1_725_000_000 + i * 5_000, image_pdq=IMAGE, urls=URL))
    config = ResurgenceConfig(threshold=0.3)
    result = score_accounts(export(rows), [blending], key=KEY, config=config)
    assert result.candidates.num_rows > 0
    assert result.flagged().num_rows == 0, result.flagged().to_pylist()[:3]
    # Without the popularity filter the same crowd would confirm itself: the trend is co-action.
    loose = replace(config, common_share=1.0, common_floor=10_000)
    assert score_accounts(export(rows), [blending], key=KEY, config=loose).flagged().num_rows > 0


def test_confirmed_candidates_are_grouped_into_returning_networks(fingerprint: OperationFingerprint) -> None:
    rows = {
        r["account_id"]: r
        for r in score_accounts(_network_and_fans(), [fingerprint], key=KEY).candidates.to_pylist()
    }
    assert {rows[a]["network"] for a in ("op0", "op1", "op2")} == {"op-1#1"}
    assert rows["fan0"]["network"] == "" and rows["fan1"]["network"] == ""


def test_every_candidate_is_explained_in_words(fingerprint: OperationFingerprint) -> None:
    rows = {
        r["account_id"]: r
        for r in score_accounts(_network_and_fans(), [fingerprint], key=KEY).candidates.to_pylist()
    }
    told = rows["op0"]["explanation"]
    assert "1 of the operation's 2 links" in told
    assert "1 text (near-duplicates, similarity" in told
    assert "a handle in its naming pattern" in told
    assert "acted in step with 2 other candidates" in told
    assert "acted in step" not in rows["fan0"]["explanation"]


def test_the_probability_reads_the_calibration_and_never_falls_with_the_score(
    fingerprint: OperationFingerprint,
) -> None:
    """Each candidate's probability is its band's in the shipped calibration; a higher score, or confirmation
    by co-action, never means a lower probability; and it is a probability."""
    from fimihub.coordination.resurgence.calibration import BANDS, CALIBRATION, probability

    for flagged in (False, True):
        column = CALIBRATION[flagged]
        assert len(column) == len(BANDS)
        assert all(0.0 < p < 1.0 for p in column)
        assert list(column) == sorted(column)
    assert all(c >= u for c, u in zip(CALIBRATION[True], CALIBRATION[False], strict=True))
    assert CALIBRATION[True] != CALIBRATION[False]  # the fit, not a placeholder
    table = export([row("url", urls=URL), row("both", urls=URL, text=EDITED, image_pdq=flip(IMAGE, 3))])
    candidates = score_accounts(table, [fingerprint], key=KEY, config=SEE_ALL).candidates
    assert candidates.num_rows == 2
    for found in candidates.to_pylist():
        assert found["probability"] == probability(found["score"], found["flagged"])
