"""Actions: who did what to which object, and when — the input of co-action networks.

An *action* is one account touching one *object* at one second: reposting a post, sharing a link, naming a
domain, using a hashtag, posting an image or a text. Coordinated accounts betray themselves by acting on the
same objects within a short time of each other, again and again; :mod:`.network` finds those pairs. This
module turns raw data into a table of actions (:data:`ACTION_COLUMNS`):

``account``
    ``"platform:account_id"`` for a platform export, the account id as given for an object table.
``platform``
    the account's platform slug (empty for an object table, which names none).
``object_kind``
    ``repost``, ``url``, ``domain``, ``hashtag``, ``image``, ``text`` — or ``object`` for an object table.
``object_id``
    what was acted on, in canonical form, so that the same thing written two ways is one object.
``time``
    Unix seconds (``int64``); fractions of a second are dropped.

Objects of a platform export (DESIGN.md, "Platform export"):

- ``repost``: the reposted post, ``"platform:post_id"`` (post ids are only unique on their platform);
- ``url``: each URL in canonical form (:func:`fimihub.matching.kinds.url.normalise_url`);
- ``domain``: the registrable domain of each URL (``news.example.co.uk`` -> ``example.co.uk``);
- ``hashtag``: each hashtag, case-folded (:func:`fimihub.matching.kinds.hashtag.normalise_hashtag`);
- ``image``: near-duplicate images — PDQ hashes within ``image_distance`` bits of each other (single linkage,
  found with the exact PDQ index) are one object, named by the smallest hash of the cluster;
- ``text``: near-duplicate texts — MinHash signatures that the text index finds at estimated Jaccard
  similarity ``text_threshold`` or more (single linkage) are one object, named by a short hash of the
  cluster's first text in sort order. Texts of fewer than five words are not signed.

A repost repeats its original's text, links and image, so only its ``repost`` object is taken from it.
Accounts on different platforms meet on the objects that are not platform-bound: the same URL, domain,
hashtag, image or text.

Nothing here raises on bad rows: missing *columns* are a :class:`~fimihub.errors.ValidationError`, while bad
rows and values are skipped and counted in :attr:`ActionsResult.dropped` by reason (see :data:`DROP_REASONS`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from fimihub.coordination.coaction.clusters import image_clusters, text_clusters
from fimihub.coordination.coaction.codes import compact, remember, string_codes
from fimihub.coordination.coaction.duplicates import first_actions
from fimihub.coordination.columns import (
    dictionary_codes,
    mask,
    require_columns,
    required_schema,
    string_column,
)
from fimihub.coordination.csr import run_starts
from fimihub.coordination.times import parse_times
from fimihub.errors import ValidationError
from fimihub.matching.index.pdq import DEFAULT_THRESHOLD as PDQ_DEFAULT_THRESHOLD
from fimihub.matching.index.text import DEFAULT_THRESHOLD as TEXT_DEFAULT_THRESHOLD
from fimihub.matching.kinds.hashtag import normalise_hashtag
from fimihub.matching.kinds.url import canonical_url_domain, normalise_url
from fimihub.vocab import platform as platform_slug

__all__ = [
    "ACTION_COLUMNS",
    "ACTION_SCHEMA",
    "DEFAULT_MAX_POSTS_PER_ACCOUNT",
    "DROP_REASONS",
    "EXPORT_KINDS",
    "EXPORT_REQUIRED",
    "OBJECT_COLUMNS",
    "ActionsResult",
    "actions_from_export",
    "actions_from_objects",
]

ACTION_SCHEMA = required_schema(
    account=pa.string(), platform=pa.string(), object_kind=pa.string(), object_id=pa.string(), time=pa.int64()
)
ACTION_COLUMNS = tuple(ACTION_SCHEMA.names)
#: Object kinds derived from a platform export, each with the export column it comes from.
EXPORT_KINDS: dict[str, str] = {
    "repost": "repost_of",
    "url": "urls",
    "domain": "urls",
    "hashtag": "hashtags",
    "image": "image_pdq",
    "text": "text",
}
#: Columns every platform export needs, whatever kinds are derived.
EXPORT_REQUIRED = ("platform", "account_id", "posted_at")
#: Columns of an object table in CooRTweet's shape; ``content_id`` is optional.
OBJECT_COLUMNS = ("object_id", "account_id", "content_id", "timestamp_share")
#: Posts of one account beyond which its latest are skipped, so a runaway account cannot swamp a run.
DEFAULT_MAX_POSTS_PER_ACCOUNT = 200_000
#: Why rows or values are skipped, as counted in :attr:`ActionsResult.dropped`.
DROP_REASONS = {
    "no_post": "an account row without a post (the export's way to list an account that never posted)",
    "bad_time": "a time that is missing, or neither ISO 8601 nor Unix seconds as an integer or decimal",
    "empty_account": "no account id",
    "empty_object": "no object id (object tables)",
    "bad_platform": "a platform that is not a platform name",
    "duplicate_row": "a row equal to an earlier one in every column read",
    "account_over_cap": "posts of an account beyond max_posts_per_account",
    "bad_url": "a URL that does not parse (its domain is skipped too)",
    "bad_hashtag": "a hashtag that is no hashtag",
    "bad_image": "an image hash that is not 64 hex digits",
    "text_unsigned": "a text too short (under five words) or too long to sign",
    "duplicate_action": "the same account, object and second as another action (e.g. a link written twice)",
}

I64 = npt.NDArray[np.int64]


@dataclass(frozen=True)
class ActionsResult:
    """A table of actions (:data:`ACTION_COLUMNS`) and what was skipped on the way, counted by reason."""

    actions: pa.Table
    dropped: dict[str, int] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        """Number of actions."""
        return int(self.actions.num_rows)


# -- helpers ----------------------------------------------------------------------------------------------


def _split(column: pa.Array, rows: I64) -> tuple[I64, pa.Array]:
    """The space-separated values of ``column`` at ``rows``: the row of each value, and the values."""
    lists = pc.split_pattern(column.take(pa.array(rows)), " ")
    values = pc.list_flatten(lists)
    parents = rows[np.asarray(pc.list_parent_indices(lists).to_numpy(zero_copy_only=False), dtype=np.int64)]
    keep = mask(pc.not_equal(values, ""))
    return parents[keep], values.filter(pa.array(keep))


def _map_distinct(
    values: pa.Array, rows: I64, convert: Callable[[list[str]], list[str | None]]
) -> tuple[I64, pa.Array, int]:
    """Convert each distinct value once; the rows and converted values that survive, and how many did not."""
    encoded = pc.dictionary_encode(values)
    converted = convert(encoded.dictionary.to_pylist())
    good = np.array([c is not None for c in converted], dtype=bool)
    table = pa.array([c or "" for c in converted], pa.string())
    codes = dictionary_codes(encoded)
    keep = good[codes] if len(good) else np.zeros(len(codes), dtype=bool)
    return rows[keep], table.take(pa.array(codes[keep])), int((~keep).sum())


def _each(function: Callable[[str], str]) -> Callable[[list[str]], list[str | None]]:
    def convert(values: list[str]) -> list[str | None]:
        out: list[str | None] = []
        for value in values:
            try:
                out.append(function(value))
            except ValueError:
                out.append(None)
        return out

    return convert


def _dedupe(actions: pa.Table, dropped: Counter[str]) -> pa.Table:
    """Distinct actions, in order of first appearance."""
    if not actions.num_rows:
        return actions
    distinct = actions.group_by(list(ACTION_COLUMNS), use_threads=False).aggregate([])
    dropped["duplicate_action"] += actions.num_rows - distinct.num_rows
    return distinct.select(list(ACTION_COLUMNS)).cast(ACTION_SCHEMA)


def _result(dropped: Counter[str]) -> dict[str, int]:
    return {reason: count for reason, count in sorted(dropped.items()) if count}


# -- platform exports -------------------------------------------------------------------------------------


def actions_from_export(
    table: pa.Table,
    *,
    kinds: Iterable[str] | None = None,
    image_distance: int = PDQ_DEFAULT_THRESHOLD,
    text_threshold: float = TEXT_DEFAULT_THRESHOLD,
    max_posts_per_account: int | None = DEFAULT_MAX_POSTS_PER_ACCOUNT,
) -> ActionsResult:
    """The actions of a platform export (one row per post; DESIGN.md, "Platform export").

    ``kinds`` chooses the object kinds (:data:`EXPORT_KINDS`); by default, every kind whose column the
    export has. Columns of chosen kinds and :data:`EXPORT_REQUIRED` must be there (else
    :class:`~fimihub.errors.ValidationError` naming them). ``image_distance`` is the largest PDQ Hamming
    distance within an image cluster; ``text_threshold`` the estimated Jaccard similarity of near-duplicate
    texts. ``max_posts_per_account`` keeps an account's earliest posts only (``None``: no cap)."""
    require_columns(table, EXPORT_REQUIRED, "the platform export")
    if kinds is None:
        chosen = [k for k, column in EXPORT_KINDS.items() if column in table.column_names]
        if not chosen:
            wanted = sorted(set(EXPORT_KINDS.values()))
            raise ValidationError(
                wanted[0], f"the platform export has none of the object columns {', '.join(wanted)}"
            )
    else:
        chosen = list(dict.fromkeys(kinds))
        unknown = [k for k in chosen if k not in EXPORT_KINDS]
        if unknown:
            raise ValidationError("kinds", f"unknown object kind(s) {', '.join(unknown)}")
        require_columns(table, sorted({EXPORT_KINDS[k] for k in chosen}), "the platform export")
    if not 0 <= image_distance <= 256:
        raise ValidationError("image_distance", "must be between 0 and 256 bits")
    if not 0.5 <= text_threshold < 1.0:
        raise ValidationError("text_threshold", "must be at least 0.5 and below 1")
    if max_posts_per_account is not None and max_posts_per_account < 1:
        raise ValidationError("max_posts_per_account", "must be at least 1")

    dropped: Counter[str] = Counter()
    columns = sorted({EXPORT_KINDS[k] for k in chosen})
    text = {name: string_column(table, name, trim=True) for name in ("platform", "account_id", *columns)}
    post_id = string_column(table, "post_id", trim=True) if "post_id" in table.column_names else None
    parsed = parse_times(table.column("posted_at"))
    times, valid_time = parsed.seconds, parsed.valid
    n = table.num_rows

    # Rows without a post are how an export lists silent accounts: not an error, but nothing to act on.
    has_content = np.zeros(n, dtype=bool)
    for name in [*columns, *(["post_id"] if post_id is not None else [])]:
        column = post_id if name == "post_id" else text[name]
        assert column is not None
        has_content |= mask(pc.not_equal(column, ""))
    no_post = ~valid_time & ~has_content
    dropped["no_post"] += int(no_post.sum())
    keep = valid_time.copy()
    dropped["bad_time"] += int((~valid_time & has_content).sum())
    empty_account = mask(pc.equal(text["account_id"], ""))
    dropped["empty_account"] += int((keep & empty_account).sum())
    keep &= ~empty_account

    platforms = pc.dictionary_encode(text["platform"])
    slugs: list[str | None] = _each(platform_slug)(platforms.dictionary.to_pylist())
    good_platform = np.array([s is not None for s in slugs], dtype=bool)
    platform_codes = dictionary_codes(platforms)
    bad_platform = ~good_platform[platform_codes] if len(slugs) else np.ones(n, dtype=bool)
    dropped["bad_platform"] += int((keep & bad_platform).sum())
    keep &= ~bad_platform
    platform_text = pa.array([s or "" for s in slugs], pa.string()).take(pa.array(platform_codes))
    account = pc.binary_join_element_wise(platform_text, text["account_id"], ":")

    rows = np.flatnonzero(keep)
    rows = _first_of_duplicates(rows, times, [account, *(text[c] for c in columns)], post_id, dropped)
    if max_posts_per_account is not None:
        rows = _cap_accounts(rows, times, account, max_posts_per_account, dropped)

    is_repost = mask(pc.not_equal(text["repost_of"], "")) if "repost_of" in text else np.zeros(n, dtype=bool)
    original = rows[~is_repost[rows]]
    parts: list[tuple[str, I64, pa.Array]] = []
    for kind in chosen:
        if kind == "repost":
            reposts = rows[is_repost[rows]]
            ids = pc.binary_join_element_wise(
                platform_text.take(pa.array(reposts)), text["repost_of"].take(pa.array(reposts)), ":"
            )
            parts.append((kind, reposts, ids))
        elif kind in ("url", "domain"):
            at, raw = _split(text["urls"], original)
            at, canonical, bad = _map_distinct(raw, at, _each(normalise_url))
            if kind == "url" or "url" not in chosen:
                dropped["bad_url"] += bad
            if kind == "url":
                parts.append((kind, at, canonical))
            else:
                at, domains, _ = _map_distinct(canonical, at, _each(canonical_url_domain))
                parts.append((kind, at, domains))
        elif kind == "hashtag":
            at, raw = _split(text["hashtags"], original)
            at, tags, bad = _map_distinct(raw, at, _each(normalise_hashtag))
            dropped["bad_hashtag"] += bad
            parts.append((kind, at, tags))
        elif kind == "image":
            at, raw = _split(text["image_pdq"], original)
            at, images, bad = _map_distinct(raw, at, lambda hs: image_clusters(hs, image_distance))
            dropped["bad_image"] += bad
            parts.append((kind, at, images))
        else:  # text
            body = text["text"]
            at = original[mask(pc.not_equal(body.take(pa.array(original)), ""))]
            at, names, bad = _map_distinct(
                body.take(pa.array(at)), at, lambda ts: text_clusters(ts, text_threshold)
            )
            dropped["text_unsigned"] += bad
            parts.append((kind, at, names))

    tables = [
        pa.table(
            {
                "account": account.take(pa.array(at)),
                "platform": platform_text.take(pa.array(at)),
                "object_kind": pa.array(np.full(len(at), kind, dtype=object), pa.string()),
                "object_id": ids,
                "time": pa.array(times[at], pa.int64()),
            }
        )
        for kind, at, ids in parts
    ]
    actions = pa.concat_tables(tables).cast(ACTION_SCHEMA) if tables else ACTION_SCHEMA.empty_table()
    return ActionsResult(_dedupe(actions, dropped), _result(dropped))


