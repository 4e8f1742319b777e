"""What a resurgence candidate's score means: the share of candidates like it that were returning accounts.

Fit on the tuning seeds (both world generators, every difficulty level and shape): every candidate the scorer
reports is binned by its score band and whether co-action confirmed it (flagged), and each bin's share of
returning accounts (Laplace-smoothed, then made non-decreasing in the score within each group) is the
estimated probability :mod:`fimihub.coordination.resurgence.calibration` ships. Checked on the hold-out seeds,
which the fit never saw: per bin, the probability beside the share observed there, and the Brier score.

    .venv/bin/python bench/resurgence_calibrate.py --fit-only  # the table to put in calibration.py
    .venv/bin/python bench/resurgence_calibrate.py             # fit, check the shipped table; writes docs
    .venv/bin/python bench/resurgence_calibrate.py --quick --no-write
"""

from __future__ import annotations

import argparse
import platform
import time
from collections.abc import Sequence
from pathlib import Path

from report import write_section
from resurgence_eval import HOLDOUT_SEEDS, KEY, LEVEL_NAMES, SHAPES, TUNING_SEEDS, _keys, world_split

from fimihub.coordination.fingerprint import build_fingerprints_from_export
from fimihub.coordination.resurgence import score_accounts
from fimihub.coordination.resurgence.calibration import BANDS, band_of, probability

HEADING = "## Resurgence scores as probabilities"
DOCS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"

#: (flagged, band) -> [returning, candidates]
Counts = dict[tuple[bool, int], list[int]]


def collect(seeds: Sequence[int], quick: bool) -> tuple[Counts, list[tuple[float, bool, bool]]]:
    """Every candidate of every world: its counts per bin, and (score, flagged, returning) per candidate."""
    counts: Counts = {}
    seen: list[tuple[float, bool, bool]] = []
    for shape in SHAPES:
        if quick and not shape.quick:
            continue
        for level in LEVEL_NAMES:
            for seed in seeds:
                split = world_split(shape, level, seed)
                fingerprints = build_fingerprints_from_export(split.disrupted, key=KEY).fingerprints
                candidates = score_accounts(split.new, fingerprints, key=KEY).candidates
                keys = _keys(candidates).to_pylist()
                scores = candidates.column("score").to_pylist()
                flags = candidates.column("flagged").to_pylist()
                for key, score, flagged in zip(keys, scores, flags, strict=True):
                    returning = key in split.returning
                    cell = counts.setdefault((flagged, band_of(score)), [0, 0])
                    cell[0] += returning
                    cell[1] += 1
                    seen.append((score, flagged, returning))
    return counts, seen


def fit(counts: Counts) -> dict[bool, tuple[float, ...]]:
    """Per group, each band's smoothed share of returning accounts, made non-decreasing in the score."""
    table: dict[bool, tuple[float, ...]] = {}
    for flagged in (False, True):
        shares = []
        for band in range(len(BANDS)):
            right, total = counts.get((flagged, band), [0, 0])
            shares.append((right + 1) / (total + 2))
        # Pool adjacent violators, weighted by the bins' sizes, so a higher score never means less.
        blocks = [[s, counts.get((flagged, b), [0, 0])[1] + 2, 1] for b, s in enumerate(shares)]
        merged: list[list[float]] = []
        for block in blocks:
            merged.append(block)
            while len(merged) > 1 and merged[-2][0] > merged[-1][0]:
                top, under = merged.pop(), merged.pop()
                weight = top[1] + under[1]
                merged.append([(top[0] * top[1] + under[0] * under[1]) / weight, weight, top[2] + under[2]])
        out: list[float] = []
        for value, _, size in merged:
            # Four places, and never 0 or 1: a score in simulated worlds is no certainty.
            out += [round(min(max(value, 1e-4), 1 - 1e-4), 4)] * int(size)
        table[flagged] = tuple(out)
    return table


def check(seen: list[tuple[float, bool, bool]]) -> tuple[list[str], float]:
    """Per bin of the shipped table, its probability beside the share observed; and the Brier score."""
    bins: dict[tuple[bool, int], list[int]] = {}
    brier = 0.0
    for score, flagged, returning in seen:
        p = probability(score, flagged)
        brier += (p - returning) ** 2
        cell = bins.setdefault((flagged, band_of(score)), [0, 0])
        cell[0] += returning
        cell[1] += 1
    rows = []
    for (flagged, band), (right, total) in sorted(bins.items()):
        low, high = BANDS[band]
        p = probability((low + high) / 2, flagged)
        said = "yes" if flagged else "no"
        rows.append(f"| {said} | {low:.2f} to {high:.2f} | {p:.4f} | {right / total:.3f} | {total:,} |")
    return rows, brier / max(len(seen), 1)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="Only the quick world shapes.")
    parser.add_argument("--no-write", action="store_true", help="Do not write docs/benchmarks.md.")
    parser.add_argument("--fit-only", action="store_true", help="Print the fitted table, check nothing.")
    args = parser.parse_args()
    start = time.perf_counter()
    counts, _ = collect(TUNING_SEEDS, args.quick)
    print("fitted on seeds", TUNING_SEEDS, ":", fit(counts), flush=True)
    if args.fit_only:
        return
    _, seen = collect(HOLDOUT_SEEDS, args.quick)
    rows, brier = check(seen)
    seconds = time.perf_counter() - start
    base = sum(r for _, _, r in seen) / max(len(seen), 1)
    lines = [
        HEADING,
        "",
        "Command: `.venv/bin/python bench/resurgence_calibrate.py"
        + (" --quick" if args.quick else "")
        + f"`. Machine: 2 cores ({platform.machine()}, Python {platform.python_version()}); {seconds:.0f} s.",
        "",
        "A candidate's `probability` is the share of candidates like it — the same score band, confirmed by "
        "co-action (flagged) or not — that were returning accounts in the worlds of the tuning seeds "
        f"({', '.join(map(str, TUNING_SEEDS))}; both generators, every level and shape), smoothed and made "
        "non-decreasing in the score (`fimihub/coordination/resurgence/calibration.py`). Below, the same "
        f"bins on the hold-out seeds ({', '.join(map(str, HOLDOUT_SEEDS))}), which the fit never saw: the "
        "probability beside the share observed there.",
        "",
        "| flagged | score | probability | observed (hold-out) | candidates |",
        "|---|---|---:|---:|---:|",
        *rows,
        "",
        f"Brier score on the hold-out candidates: {brier:.4f} ({len(seen):,} candidates, {base:.3f} of them "
        f"returning; a constant guess of that share scores {base * (1 - base):.4f}).",
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        write_section(DOCS, HEADING, text)


if __name__ == "__main__":
    main()
