"""Policy: who may see and do what (TLP x forum x role), pseudonymisation, sealing, retention and safeguards.

This room decides; it stores nothing and reads no clock. It sees only :mod:`fimihub.model`,
:mod:`fimihub.vocab`, :mod:`fimihub.errors`, the standard library and PyNaCl (sealed boxes, in
:mod:`fimihub.policy.sealing`).
"""

from fimihub.policy.access import (
    Act,
    Actor,
    Caller,
    Operator,
    actor_of,
    acts_for_org,
    allows,
    caller_id,
    check,
    in_forum,
    may,
    may_administer_forum,
    may_administer_hub,
    may_administer_org,
    may_declassify,
    may_read,
    may_review,
    may_triage,
    member_only,
    readable,
    reads_within,
)
from fimihub.policy.markings import widening
from fimihub.policy.minimisation import check_forum_takes
from fimihub.policy.pseudonyms import KEY_BYTES, key_id, new_key, normalise, pseudonymise
from fimihub.policy.psi import may_answer_psi, may_open_psi, may_see_psi
from fimihub.policy.retention import expired, expiry_for
from fimihub.policy.safeguards import may_enforce_without_review
from fimihub.policy.sealing import (
    IdentifierKeyPair,
    identifier_key_id,
    new_identifier_key,
    open_sealed,
    parse_identifier_key,
    public_key_of,
    seal,
)

__all__ = [
    "KEY_BYTES",
    "Act",
    "Actor",
    "Caller",
    "IdentifierKeyPair",
    "Operator",
    "actor_of",
    "acts_for_org",
    "allows",
    "caller_id",
    "check",
    "check_forum_takes",
    "expired",
    "expiry_for",
    "identifier_key_id",
    "in_forum",
    "key_id",
    "may",
    "may_administer_forum",
    "may_administer_hub",
    "may_administer_org",
    "may_answer_psi",
    "may_declassify",
    "may_enforce_without_review",
    "may_open_psi",
    "may_read",
    "may_review",
    "may_see_psi",
    "may_triage",
    "member_only",
    "new_identifier_key",
    "new_key",
    "normalise",
    "open_sealed",
    "parse_identifier_key",
    "pseudonymise",
    "public_key_of",
    "readable",
    "reads_within",
    "seal",
    "widening",
]
