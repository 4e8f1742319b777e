"""Operation fingerprints: what a disrupted influence operation leaves behind that its next accounts reuse.

When a platform removes an operation's accounts, the operators usually come back: new accounts, often on
another platform, under handles close to the removed ones, linking to the same outlets (or look-alikes of
them), carrying the same hashtags, and posting lightly edited copies of the same texts and images, on the same
working hours. A fingerprint collects those traits of one operation so that new accounts can be scored
against it (:mod:`fimihub.coordination.resurgence`), and so that a forum can share it with its members.

What a fingerprint holds, and why none of it is personal data in clear:

- ``domains``, ``urls``, ``hashtags``: the operation's outlets, articles and tags. They describe the
  operation's infrastructure and messaging, not a person. Links to the platforms' own sites (profile and post
  URLs, which would name accounts) are never taken in.
- ``pdq``: perceptual hashes (256-bit, hex) of the images it posted; an image cannot be rebuilt from one.
- ``text_signatures``: ``mh1`` MinHash signatures of its texts (see :mod:`fimihub.matching.minhash`);
  no text is kept, and a signature only tells a holder of a candidate text whether it is a near-duplicate.
- ``handle_patterns``: HMAC-SHA256 digests, under a key the caller passes (the forum's pseudonymisation
  key), of *patterns* of the removed accounts' handles: the handle folded and generalised so that renames
  such as ``name_1234`` -> ``name_1235`` or look-alike letters keep the pattern (see
  :func:`fimihub.coordination.features.handles.handle_patterns`). Without the key a digest can be neither
  read nor tested; ``pattern_key_id`` names the key (a hash of it, not the key).
- ``rhythm``: the share of posts per hour of day (UTC) and per weekday, over all accounts together.
- ``platforms``, ``accounts``, ``posts``: where it was active, and how many accounts and posts it had.

No account id, handle, display name or post text is ever stored. Values that only one account used are left
out (:attr:`FingerprintConfig.min_accounts`): an operation's traits are what several of its accounts share,
while what one account posted alone (cover chatter, a personal photo) says nothing about the operation and
is the most likely to be about a person.

Fingerprints are immutable values with a versioned JSON form (``"format": "fimihub-fingerprint"``,
``"version": 1``); :meth:`OperationFingerprint.from_dict` checks every field and names the bad one.

This package's ``__init__`` is the public entry; the work is done in its modules: the value and its JSON form
(:mod:`.model`), fingerprints from a labelled export (:mod:`.from_export`) and the support counting that keeps
shared values (:mod:`.support`), and fingerprints from plain values (:mod:`.from_values`). What they read of
an export is read by :mod:`fimihub.coordination.features`, as resurgence scoring reads it.
"""

from fimihub.coordination.fingerprint.from_export import FingerprintBuild, build_fingerprints_from_export
from fimihub.coordination.fingerprint.from_values import build_fingerprint_from_values
from fimihub.coordination.fingerprint.model import (
    FINGERPRINT_FORMAT,
    FINGERPRINT_VERSION,
    OperationFingerprint,
    PostingRhythm,
)
from fimihub.coordination.fingerprint.support import Exclude, FingerprintConfig

__all__ = [
    "FINGERPRINT_FORMAT",
    "FINGERPRINT_VERSION",
    "Exclude",
    "FingerprintBuild",
    "FingerprintConfig",
    "OperationFingerprint",
    "PostingRhythm",
    "build_fingerprint_from_values",
    "build_fingerprints_from_export",
]
