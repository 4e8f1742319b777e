"""An export's rows by account: what fingerprints and resurgence scoring read first of a platform export.

Rows are tied to account codes (``platform`` and ``account_id`` together; a row without either has none),
the string columns are read with nulls made empty, and post times are read by the one rule of
:mod:`fimihub.coordination.times`; unreadable values are counted per column in a ``skipped`` counter.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from fimihub.coordination.columns import dictionary_codes, require_columns, string_column
from fimihub.coordination.times import parse_times
from fimihub.vocab import platform as platform_slug

__all__ = [
    "REQUIRED_COLUMNS",
    "ExportView",
    "export_view",
    "platform_name",
]

I64 = npt.NDArray[np.int64]

#: Columns without which an export cannot be read at all.
REQUIRED_COLUMNS = ("platform", "account_id")
_STRING_COLUMNS = ("handle", "text", "urls", "hashtags", "image_pdq")


@dataclass(frozen=True)
class ExportView:
    """An export's rows tied to accounts: ``account[i]`` is the account code of row ``i`` (``-1`` for a row
    without platform or account id), and ``platforms[c]`` / ``account_ids[c]`` name account ``c``."""

    rows: int
    account: I64
    platforms: list[str]
    account_ids: list[str]
    columns: dict[str, pa.Array]
    times: I64
    has_time: npt.NDArray[np.bool_]

    @property
    def accounts(self) -> int:
        return len(self.platforms)


def platform_name(name: str, unknown: str | None = None) -> str:
    """The platform slug of an export's ``platform`` value; one the vocabulary does not know is ``unknown``,
    or by default kept as written (trimmed, lower case)."""
    try:
        return platform_slug(name)
    except ValueError:
        return name.strip().lower() if unknown is None else unknown


def export_view(
    table: pa.Table, skipped: Counter[str], *, required: Sequence[str] = REQUIRED_COLUMNS
) -> ExportView:
    """The rows of ``table`` by account, its string columns with nulls made empty, and its post times.

    Raises ``ValidationError`` naming every required column that is missing. Rows with an empty platform
    or account id are counted in ``skipped["account"]``; unreadable post times in ``skipped["posted_at"]``.
    """
    require_columns(table, required, "the export")
    platform = string_column(table, "platform", trim=True)
    account_id = string_column(table, "account_id", trim=True)
    valid = pc.and_(pc.not_equal(platform, ""), pc.not_equal(account_id, ""))
    keys = pc.binary_join_element_wise(platform, account_id, "\x1f")
    encoded = keys.dictionary_encode()
    codes = dictionary_codes(encoded)
    names = encoded.dictionary.to_pylist()
    # Codes of the valid keys only, dense from 0.
    valid_np = valid.to_numpy(zero_copy_only=False).astype(bool)
    used = np.zeros(len(names), dtype=bool)
    used[codes[valid_np]] = True
    renumber = np.full(len(names), -1, dtype=np.int64)
    renumber[used] = np.arange(int(used.sum()))
    account = np.where(valid_np, renumber[codes], -1)
    skipped["account"] += int((~valid_np).sum())
    split = [names[i].split("\x1f", 1) for i in np.flatnonzero(used).tolist()]
    columns = {name: string_column(table, name) for name in _STRING_COLUMNS if name in table.column_names}
    if "posted_at" in table.column_names:
        parsed = parse_times(table.column("posted_at"))
        skipped["posted_at"] += int(parsed.unreadable.sum())
        times, has_time = parsed.seconds, parsed.valid
    else:
        times, has_time = np.zeros(table.num_rows, np.int64), np.zeros(table.num_rows, bool)
    return ExportView(
        rows=table.num_rows,
        account=account,
        platforms=[p for p, _ in split],
        account_ids=[a for _, a in split],
        columns=columns,
        times=times,
        has_time=has_time & (account >= 0),
    )
