"""What operation fingerprints and resurgence scoring read from a platform export, shared by both.

A fingerprint drawn from a disrupted operation's export and the scan of new accounts against it must see the
same values in the same canonical form, or nothing would match, so both read an export here:

- :mod:`.view`: the rows tied to accounts, the string columns, and post times (by the one rule of
  :mod:`fimihub.coordination.times`);
- :mod:`.occurrences`: canonical URLs and their registrable domains, hashtags, PDQ hashes and MinHash
  signatures of texts, found per distinct value;
- :mod:`.handles`: handle patterns, which travel only as keyed digests.

Values that cannot be read are counted per column in a ``skipped`` counter and left out; a bad value never
stops a build or a scan.
"""

from fimihub.coordination.features.handles import (
    MIN_KEY_BYTES,
    MIN_PATTERN_LETTERS,
    check_digest,
    check_key,
    handle_pairs,
    handle_patterns,
    keyed_group_patterns,
    keyed_patterns,
    pattern_key_id,
)
from fimihub.coordination.features.occurrences import (
    Occurrences,
    TextOccurrences,
    hashtag_occurrences,
    pdq_occurrences,
    text_occurrences,
    url_occurrences,
)
from fimihub.coordination.features.view import REQUIRED_COLUMNS, ExportView, export_view, platform_name

__all__ = [
    "MIN_KEY_BYTES",
    "MIN_PATTERN_LETTERS",
    "REQUIRED_COLUMNS",
    "ExportView",
    "Occurrences",
    "TextOccurrences",
    "check_digest",
    "check_key",
    "export_view",
    "handle_pairs",
    "handle_patterns",
    "hashtag_occurrences",
    "keyed_group_patterns",
    "keyed_patterns",
    "pattern_key_id",
    "pdq_occurrences",
    "platform_name",
    "text_occurrences",
    "url_occurrences",
]
