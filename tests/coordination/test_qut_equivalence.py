"""Our co-retweet edges equal the QUT coordination-network-toolkit's, computed by the toolkit itself.

The toolkit (``coordination_network_toolkit``) stores messages in SQLite and builds its co-retweet
network with a self-join: ``user_1 -> user_2`` weighs the number of ``user_1``'s reposts of a post that
``user_2`` reposted within the window (inclusive), each direction kept when it reaches the minimum weight,
self-loops left out of its exports. That is our ``mode="actions"``; the tests run the toolkit for real and
compare edge sets.

An object table row is one action, so a message id for the toolkit is ``content_id:object_id``: CooRTweet
tables may list one post once per object it shares, while the toolkit keeps one row per message id.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

from fimihub.coordination import actions_from_objects, coaction_edges

DATASET = (
    Path(__file__).resolve().parents[3] / "shared" / "data" / "coordination" / "russian_coord_tweets.csv"
)


def qut_co_retweet(
    objects: pa.Table, tmp_path: Path, window: int, min_weight: int
) -> set[tuple[str, str, int]]:
    """The toolkit's co-retweet edges for an object table, through its own preprocessing and computation."""
    from coordination_network_toolkit.compute_networks import compute_co_retweet_parallel
    from coordination_network_toolkit.preprocess import preprocess_data

    db = str(tmp_path / f"qut-{window}-{min_weight}.db")
    # The toolkit's message columns: message_id, user_id, username, repost_id, reply_id, message, timestamp,
    # urls.
    messages: Iterator[tuple[object, ...]] = (
        (f"{r['content_id']}:{r['object_id']}", r["account_id"], r["account_id"], r["object_id"], None, "",
         r["timestamp_share"], [])
        for r in objects.to_pylist()
    )  # fmt: skip
    preprocess_data(db, messages)
    compute_co_retweet_parallel(db, window, n_threads=2, min_edge_weight=min_weight)
    with sqlite3.connect(db) as connection:
        rows = connection.execute(
            "select user_1, user_2, weight from co_retweet_network where user_1 != user_2"
        )
        return {(str(a), str(b), int(w)) for a, b, w in rows}


def ours(objects: pa.Table, window: int, min_weight: int) -> set[tuple[str, str, int]]:
    edges = coaction_edges(actions_from_objects(objects).actions, window_s=window, min_weight=min_weight,
                           mode="actions")  # fmt: skip
    columns = (edges.column(c).to_pylist() for c in ("account_1", "account_2", "weight"))
    return set(zip(*columns, strict=True))


def test_random_reposts_give_the_toolkits_edges(tmp_path: Path) -> None:
    rng = random.Random(8)
    rows = [
        {"object_id": f"post{rng.randrange(15)}", "account_id": f"user{rng.randrange(25)}",
         "content_id": f"c{n}", "timestamp_share": float(rng.randrange(2000))}
        for n in range(600)
    ]  # fmt: skip
    objects = pa.Table.from_pylist(rows)
    for window, min_weight in ((30, 1), (120, 2)):
        expected = qut_co_retweet(objects, tmp_path, window, min_weight)
        assert expected, "the toolkit should find edges in this data"
        assert ours(objects, window, min_weight) == expected


@pytest.mark.skipif(not DATASET.exists(), reason=f"the CooRTweet sample data is not at {DATASET}")
@pytest.mark.parametrize(("window", "min_weight"), [(60, 2), (3600, 1)])
def test_russian_coordinated_tweets_give_the_toolkits_edges(
    tmp_path: Path, window: int, min_weight: int
) -> None:
    strings = dict.fromkeys(("object_id", "account_id", "content_id"), pa.string())
    objects = pacsv.read_csv(DATASET, convert_options=pacsv.ConvertOptions(column_types=strings))
    expected = qut_co_retweet(objects, tmp_path, window, min_weight)
    got = ours(objects, window, min_weight)
    assert len(got) == len(expected) > 0
    assert got == expected
