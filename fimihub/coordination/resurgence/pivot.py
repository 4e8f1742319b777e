"""Pivoting: what the flagged accounts of an operation share widens its fingerprint for a second look.

An analyst who finds a returning network does not stop at the accounts the old fingerprint found: the
network's new domains, links, hashtags, images and texts lead to the accounts the old fingerprint missed (a
second wave that reuses the first returning wave's rebrand, not the disrupted operation's own content). A
round of pivoting does the same: the content that at least two accounts flagged under an operation shared
(:func:`~fimihub.coordination.fingerprint.build_fingerprints_from_export`'s support rule) joins that
operation's fingerprint, and the export is scored again. What widens the fingerprint has passed the full
test (a score and co-action with a network, or a score that needs none), what everyone shares counts for
nothing as before, and an account the second round adds is confirmed by co-action like any other.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from fimihub.coordination.features import ExportView
from fimihub.coordination.fingerprint import OperationFingerprint, build_fingerprints_from_export
from fimihub.coordination.resurgence.calibration import probability

__all__ = ["PIVOT_NOTE", "merge_rounds", "widened"]

#: Handle patterns are not widened, so this key only satisfies the builder: it keys nothing that is kept.
_UNUSED_KEY = b"fimihub-pivot-rounds-keep-no-handle-patterns"
#: Added to the explanation of an account the pivot round found.
PIVOT_NOTE = "found by pivoting: shares content with the {n} accounts flagged under it before"


def widened(
    table: pa.Table,
    view: ExportView,
    fps: Sequence[OperationFingerprint],
    candidates: pa.Table,
) -> tuple[list[OperationFingerprint], dict[str, int]] | None:
    """``fps`` with what the flagged candidates of each operation shared added (content only: handle
    patterns and rhythm stay the disrupted operation's), and how many flagged accounts each operation had;
    ``None`` when no flagged account adds anything."""
    flagged = candidates.filter(candidates.column("flagged"))
    if flagged.num_rows < 2:
        return None
    code = {(p, a): c for c, (p, a) in enumerate(zip(view.platforms, view.account_ids, strict=True))}
    label: dict[int, str] = {}
    for row in flagged.select(["platform", "account_id", "operation"]).to_pylist():
        found = code.get((row["platform"], row["account_id"]))
        if found is not None:
            label[found] = row["operation"]
    accounts = np.fromiter(label, dtype=np.int64, count=len(label))
    rows = np.flatnonzero(np.isin(view.account, accounts))
    if not len(rows):
        return None
    sub = table.take(pa.array(rows))
    if "operation" in sub.column_names:
        sub = sub.drop_columns(["operation"])
    sub = sub.append_column("operation", pa.array([label[c] for c in view.account[rows].tolist()]))
    if "handle" in sub.column_names:
        sub = sub.drop_columns(["handle"])
    found_fps = build_fingerprints_from_export(sub, key=_UNUSED_KEY).fingerprints
    extra = {fp.operation: fp for fp in found_fps}
    out: list[OperationFingerprint] = []
    grew = False
    for fp in fps:
        more = extra.get(fp.operation)
        if more is None:
            out.append(fp)
            continue
        bigger = replace(
            fp,
            domains=fp.domains + more.domains,
            urls=fp.urls + more.urls,
            hashtags=fp.hashtags + more.hashtags,
            pdq=fp.pdq + more.pdq,
            text_signatures=fp.text_signatures + more.text_signatures,
        )
        grew = grew or bigger.size > fp.size
        out.append(bigger)
    if not grew:
        return None
    return out, dict(Counter(label.values()))


def merge_rounds(
    before: pa.Table, after: pa.Table, flagged_under: dict[str, int], *, confirm: bool = True
) -> pa.Table:
    """The candidates of both rounds: an account the first round flagged keeps its first-round row (its
    evidence told against the disrupted operation's own fingerprint, not against its own posts); every other
    account takes its second-round row, and one whose score the widened fingerprint raised is marked in its
    evidence (``"pivot": true``) and explanation, so an analyst knows it was found through the network. With
    ``confirm``, such an account is flagged only when co-action confirms it: the widened fingerprint holds
    what the network posted to blend in too, so its score alone (``alone_threshold``) flags nothing."""
    first = {
        (p, a): (f, s)
        for p, a, f, s in zip(
            before.column("platform").to_pylist(),
            before.column("account_id").to_pylist(),
            before.column("flagged").to_pylist(),
            before.column("score").to_pylist(),
            strict=True,
        )
    }
    kept = [bool(first.get(key, (False, 0.0))[0]) for key in _keys(before)]
    # Networks are numbered per round; the second round's numbers hold for everyone (a first-wave network the
    # pivot joined to a second wave is one network, and its numbers must not collide with a new one's).
    joined = {
        (key, operation): network
        for key, operation, network in zip(
            _keys(after),
            after.column("operation").to_pylist(),
            after.column("network").to_pylist(),
            strict=True,
        )
        if network
    }
    networks = [
        joined.get((key, operation), network)
        for key, operation, network in zip(
            _keys(before),
            before.column("operation").to_pylist(),
            before.column("network").to_pylist(),
            strict=True,
        )
    ]
    at = before.column_names.index("network")
    before = before.set_column(at, before.schema.field(at), pa.array(networks, pa.string()))
    later = [not first.get(key, (False, 0.0))[0] for key in _keys(after)]
    after = after.filter(pa.array(later, pa.bool_()))
    evidence = after.column("evidence").to_pylist()
    explanation = after.column("explanation").to_pylist()
    flagged = after.column("flagged").to_pylist()
    chance = after.column("probability").to_pylist()
    for i, (key, operation, score, confirmed) in enumerate(
        zip(
            _keys(after),
            after.column("operation").to_pylist(),
            after.column("score").to_pylist(),
            after.column("confirmed").to_pylist(),
            strict=True,
        )
    ):
        if key in first and score <= first[key][1]:
            continue
        if confirm and not confirmed:
            # Evidence drawn from the export itself (what flagged accounts also posted to blend in) never
            # flags on its own: only co-action with the network does.
            flagged[i] = False
            chance[i] = probability(score, False)
        found = json.loads(evidence[i])
        found["pivot"] = True
        evidence[i] = json.dumps(found, separators=(",", ":"))
        note = PIVOT_NOTE.format(n=flagged_under.get(operation, 0))
        explanation[i] = f"{explanation[i]}; {note}" if explanation[i] else note
    changed = {"evidence": evidence, "explanation": explanation, "flagged": flagged, "probability": chance}
    for name, values in changed.items():
        at = after.column_names.index(name)
        after = after.set_column(at, after.schema.field(at), pa.array(values, after.schema.field(at).type))
    merged = pa.concat_tables([before.filter(pa.array(kept, pa.bool_())), after])
    order = pc.sort_indices(
        merged, [("score", "descending"), ("platform", "ascending"), ("account_id", "ascending")]
    )
    return merged.take(order)


def _keys(table: pa.Table) -> list[tuple[str, str]]:
    return list(
        zip(table.column("platform").to_pylist(), table.column("account_id").to_pylist(), strict=True)
    )
