"""Coordination: co-action networks, communities, operation fingerprints and resurgence detection.

Accounts that act on the same objects (posts, links, domains, hashtags, images, texts) within seconds of each
other, again and again, are likely run together; operations whose accounts were removed come back with the
same outlets, texts, images and habits. The room is cut into its parts:

- :mod:`.coaction`: actions from exports and object tables, the co-action network, and its communities;
- :mod:`.fingerprint`: operation fingerprints (what a disrupted operation leaves behind) and their JSON form;
- :mod:`.resurgence`: new accounts scored against fingerprints and confirmed by co-action;
- :mod:`.features`: what fingerprints and resurgence both read of a platform export, in canonical form;
- shared helpers: :mod:`.times` (the one rule by which every time column is read), :mod:`.columns` (Arrow
  columns as the room reads them) and :mod:`.csr` (ragged look-ups and runs of sorted keys in numpy).

Like matching, this room reads no clock and touches no store: times are passed in.
"""

from fimihub.coordination.coaction import (
    ACTION_COLUMNS,
    ActionsResult,
    CoactionResult,
    Community,
    actions_from_export,
    actions_from_objects,
    coaction_edges,
    coaction_evidence,
    detect_coaction,
    find_communities,
)
from fimihub.coordination.fingerprint import (
    FingerprintBuild,
    FingerprintConfig,
    OperationFingerprint,
    PostingRhythm,
    build_fingerprint_from_values,
    build_fingerprints_from_export,
)
from fimihub.coordination.resurgence import (
    EvidenceWeights,
    ResurgenceConfig,
    ResurgenceResult,
    score_accounts,
)

__all__ = [
    "ACTION_COLUMNS",
    "ActionsResult",
    "CoactionResult",
    "Community",
    "EvidenceWeights",
    "FingerprintBuild",
    "FingerprintConfig",
    "OperationFingerprint",
    "PostingRhythm",
    "ResurgenceConfig",
    "ResurgenceResult",
    "actions_from_export",
    "actions_from_objects",
    "build_fingerprint_from_values",
    "build_fingerprints_from_export",
    "coaction_edges",
    "coaction_evidence",
    "detect_coaction",
    "find_communities",
    "score_accounts",
]