def _first_of_duplicates(
    rows: I64, times: I64, columns: list[pa.Array], post_id: pa.Array | None, dropped: Counter[str]
) -> I64:
    """``rows`` without those equal to an earlier kept row in time, account, post id and object columns."""
    if not len(rows):
        return rows
    keys = {f"c{i}": c.take(pa.array(rows)) for i, c in enumerate(columns)}
    if post_id is not None:
        keys["post_id"] = post_id.take(pa.array(rows))
    keys["time"] = pa.array(times[rows], pa.int64())
    keys["row"] = pa.array(rows, pa.int64())
    grouped = pa.table(keys).group_by([k for k in keys if k != "row"], use_threads=False)
    first = grouped.aggregate([("row", "min")]).column("row_min").to_numpy()
    dropped["duplicate_row"] += len(rows) - len(first)
    return np.sort(np.asarray(first, dtype=np.int64))


def _cap_accounts(rows: I64, times: I64, account: pa.Array, cap: int, dropped: Counter[str]) -> I64:
    """``rows`` with each account's posts beyond its ``cap`` earliest dropped."""
    codes = dictionary_codes(pc.dictionary_encode(account.take(pa.array(rows))))
    if not len(codes) or np.bincount(codes).max() <= cap:
        return rows
    order = np.lexsort((rows, times[rows], codes))
    sorted_codes = codes[order]
    starts = run_starts(sorted_codes)
    rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    kept = np.sort(rows[order[rank < cap]])
    dropped["account_over_cap"] += len(rows) - len(kept)
    return kept


