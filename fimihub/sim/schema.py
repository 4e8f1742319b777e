"""Column layouts of what the simulator writes: the platform export (``posts``) and the account table.

``POSTS_SCHEMA`` is the "Platform export" of DESIGN.md, in its column order, plus the ``operation`` label a
labelled export may carry. The list fields (``urls``, ``hashtags``, ``image_pdq``) are space-separated
strings; hashtags are written without ``#``. Absent strings are empty, never null; only ``posted_at`` of an
account's empty row (an account with no posts) is null.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa

__all__ = ["ACCOUNTS_SCHEMA", "EXPORT_COLUMNS", "POSTS_SCHEMA", "TIMESTAMP", "timestamps"]

#: Times are whole seconds, held in milliseconds: Parquet has no seconds unit, and a table read back from disk
#: should equal the one that was written.
TIMESTAMP = pa.timestamp("ms", tz="UTC")


def timestamps(seconds: npt.NDArray[np.int64], missing: npt.NDArray[np.bool_] | None = None) -> pa.Array:
    """Unix ``seconds`` as a :data:`TIMESTAMP` array, null where ``missing``."""
    return pa.array(seconds * 1000, TIMESTAMP, mask=missing)


#: The columns of the platform export, in order (DESIGN.md, "Platform export").
EXPORT_COLUMNS: tuple[str, ...] = (
    "platform",
    "account_id",
    "handle",
    "display_name",
    "account_created_at",
    "followers",
    "post_id",
    "posted_at",
    "text",
    "urls",
    "hashtags",
    "image_pdq",
    "repost_of",
)

POSTS_SCHEMA = pa.schema(
    [
        pa.field("platform", pa.string(), nullable=False),
        pa.field("account_id", pa.string(), nullable=False),
        pa.field("handle", pa.string(), nullable=False),
        pa.field("display_name", pa.string(), nullable=False),
        pa.field("account_created_at", TIMESTAMP, nullable=False),
        pa.field("followers", pa.int64(), nullable=False),
        pa.field("post_id", pa.string(), nullable=False),
        pa.field("posted_at", TIMESTAMP),
        pa.field("text", pa.string(), nullable=False),
        pa.field("urls", pa.string(), nullable=False),
        pa.field("hashtags", pa.string(), nullable=False),
        pa.field("image_pdq", pa.string(), nullable=False),
        pa.field("repost_of", pa.string(), nullable=False),
        # The label: the operation the account belongs to, "" for benign accounts.
        pa.field("operation", pa.string(), nullable=False),
    ]
)

ACCOUNTS_SCHEMA = pa.schema(
    [
        pa.field("platform", pa.string(), nullable=False),
        pa.field("account_id", pa.string(), nullable=False),
        pa.field("handle", pa.string(), nullable=False),
        pa.field("display_name", pa.string(), nullable=False),
        pa.field("created_at", TIMESTAMP, nullable=False),
        pa.field("followers", pa.int64(), nullable=False),
        pa.field("operation", pa.string(), nullable=False),
        # 0 for an operation's original accounts, 1.. for returning waves; null for benign accounts.
        pa.field("wave", pa.int16()),
        pa.field("removed_at", TIMESTAMP),
        pa.field("lookalike", pa.bool_(), nullable=False),
        pa.field("lookalike_of", pa.string(), nullable=False),
        pa.field("replaces_platform", pa.string(), nullable=False),
        pa.field("replaces_account_id", pa.string(), nullable=False),
        pa.field("rename", pa.string(), nullable=False),
    ]
)
