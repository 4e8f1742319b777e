"""Policy: who may see and do what (TLP x forum x role), pseudonymisation, retention and safeguards.

This room decides; it stores nothing and reads no clock. It sees only :mod:`fimihub.model`,
:mod:`fimihub.vocab`, :mod:`fimihub.errors` and the standard library.
"""

from fimihub.policy.access import (
    Act,
    Actor,
    check,
    may,
    may_administer_forum,
    may_administer_hub,
    may_administer_org,
    may_review,
    readable,
)
from fimihub.policy.pseudonyms import KEY_BYTES, key_id, new_key, normalise, pseudonymise
from fimihub.policy.retention import expired, expiry_for
from fimihub.policy.safeguards import may_enforce_without_review

__all__ = [
    "KEY_BYTES",
    "Act",
    "Actor",
    "check",
    "expired",
    "expiry_for",
    "key_id",
    "may",
    "may_administer_forum",
    "may_administer_hub",
    "may_administer_org",
    "may_enforce_without_review",
    "may_review",
    "new_key",
    "normalise",
    "pseudonymise",
    "readable",
]