# -- object tables ----------------------------------------------------------------------------------------


def actions_from_objects(table: pa.Table, *, object_kind: str = "object") -> ActionsResult:
    """The actions of an object table in CooRTweet's shape: ``object_id`` (what was shared), ``account_id``,
    ``content_id`` (the post that shared it; optional) and ``timestamp_share`` (Unix seconds or ISO 8601).

    Accounts are taken as given and the platform is empty; every object gets kind ``object_kind``. One post
    may share several objects (one row each). Rows equal in every column are counted as ``duplicate_row``;
    distinct posts by one account on one object in the same second are one action."""
    require_columns(table, ("object_id", "account_id", "timestamp_share"), "the object table")
    dropped: Counter[str] = Counter()
    parsed = parse_times(table.column("timestamp_share"))
    times, valid = parsed.seconds, parsed.valid
    account = string_column(table, "account_id", trim=True)
    object_id = string_column(table, "object_id", trim=True)
    keep = valid.copy()
    dropped["bad_time"] += int((~valid).sum())
    for name, column in (("empty_account", account), ("empty_object", object_id)):
        empty = mask(pc.equal(column, ""))
        dropped[name] += int((keep & empty).sum())
        keep &= ~empty
    rows = np.flatnonzero(keep)

    def content(at: I64) -> pa.Array:
        return string_column(table, "content_id", at, trim=True)

    account_codes, object_codes = string_codes(account), string_codes(object_id)
    reader = content if "content_id" in table.column_names else None
    rows = first_actions(rows, account_codes[0], object_codes[0], times, reader, dropped)
    if len(rows) < table.num_rows:  # else every row is kept, in order: no copy of the strings
        taken = pa.array(rows)
        account, object_id, times = account.take(taken), object_id.take(taken), times[rows]
        account_codes = compact(account_codes[0][rows], account_codes[1])
        object_codes = compact(object_codes[0][rows], object_codes[1])
    actions = pa.table(
        {
            "account": account,
            "platform": pa.repeat(pa.scalar("", pa.string()), len(rows)),
            "object_kind": pa.repeat(pa.scalar(object_kind, pa.string()), len(rows)),
            "object_id": object_id,
            "time": pa.array(times, pa.int64()),
        }
    ).cast(ACTION_SCHEMA)
    # A co-action run on these actions reuses the codes rather than hashing the strings again.
    kinds = pa.array([object_kind] if len(rows) else [], pa.string())
    kind_codes = (np.zeros(len(rows), dtype=np.int64), kinds)
    remember(actions, {"account": account_codes, "object_kind": kind_codes, "object_id": object_codes})
    return ActionsResult(actions, _result(dropped))
