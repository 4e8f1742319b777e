"""Resurgence detection: which new accounts are a disrupted operation coming back?

Accounts of a platform export (no time window needed) are scored against the fingerprints of disrupted
operations (:mod:`fimihub.coordination.fingerprint`), then the likely ones are *confirmed* by co-action.

Evidence, per account and operation (each kind can be switched off by giving it weight 0):

``domain``, ``url``, ``hashtag``
    distinct fingerprint values the account used, looked up exactly (registrable domains of its links,
    canonical URLs, canonical hashtags).
``pdq``
    distinct fingerprint images the account posted a near-duplicate of: PDQ Hamming distance at most
    :attr:`ResurgenceConfig.pdq_distance`, found with the PDQ index.
``text``
    distinct fingerprint texts the account posted a near-duplicate of: estimated word-shingle Jaccard of at
    least :attr:`ResurgenceConfig.text_similarity` (less the estimate's error margin), found with MinHash LSH.
``handle``
    the account's handle has a pattern in the fingerprint (renames such as ``name_1234`` -> ``name_1235`` and
    look-alike letters keep the pattern). A pattern that several new accounts share says less about each:
    the evidence is ``1 / n`` for a pattern ``n`` scanned accounts have.
``rhythm``
    how much more the account's posting hours and weekdays look like the operation's than like everyone's
    in the export (Bhattacharyya coefficients), for accounts with at least ``min_rhythm_posts`` posts. It
    never makes a candidate on its own: it is only weighed for accounts with other evidence.

Specificity: a matching value counts by how rare it is among the scanned accounts. Up to
``max(common_floor, common_share * accounts)`` users it counts as one; above that, in proportion
(``full / users``), so ``#news``, a broadcaster's link or content that trends count for almost nothing; and
a domain on a popular-sites warning list (:data:`~.evidence.POPULAR_SITE_LISTS`) counts for nothing. An
operation's own domains, images and texts are rare outside it and count in full; what it posted to blend in
is everyone's. The evidence summary gives each kind's count and, where less, its specific weight
(``hashtag: 3, hashtag_specific: 0.04``).

Scoring: kind ``k`` with specific weight ``n`` gives ``c_k = weight_k * (1 - (1 - first_hit)^n)`` (the first
value earns ``first_hit`` of the kind's weight, each further one the same share of what is left); handle and
rhythm give ``weight_k * strength``. Kinds combine as independent evidence, ``score = 1 - prod(1 - c_k)``, so
the score is in ``[0, 1]``, grows with every kind, and no single kind can exceed its weight. Accounts whose
best score reaches :attr:`ResurgenceConfig.threshold` are *candidates*.

Confirmation: operations return as networks. Candidates of the same operation that co-act with each other
(:func:`fimihub.coordination.coaction.coaction_edges`: the same objects within ``coaction_window_s``, on at
least ``min_coaction_weight`` distinct objects) are *confirmed*. Only specific content counts: links,
domains, hashtags and reposts that more than the "common" number of the export's accounts shared are left
out first, so a crowd on a trend does not confirm itself. A confirmed candidate needs ``min_coactors`` (2)
co-actors: two accounts that happen to post the same content together are not a network. Accounts scoring
at least ``network_threshold`` (below ``threshold``) join a returning network they co-act with in that way,
when a candidate at ``threshold`` anchors it: membership of a network is evidence too. Benign look-alikes —
fans who share an operation's links and hashtags now and then — score as candidates but do not act in step
with the operation's accounts, so they stay unconfirmed. With :attr:`ResurgenceConfig.confirm` (the default)
only confirmed candidates are *flagged*; every candidate is reported either way, for review.

Everything is looked up by distinct value, in batches of rows, with exact sets, the PDQ index and the text
index, so millions of posts take seconds to minutes (text signing dominates). No clock, store or network.

This package's ``__init__`` is the public entry and drives a scan; the parts live in its modules: the weights,
settings and result (:mod:`.config`), the counted look-ups (:mod:`.evidence`), handle and rhythm evidence
(:mod:`.strengths`), and scoring, confirmation and the candidate table (:mod:`.scoring`). An export is read
as fingerprints read it (:mod:`fimihub.coordination.features`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import pyarrow as pa

from fimihub.coordination.features import ExportView, export_view
from fimihub.coordination.fingerprint import OperationFingerprint
from fimihub.coordination.resurgence.config import (
    CANDIDATE_SCHEMA,
    EVIDENCE_KINDS,
    EvidenceWeights,
    Progress,
    ResurgenceConfig,
    ResurgenceResult,
)
from fimihub.coordination.resurgence.evidence import counted_evidence
from fimihub.coordination.resurgence.pivot import merge_rounds, widened
from fimihub.coordination.resurgence.scoring import candidate_table, count_coactors, score_pairs
from fimihub.coordination.resurgence.strengths import handle_evidence

__all__ = [
    "CANDIDATE_SCHEMA",
    "EVIDENCE_KINDS",
    "EvidenceWeights",
    "Progress",
    "ResurgenceConfig",
    "ResurgenceResult",
    "score_accounts",
]


def score_accounts(
    table: pa.Table,
    fingerprints: Sequence[OperationFingerprint],
    *,
    key: bytes | Sequence[bytes] | None = None,
    config: ResurgenceConfig | None = None,
    progress: Progress | None = None,
) -> ResurgenceResult:
    """Score every account of the platform export ``table`` against ``fingerprints`` (see the module doc).

    ``platform`` and ``account_id`` are required (``ValidationError`` names each one missing); the other
    export columns are used when present, and unreadable values are counted in ``skipped`` by column.
    ``key`` (one key or several) is what the fingerprints' handle patterns were made with; a fingerprint
    whose ``pattern_key_id`` names none of them gets no handle evidence (counted as
    ``skipped["handle_key"]``). ``progress(done, total)`` is called with rows looked up so far, every round
    counted (``total`` is the rows times ``1 + pivot_rounds``).
    """
    config = config or ResurgenceConfig()
    skipped: Counter[str] = Counter()
    view = export_view(table, skipped)
    fps = list(fingerprints)
    rounds = 1 + config.pivot_rounds

    def step(done: int) -> Progress | None:
        if progress is None:
            return None
        return lambda rows, _total: progress(done * view.rows + rows, rounds * view.rows)

    candidates = _round(table, view, fps, key, config, skipped, step(0))
    for done in range(1, rounds):
        wider = widened(table, view, fps, candidates)
        if wider is None:
            break
        fps, flagged_under = wider
        # The second look reads the same rows: what it could not read was counted the first time.
        again = _round(table, view, fps, key, config, Counter(), step(done))
        candidates = merge_rounds(candidates, again, flagged_under, confirm=config.confirm)
    if progress is not None:
        progress(rounds * view.rows, rounds * view.rows)
    return ResurgenceResult(candidates, view.rows, view.accounts, dict(skipped))


def _round(
    table: pa.Table,
    view: ExportView,
    fps: Sequence[OperationFingerprint],
    key: bytes | Sequence[bytes] | None,
    config: ResurgenceConfig,
    skipped: Counter[str],
    progress: Progress | None,
) -> pa.Table:
    """One scoring of every account against ``fps``: evidence, scores, co-action, the candidate table."""
    evidence = counted_evidence(view, fps, config, skipped, progress)
    handle = handle_evidence(view, fps, key, skipped) if config.weights.handle > 0 else {}
    pairs = sorted(set().union(*(c.keys() for c in evidence.counts.values()), handle.keys()))
    scores, rhythm = score_pairs(pairs, evidence.specific, handle, view, fps, config)
    floor = min(config.network_threshold, config.threshold)
    chosen = [(p, s) for p, s in zip(pairs, scores, strict=True) if s >= floor]
    coactors, networks = count_coactors(table, view, [p for p, _ in chosen], config)
    return candidate_table(chosen, coactors, networks, evidence, handle, rhythm, view, fps, config)
