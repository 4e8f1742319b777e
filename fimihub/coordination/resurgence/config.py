"""What a resurgence scan is told and what it answers: evidence weights, settings, and the candidate table.

The weights say how much each kind of evidence may add to a score, the config how scores are made,
thresholded and confirmed, and the result holds one :data:`CANDIDATE_SCHEMA` row per candidate account.
How the evidence is found and combined is told in :mod:`fimihub.coordination.resurgence`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace

import pyarrow as pa

from fimihub.coordination.columns import required_schema
from fimihub.errors import ValidationError

__all__ = [
    "CANDIDATE_SCHEMA",
    "COUNTED_KINDS",
    "EVIDENCE_KINDS",
    "EvidenceWeights",
    "Pair",
    "Progress",
    "ResurgenceConfig",
    "ResurgenceResult",
]

#: Called with the rows looked up so far and the rows in all: ``progress(done, total)``.
Progress = Callable[[int, int], None]
#: An account code and an operation number: what evidence, scores and co-actors are kept by.
Pair = tuple[int, int]

#: The kinds of evidence, in the order the evidence summary lists them.
EVIDENCE_KINDS = ("domain", "url", "hashtag", "pdq", "text", "handle", "rhythm")
#: The kinds counted by distinct matching value (the others are a strength from 0 to 1).
COUNTED_KINDS = ("domain", "url", "hashtag", "pdq", "text")

CANDIDATE_SCHEMA = required_schema(
    platform=pa.string(),
    account_id=pa.string(),
    operation=pa.string(),
    score=pa.float64(),
    probability=pa.float64(),
    confirmed=pa.bool_(),
    flagged=pa.bool_(),
    coactors=pa.int64(),
    evidence=pa.string(),
    network=pa.string(),
    explanation=pa.string(),
)
"""One row per candidate account: where it is, the operation it most likely belongs to, its score and the
estimated probability that it is a returning account (see
:mod:`~fimihub.coordination.resurgence.calibration`), whether co-action confirmed it and how many other
candidates of that operation it co-acted with, whether it is flagged for review, the evidence as compact JSON
(matching values per kind, best PDQ distance and text similarity, handle and rhythm strengths), and the
returning network a confirmed candidate belongs to (``operation#n``: the candidates of that operation linked
by co-action; empty when unconfirmed), and the evidence in words ("2 of the operation's 3 links; 1 of the
operation's 1 images (near-duplicates, PDQ distance 3 at best); acted in step with 2 other candidates of it
on specific content")."""


@dataclass(frozen=True)
class EvidenceWeights:
    """The most each kind of evidence can add to a score (``0`` switches the kind off).

    Copied content (near-duplicate texts and images) weighs most: an operation's returning accounts repost
    it, while ordinary users rarely post the same narrative word for word. Links and hashtags are what
    look-alike fans share too, so they weigh less; a handle pattern is suggestive but names collide; posting
    hours are weak evidence and only ever add to other evidence.
    """

    domain: float = 0.5
    url: float = 0.6
    hashtag: float = 0.5
    pdq: float = 0.85
    text: float = 0.85
    handle: float = 0.5
    rhythm: float = 0.2

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
                raise ValidationError(f"weights.{f.name}", "must be a number from 0 to 1")

    def of(self, kind: str) -> float:
        return float(getattr(self, kind))

    def without(self, kind: str) -> EvidenceWeights:
        """These weights with ``kind`` switched off."""
        if kind not in EVIDENCE_KINDS:
            raise ValidationError("kind", f"unknown evidence kind {kind!r}")
        return replace(self, **{kind: 0.0})


@dataclass(frozen=True)
class ResurgenceConfig:
    """How accounts are scored and confirmed. The defaults are tuned on simulated worlds (docs/coordination.md
    gives the measured precision and recall)."""

    weights: EvidenceWeights = field(default_factory=EvidenceWeights)
    #: Share of a kind's weight its first matching value earns; each further value earns the same share of
    #: what is left (0.5: one value half the weight, two three quarters).
    first_hit: float = 0.5
    #: Score from which an account is a candidate.
    threshold: float = 0.6
    #: Score from which an account joins a returning network it co-acts with: below ``threshold`` it is
    #: confirmed only as a co-actor of candidates of the same operation, in a network one of them anchors
    #: (a ``network_threshold`` above ``threshold`` counts as ``threshold``).
    network_threshold: float = 0.4
    #: Largest PDQ Hamming distance of a near-duplicate image (PDQ's own confident-match distance).
    pdq_distance: int = 31
    #: Smallest estimated Jaccard similarity of a near-duplicate text (returning operations edit their texts).
    text_similarity: float = 0.6
    #: Posts an account needs before its posting rhythm is weighed.
    min_rhythm_posts: int = 8
    #: Flag only candidates confirmed by co-action ...
    confirm: bool = True
    #: ... or whose score alone reaches this: evidence that strong (an operation's own domains, images and
    #: texts together) needs no co-action. Chosen on the tuning seeds, where every unconfirmed candidate from
    #: 0.93 up was a returning account and most below it were not (``bench/resurgence_calibrate.py``).
    alone_threshold: float = 0.93
    #: Seconds within which two accounts acting on the same object co-act.
    coaction_window_s: int = 600
    #: Distinct objects two candidates must have co-acted on to count as co-actors.
    min_coaction_weight: int = 2
    #: Co-actors of the same operation a candidate needs to be confirmed (two: a pair of accounts that happen
    #: to post the same popular content together is not a network).
    min_coactors: int = 2
    #: Share of the scanned accounts up to which a matching value counts in full as evidence: a value more
    #: accounts used counts for ``common_share * accounts / users`` of one (``#news``, a broadcaster's link,
    #: content that trends), and a domain on a popular-sites warning list counts for nothing.
    common_share: float = 0.003
    #: Accounts a value may be used by and still count in full, however small the export (the floor under
    #: ``common_share``): a returning network of this many accounts sharing its own content is not "common".
    common_floor: int = 20
    #: Rounds of pivoting: what the accounts flagged under an operation shared (values at least two of them
    #: used) joins its fingerprint, and the export is scored again (:mod:`.pivot`). ``0``: one round only.
    pivot_rounds: int = 1
    #: Rows looked up at a time (bounds memory; progress is reported per batch).
    batch_rows: int = 200_000

    def __post_init__(self) -> None:
        if not 0.0 < self.first_hit <= 1.0:
            raise ValidationError("first_hit", "must be above 0 and at most 1")
        if not 0.0 < self.threshold <= 1.0:
            raise ValidationError("threshold", "must be above 0 and at most 1")
        if isinstance(self.pdq_distance, bool) or not 0 <= self.pdq_distance <= 256:
            raise ValidationError("pdq_distance", "must be a whole number of bits from 0 to 256")
        if not 0.5 <= self.text_similarity < 1.0:
            raise ValidationError("text_similarity", "must be at least 0.5 and below 1")
        if not 0.0 < self.alone_threshold <= 1.0:
            raise ValidationError("alone_threshold", "must be above 0 and at most 1")
        if not 0.0 < self.network_threshold <= 1.0:
            raise ValidationError("network_threshold", "must be above 0 and at most 1")
        if not 0.0 < self.common_share <= 1.0:
            raise ValidationError("common_share", "must be above 0 and at most 1")
        for name in ("min_rhythm_posts", "coaction_window_s", "common_floor", "pivot_rounds"):
            if getattr(self, name) < 0:
                raise ValidationError(name, "must not be negative")
        for name in ("min_coaction_weight", "min_coactors", "batch_rows"):
            if getattr(self, name) < 1:
                raise ValidationError(name, "must be at least 1")


@dataclass(frozen=True)
class ResurgenceResult:
    """What a resurgence scan found: :data:`CANDIDATE_SCHEMA` rows, best score first, and what it read."""

    candidates: pa.Table
    rows: int
    accounts: int
    skipped: dict[str, int]

    def flagged(self) -> pa.Table:
        """The candidates flagged for review."""
        return self.candidates.filter(self.candidates.column("flagged"))
