"""Scores and confirmation: evidence combined into a score per (account, operation), candidates confirmed
by co-action, and the candidate table.

Kind ``k`` with ``n`` matching values gives ``c_k = weight_k * (1 - (1 - first_hit)^n)``; handle and rhythm
give ``weight_k * strength``; kinds combine as independent evidence, ``score = 1 - prod(1 - c_k)``. Pairs
whose score reaches the threshold are candidates, and a candidate that co-acts with enough candidates of the
same operation (:func:`fimihub.coordination.coaction.coaction_edges`) is confirmed. Each account is reported
once, under its confirmed operation if it has one, else its best scoring one.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from fimihub.coordination.coaction import actions_from_export, coaction_edges
from fimihub.coordination.coaction.actions import EXPORT_KINDS
from fimihub.coordination.features import ExportView, platform_name
from fimihub.coordination.fingerprint import OperationFingerprint
from fimihub.coordination.resurgence.calibration import probability
from fimihub.coordination.resurgence.config import CANDIDATE_SCHEMA, COUNTED_KINDS, Pair, ResurgenceConfig
from fimihub.coordination.resurgence.evidence import Evidence
from fimihub.coordination.resurgence.strengths import rhythm_evidence

__all__ = ["candidate_table", "count_coactors", "score_pairs"]


def score_pairs(
    pairs: Sequence[Pair],
    specific: Mapping[str, Mapping[Pair, float]],
    handle: Mapping[Pair, float],
    view: ExportView,
    fps: Sequence[OperationFingerprint],
    config: ResurgenceConfig,
) -> tuple[list[float], dict[Pair, float]]:
    """Each pair's score, and the rhythm strength of the pairs where it was weighed. A kind's matching
    values count by their specificity (``specific``: a value everyone uses counts for almost nothing)."""
    w = config.weights
    miss = np.ones(len(pairs))
    for kind in COUNTED_KINDS:
        n = np.array([specific[kind].get(p, 0.0) for p in pairs], dtype=np.float64)
        miss *= 1.0 - w.of(kind) * (1.0 - (1.0 - config.first_hit) ** n)
    miss *= 1.0 - w.handle * np.array([handle.get(p, 0.0) for p in pairs])
    rhythm = rhythm_evidence(pairs, view, fps, config) if w.rhythm > 0 else {}
    miss *= 1.0 - w.rhythm * np.array([rhythm.get(p, 0.0) for p in pairs])
    return (1.0 - miss).tolist(), rhythm


def count_coactors(
    table: pa.Table,
    view: ExportView,
    pairs: Sequence[Pair],
    config: ResurgenceConfig,
) -> tuple[dict[Pair, int], dict[Pair, int]]:
    """Per candidate pair, how many candidates of the same operation it co-acts with; and the returning
    network each co-acting pair belongs to (a number per operation: the connected groups of co-actors)."""
    if len(pairs) < 2 or "posted_at" not in table.column_names:
        return {}, {}
    accounts = np.unique(np.array([a for a, _ in pairs], dtype=np.int64))
    rows = np.flatnonzero(np.isin(view.account, accounts))
    sub = table.take(pa.array(rows))
    platforms = [platform_name(name, "unknown") for name in view.platforms]
    codes = view.account[rows]
    # The account as its code, so edges name accounts without a second look-up of platform and id.
    sub = sub.set_column(
        sub.column_names.index("platform"), "platform", pa.array([platforms[c] for c in codes.tolist()])
    )
    sub = sub.set_column(
        sub.column_names.index("account_id"), "account_id", pa.array([str(c) for c in codes.tolist()])
    )
    actions = _specific_actions(actions_from_export(sub).actions, table, view, config)
    edges = coaction_edges(actions, window_s=config.coaction_window_s, min_weight=config.min_coaction_weight)
    ops_of: dict[int, set[int]] = defaultdict(set)
    for a, o in pairs:
        ops_of[a].add(o)
    found: Counter[Pair] = Counter()
    linked: dict[Pair, Pair] = {}  # union-find over (account, operation) pairs
    first = [int(s.rsplit(":", 1)[1]) for s in edges.column("account_1").to_pylist()]
    second = [int(s.rsplit(":", 1)[1]) for s in edges.column("account_2").to_pylist()]
    for a, b in zip(first, second, strict=True):
        for o in ops_of[a] & ops_of[b]:
            found[(a, o)] += 1
            found[(b, o)] += 1
            _union(linked, (a, o), (b, o))
    return dict(found), _network_numbers(linked)


def _root(linked: dict[Pair, Pair], pair: Pair) -> Pair:
    while linked.setdefault(pair, pair) != pair:
        linked[pair] = linked[linked[pair]]
        pair = linked[pair]
    return pair


def _union(linked: dict[Pair, Pair], a: Pair, b: Pair) -> None:
    ra, rb = _root(linked, a), _root(linked, b)
    if ra != rb:
        linked[max(ra, rb)] = min(ra, rb)


def _network_numbers(linked: dict[Pair, Pair]) -> dict[Pair, int]:
    """Each linked pair's network, numbered 1, 2, … per operation from its smallest account code."""
    roots = {pair: _root(linked, pair) for pair in list(linked)}
    numbers: dict[Pair, int] = {}
    per_op: Counter[int] = Counter()
    for root in sorted(set(roots.values())):
        per_op[root[1]] += 1
        numbers[root] = per_op[root[1]]
    return {pair: numbers[root] for pair, root in roots.items()}


