"""Coordination: co-action networks, communities, operation fingerprints and resurgence detection.

Accounts that act on the same objects (posts, links, domains, hashtags, images, texts) within seconds of each
other, again and again, are likely run together. :mod:`.actions` turns platform exports and object tables into
actions, :mod:`.coaction` builds the network of accounts that co-act, and :mod:`.communities` finds the
groups in it, each with evidence and a score. Like matching, this room reads no clock and touches no store:
times are passed in.
"""

from fimihub.coordination.actions import (
    ACTION_COLUMNS,
    ActionsResult,
    actions_from_export,
    actions_from_objects,
)
from fimihub.coordination.coaction import CoactionResult, coaction_edges, coaction_evidence, detect_coaction
from fimihub.coordination.communities import Community, find_communities
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
