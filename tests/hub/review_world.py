"""A small world for the review queue's tests: platform A shares an operation's signals in the forum, and
platform B scans exports of its own data against them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from fimihub import Signal
from fimihub.model import Operation
from fimihub.policy import IdentifierKeyPair
from tests.conftest import Cast
from tests.identifiers import register_identifier_keys

PDQ = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
COLUMNS = ["platform", "account_id", "handle", "post_id", "text", "urls", "hashtags", "image_pdq"]


@dataclass
class Shared:
    """What A shared: the operation and its signals, by kind."""

    operation_id: str
    signals: dict[str, str]
    keys: dict[str, IdentifierKeyPair]


def share(cast: Cast) -> Shared:
    """A's operation with a domain, a URL, a hashtag and an image hash, all in the forum; identifier keys
    for every organisation."""
    keys = register_identifier_keys(cast.hub, cast.org_a, cast.org_b, cast.org_c, cast.org_d)
    operation = cast.hub.create(
        cast.analyst_a, Operation, {"name": "Doppel", "forum_id": cast.forum_id, "origin_countries": ["RU"]}
    )
    made = cast.hub.create_many(
        cast.analyst_a,
        Signal,
        [
            {"kind": kind, "value": value, "forum_id": cast.forum_id, "operation_id": operation.id, **extra}
            for kind, value, extra in (
                ("domain", "evil-news.example", {}),
                ("url", "https://evil-news.example/story/1", {}),
                ("hashtag", "#stopthelies", {}),
                ("pdq", PDQ, {"quality": 100}),
            )
        ],
    )
    return Shared(operation.id, {s.kind.value: s.id for s in made}, keys)


def write_export(path: Path, rows: list[dict[str, str]]) -> Path:
    pq.write_table(pa.table({c: [r.get(c, "") for r in rows] for c in COLUMNS}), path)
    return path


def post(account: str, post_id: str, **cells: str) -> dict[str, str]:
    return {"platform": "x", "account_id": account, "handle": f"h{account}", "post_id": post_id, **cells}


#: Account 1 posts the story twice (URL and domain hits) and the image; account 2 links the domain once;
#: account 3 only uses the hashtag; account 4 posts nothing of the operation's.
DAY_ONE = [
    post("1", "p1", urls="https://evil-news.example/story/1"),
    post("1", "p2", urls="https://evil-news.example/story/1", image_pdq=PDQ),
    post("2", "p3", urls="https://evil-news.example/other"),
    post("3", "p4", hashtags="StopTheLies"),
    post("4", "p5", text="nothing here"),
]