#: How each counted kind is told in an explanation: the noun, and what the fingerprint holds of it.
_TOLD = {"domain": "domains", "url": "links", "hashtag": "hashtags", "pdq": "images", "text": "texts"}


def explain(evidence: Mapping[str, object], fp: OperationFingerprint) -> str:
    """The evidence of one candidate in words an analyst can check against the fingerprint."""
    held = {"domain": fp.domains, "url": fp.urls, "hashtag": fp.hashtags, "pdq": fp.pdq,
            "text": fp.text_signatures}  # fmt: skip
    parts: list[str] = []
    for kind in COUNTED_KINDS:
        n = evidence.get(kind)
        if not isinstance(n, int):
            continue
        total = len(held[kind])
        part = f"{n} of the operation's {total} {_TOLD[kind] if total != 1 else _TOLD[kind][:-1]}"
        if kind == "pdq" and "pdq_distance" in evidence:
            part += f" (near-duplicates, PDQ distance {evidence['pdq_distance']} at best)"
        if kind == "text" and "text_similarity" in evidence:
            part += f" (near-duplicates, similarity {evidence['text_similarity']} at best)"
        specific = evidence.get(f"{kind}_specific")
        if isinstance(specific, float):
            part += f", widely shared, counting as {specific:g}"
        parts.append(part)
    if "handle" in evidence:
        parts.append(f"a handle in its naming pattern (strength {evidence['handle']})")
    if "rhythm" in evidence:
        parts.append(f"posting hours and days like its own (strength {evidence['rhythm']})")
    if "coactors" in evidence:
        parts.append(f"acted in step with {evidence['coactors']} other candidates of it on specific content")
    return "; ".join(parts)


#: Object kinds whose popularity is counted over the whole export before co-action confirms anything.
_EXACT_KINDS = ("repost", "url", "domain", "hashtag")


def _specific_actions(
    actions: pa.Table, table: pa.Table, view: ExportView, config: ResurgenceConfig
) -> pa.Table:
    """The candidates' actions without those on content many accounts of the export share (a trending link or
    hashtag, a popular post reshared): co-acting on what everyone shares confirms nothing. Popularity is
    counted over every account of the export, as evidence specificity is."""
    kinds = [k for k in _EXACT_KINDS if EXPORT_KINDS[k] in table.column_names]
    if not kinds or not actions.num_rows:
        return actions
    everyone = actions_from_export(table, kinds=kinds).actions
    users = everyone.group_by(["object_kind", "object_id"]).aggregate([("account", "count_distinct")])
    full = max(float(config.common_floor), config.common_share * view.accounts, 1.0)
    popular = users.filter(pc.greater(users.column("account_count_distinct"), full))
    if not popular.num_rows:
        return actions
    keys = pc.binary_join_element_wise(popular.column("object_kind"), popular.column("object_id"), "\x1f")
    mine = pc.binary_join_element_wise(actions.column("object_kind"), actions.column("object_id"), "\x1f")
    return actions.filter(pc.invert(pc.is_in(mine, value_set=keys)))


