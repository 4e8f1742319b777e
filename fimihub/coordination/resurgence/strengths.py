"""Evidence that is a strength from 0 to 1 rather than a count: handle patterns and posting rhythm.

``handle``: the account's handle has a pattern in the operation's fingerprint (the patterns are compared as
keyed digests, under the key the fingerprint names). A pattern that ``n`` scanned accounts share says less
about each of them, so the strength is ``1 / n`` for the rarest pattern shared.

``rhythm``: how much more the account's posting hours and weekdays look like the operation's than like
everyone's in the export (Bhattacharyya coefficients), for accounts with enough posts. It is only worked out
for pairs that already have other evidence.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from fimihub.coordination.features import (
    ExportView,
    check_key,
    handle_pairs,
    keyed_group_patterns,
    pattern_key_id,
)
from fimihub.coordination.fingerprint import OperationFingerprint
from fimihub.coordination.resurgence.config import Pair, ResurgenceConfig
from fimihub.coordination.times import histograms

__all__ = ["handle_evidence", "rhythm_evidence"]

F64 = npt.NDArray[np.float64]


def handle_evidence(
    view: ExportView,
    fps: Sequence[OperationFingerprint],
    key: bytes | Sequence[bytes] | None,
    skipped: Counter[str],
) -> dict[Pair, float]:
    """Handle evidence per (account, operation): ``1 / n`` for its rarest shared pattern, held by ``n``."""
    if "handle" not in view.columns or not any(f.handle_patterns for f in fps):
        return {}
    keys = [] if key is None else [key] if isinstance(key, bytes | bytearray) else list(key)
    by_id = {pattern_key_id(check_key(k)): bytes(k) for k in keys}
    pairs, clear = handle_pairs(view.columns["handle"], np.flatnonzero(view.account >= 0), view.account)
    evidence: dict[Pair, float] = {}
    for key_id in sorted({f.pattern_key_id for f in fps if f.handle_patterns and f.pattern_key_id}):
        ops = [o for o, f in enumerate(fps) if f.handle_patterns and f.pattern_key_id == key_id]
        if key_id not in by_id:
            skipped["handle_key"] += len(ops)
            continue
        holders: dict[str, set[int]] = defaultdict(set)
        for account, digests in keyed_group_patterns(pairs, clear, by_id[key_id]).items():
            for d in digests:
                holders[d].add(account)
        for o in ops:
            for d in fps[o].handle_patterns:
                for account in holders.get(d, ()):
                    strength = 1.0 / len(holders[d])
                    if strength > evidence.get((account, o), 0.0):
                        evidence[(account, o)] = strength
    return evidence


def rhythm_evidence(
    pairs: Sequence[Pair],
    view: ExportView,
    fps: Sequence[OperationFingerprint],
    config: ResurgenceConfig,
) -> dict[Pair, float]:
    """How much more each account posts on its operation's hours and days than on everyone's (0 to 1)."""
    if not pairs or not view.has_time.any():
        return {}
    accounts = np.unique(np.array([a for a, _ in pairs], dtype=np.int64))
    slot = np.full(view.accounts, -1, dtype=np.int64)
    slot[accounts] = np.arange(len(accounts))
    timed = np.flatnonzero(view.has_time)
    all_hours, all_days = histograms(np.zeros(len(timed), np.int64), view.times[timed], 1)
    mine = timed[slot[view.account[timed]] >= 0]
    hours, days = histograms(slot[view.account[mine]], view.times[mine], len(accounts))
    posts = hours.sum(axis=1)

    def bc(x: F64, y: F64) -> F64:
        return np.asarray(np.sqrt(x * y).sum(axis=-1), dtype=np.float64)

    share_h = hours / np.maximum(posts, 1)[:, None]
    share_d = days / np.maximum(posts, 1)[:, None]
    everyone = 0.5 * (bc(share_h, all_hours[0] / all_hours.sum()) + bc(share_d, all_days[0] / all_days.sum()))
    out: dict[Pair, float] = {}
    for a, o in pairs:
        rhythm = fps[o].rhythm
        s = int(slot[a])
        if rhythm is None or posts[s] < config.min_rhythm_posts:
            continue
        theirs = 0.5 * (
            float(bc(share_h[s], np.asarray(rhythm.hours)))
            + float(bc(share_d[s], np.asarray(rhythm.weekdays)))
        )
        base = float(everyone[s])
        if theirs > base and base < 1.0:
            out[(a, o)] = min(1.0, (theirs - base) / (1.0 - base))
    return out