def candidate_table(
    chosen: Sequence[tuple[Pair, float]],
    coactors: Mapping[Pair, int],
    networks: Mapping[Pair, int],
    found: Evidence,
    handle: Mapping[Pair, float],
    rhythm: Mapping[Pair, float],
    view: ExportView,
    fps: Sequence[OperationFingerprint],
    config: ResurgenceConfig,
) -> pa.Table:
    """One row per account: its confirmed operation if any, else its best scoring one. ``chosen`` are the
    pairs scoring at least ``network_threshold``; a pair is confirmed when it co-acts with enough candidates
    of its operation in a network that holds a pair scoring at least ``threshold``, and reported when it is
    confirmed or scores at least ``threshold``."""
    anchored = {(o, networks[(a, o)]) for (a, o), s in chosen if s >= config.threshold and (a, o) in networks}
    best: dict[int, tuple[bool, float, str, int]] = {}
    for (a, o), score in chosen:
        in_network = (a, o) in networks and (o, networks[(a, o)]) in anchored
        confirmed = in_network and coactors.get((a, o), 0) >= config.min_coactors
        if not confirmed and score < config.threshold:
            continue
        rank = (confirmed, score, fps[o].operation, o)
        if a not in best or rank[:2] > best[a][:2]:
            best[a] = rank
    rows: list[tuple[float, str, str, str, bool, int, str, str, str]] = []
    for a, (confirmed, score, operation, o) in best.items():
        evidence: dict[str, object] = {}
        for kind in COUNTED_KINDS:
            n = found.counts[kind].get((a, o), 0)
            if n:
                evidence[kind] = n
                weighed = round(found.specific[kind].get((a, o), 0.0), 3)
                if weighed < n:
                    evidence[f"{kind}_specific"] = weighed
        if (a, o) in found.quality["pdq"]:
            evidence["pdq_distance"] = int(found.quality["pdq"][(a, o)])
        if (a, o) in found.quality["text"]:
            evidence["text_similarity"] = round(found.quality["text"][(a, o)], 3)
        if (a, o) in handle:
            evidence["handle"] = round(handle[(a, o)], 3)
        if (a, o) in rhythm:
            evidence["rhythm"] = round(rhythm[(a, o)], 3)
        coacting = coactors.get((a, o), 0)
        if coacting:
            evidence["coactors"] = coacting
        summary = json.dumps(evidence, separators=(",", ":"))
        network = f"{operation}#{networks[(a, o)]}" if confirmed and (a, o) in networks else ""
        why = explain(evidence, fps[o])
        rows.append(
            (
                -score,
                view.platforms[a],
                view.account_ids[a],
                operation,
                confirmed,
                coacting,
                summary,
                network,
                why,
            )
        )
    rows.sort()
    columns = list(zip(*rows, strict=True)) if rows else [()] * 9
    scores = [round(-s, 6) for s in columns[0]]
    flagged = [
        c or not config.confirm or s >= config.alone_threshold
        for c, s in zip(columns[4], scores, strict=True)
    ]
    return pa.table(
        {
            "platform": pa.array(columns[1], pa.string()),
            "account_id": pa.array(columns[2], pa.string()),
            "operation": pa.array(columns[3], pa.string()),
            "score": pa.array(scores, pa.float64()),
            "probability": pa.array(
                [probability(s, f) for s, f in zip(scores, flagged, strict=True)], pa.float64()
            ),
            "confirmed": pa.array(columns[4], pa.bool_()),
            "flagged": pa.array(flagged, pa.bool_()),
            "coactors": pa.array(columns[5], pa.int64()),
            "evidence": pa.array(columns[6], pa.string()),
            "network": pa.array(columns[7], pa.string()),
            "explanation": pa.array(columns[8], pa.string()),
        },
        schema=CANDIDATE_SCHEMA,
    )
