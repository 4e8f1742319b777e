"""Operation fingerprints: what goes in, what never does, and the versioned JSON form."""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from fimihub.coordination.features import handle_patterns, keyed_patterns
from fimihub.coordination.fingerprint import (
    FINGERPRINT_FORMAT,
    FingerprintConfig,
    OperationFingerprint,
    PostingRhythm,
    build_fingerprint_from_values,
    build_fingerprints_from_export,
)
from fimihub.errors import ValidationError
from fimihub.matching import minhash
from fimihub.sim import WorldConfig, generate

KEY = b"k" * 32
NARRATIVE = (
    "The big newspapers in Iceland are paid to tell you only one side of the story and nothing more, "
    "turn off the news and start asking your own questions"
)
IMAGE = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"

COLUMNS = ("platform", "account_id", "handle", "display_name", "posted_at", "post_id", "text", "urls",
           "hashtags", "image_pdq", "repost_of", "operation")  # fmt: skip


def export(rows: list[dict[str, Any]]) -> pa.Table:
    """A platform export of string columns from partial rows (missing cells empty)."""
    return pa.table({c: pa.array([str(r.get(c, "")) for r in rows], pa.string()) for c in COLUMNS})


def post(account: str, handle: str, **fields: Any) -> dict[str, Any]:
    row = {
        "platform": "x",
        "account_id": account,
        "handle": handle,
        "display_name": f"Person {account}",
        "posted_at": "2024-03-01T10:00:00Z",
        "post_id": f"{account}-{len(fields)}-{fields.get('posted_at', '')}",
        "operation": "op-1",
    }
    row.update(fields)
    return row


def op_export() -> pa.Table:
    """Three accounts of op-1 sharing an outlet, a hashtag, a text and an image; one private detail each."""
    rows = []
    for i, handle in enumerate(("maria_schmidt_1987", "jonas_weber_77", "lena_koch_4821")):
        account = f"acct-{i:04d}"
        rows.append(
            post(
                account,
                handle,
                text=NARRATIVE,
                urls=f"https://evil-news.example/politics/story-{i % 2} https://t.me/{handle}",
                hashtags="StopTheLies",
                image_pdq=IMAGE,
                posted_at=f"2024-03-0{i + 1}T1{i}:00:00Z",
            )
        )
        rows.append(
            post(
                account,
                handle,
                text=f"my own holiday in the mountains with family number {i} was lovely and quiet",
                urls=f"https://private-blog-{i}.example/me",
                hashtags=f"personal{i}",
                posted_at=f"2024-03-0{i + 1}T12:00:00Z",
            )
        )
    return export(rows)


def test_fingerprint_keeps_what_several_accounts_share() -> None:
    build = build_fingerprints_from_export(op_export(), key=KEY)
    assert [f.operation for f in build.fingerprints] == ["op-1"]
    fp = build.fingerprints[0]
    assert fp.accounts == 3 and fp.posts == 6 and fp.platforms == ("x",)
    assert fp.domains == ("evil-news.example",)
    assert fp.urls == ("https://evil-news.example/politics/story-0",)  # story-1 was posted by one account
    assert fp.hashtags == ("stopthelies",)
    assert fp.pdq == (IMAGE,)
    assert fp.text_signatures == (minhash.signature(NARRATIVE),)
    assert len(fp.handle_patterns) >= 3 and fp.pattern_key_id is not None
    assert fp.rhythm is not None and fp.rhythm.posts == 6
    assert sum(fp.rhythm.hours) == pytest.approx(1.0, abs=1e-4) and sum(fp.rhythm.weekdays) == pytest.approx(
        1.0, abs=1e-4
    )


def test_min_accounts_one_keeps_everything_but_platform_links() -> None:
    fp = build_fingerprints_from_export(op_export(), key=KEY, config=FingerprintConfig(min_accounts=1))
    only = fp.fingerprints[0]
    assert "private-blog-0.example" in only.domains
    assert not any("t.me" in u for u in only.urls) and "t.me" not in only.domains


def test_exclude_vetoes_common_values() -> None:
    build = build_fingerprints_from_export(
        op_export(), key=KEY, exclude=lambda kind, value: kind == "domain" and value.startswith("evil")
    )
    assert build.fingerprints[0].domains == ()


def test_no_personal_data_in_the_serialized_fingerprint() -> None:
    table = op_export()
    fp = build_fingerprints_from_export(
        table, key=KEY, config=FingerprintConfig(min_accounts=1)
    ).fingerprints[0]
    text = json.dumps(fp.to_dict())
    for column in ("account_id", "handle", "display_name", "text"):
        for value in set(table.column(column).to_pylist()):
            assert value.lower() not in text.lower(), (column, value)
    for pattern in handle_patterns("maria_schmidt_1987"):
        assert pattern not in text


def test_no_personal_data_from_a_simulated_takedown() -> None:
    world = generate(WorldConfig(seed=3))
    disrupted = world.posts.filter(pc.not_equal(world.posts.column("operation"), ""))
    fingerprints = build_fingerprints_from_export(disrupted, key=KEY).fingerprints
    assert len(fingerprints) == 5 and all(f.size > 10 for f in fingerprints)
    text = json.dumps([f.to_dict() for f in fingerprints])
    for column in ("account_id", "display_name", "text"):
        for value in set(disrupted.column(column).to_pylist()):
            assert value not in text, (column, value)
    for handle in set(disrupted.column("handle").to_pylist()):
        if any(c.isdigit() or c in "._" for c in handle):  # persons' handles; outlets are named after sites
            assert handle not in text


def test_round_trip_through_json() -> None:
    world = generate(WorldConfig(seed=4))
    disrupted = world.posts.filter(pc.not_equal(world.posts.column("operation"), ""))
    for fp in build_fingerprints_from_export(disrupted, key=KEY).fingerprints:
        data = json.loads(json.dumps(fp.to_dict()))
        assert data["format"] == FINGERPRINT_FORMAT and data["version"] == 1
        assert OperationFingerprint.from_dict(data) == fp


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"format": "other"}, "format"),
        ({"version": 2}, "version"),
        ({"operation": ""}, "operation"),
        ({"urls": ["https://ok.example/a", "hxxp://bad url"]}, "urls[1]"),
        ({"pdq": ["xyz"]}, "pdq[0]"),
        ({"text_signatures": ["mh1:00"]}, "text_signatures[0]"),
        ({"handle_patterns": ["maria_schmidt"]}, "handle_patterns[0]"),
        ({"accounts": -1}, "accounts"),
        ({"rhythm": {"hours": [0] * 23, "weekdays": [0] * 7, "posts": 0}}, "rhythm.hours"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_from_dict_names_the_bad_field(change: dict[str, Any], field: str) -> None:
    data = OperationFingerprint("op-1", urls=("https://ok.example/a",)).to_dict()
    data.update(change)
    with pytest.raises(ValidationError) as error:
        OperationFingerprint.from_dict(data)
    assert error.value.field == field


def test_missing_columns_are_named() -> None:
    table = op_export().drop_columns(["account_id", "operation"])
    with pytest.raises(ValidationError) as error:
        build_fingerprints_from_export(table, key=KEY)
    assert [f for f, _ in error.value.errors] == ["account_id", "operation"]


def test_short_key_is_refused() -> None:
    with pytest.raises(ValidationError) as error:
        build_fingerprints_from_export(op_export(), key=b"short")
    assert error.value.field == "key"


def test_bad_values_are_skipped_and_counted() -> None:
    rows = [
        post("acct-1", "maria_schmidt_1987", posted_at="yesterday", urls="hxxp://[bad", image_pdq="zz"),
        post("", "nobody_here", text=NARRATIVE),
        post("acct-2", "lena_koch_4821", operation=""),
        post("acct-3", "", posted_at="", hashtags="# ###"),
    ]
    build = build_fingerprints_from_export(export(rows), key=KEY)
    assert build.skipped["posted_at"] == 1
    assert build.skipped["urls"] == 1 and build.skipped["image_pdq"] == 1 and build.skipped["hashtags"] == 2
    assert build.skipped["account"] == 1 and build.skipped["operation"] == 1
    assert [f.accounts for f in build.fingerprints] == [2]


def test_from_values() -> None:
    fp = build_fingerprint_from_values(
        "op-9",
        {
            "url": ["hxxps://www.Evil-News[.]example/a?utm_source=x", "https://t.me/some_channel_2024"],
            "domain": ["other-outlet.example"],
            "hashtag": ["#StopTheLies"],
            "pdq": [IMAGE.upper()],
            "text": [NARRATIVE],
            "handle": ["x:maria_schmidt_1987"],
            "account_id": ["ab" * 32],
        },
        key=KEY,
        platforms=["Twitter"],
        accounts=3,
    )
    assert fp.urls == ("https://www.evil-news.example/a",)
    assert fp.domains == ("evil-news.example", "other-outlet.example")
    assert fp.hashtags == ("stopthelies",) and fp.pdq == (IMAGE,) and fp.platforms == ("x",)
    assert fp.text_signatures == (minhash.signature(NARRATIVE),)
    expected = set(keyed_patterns(KEY, handle_patterns("maria_schmidt_1987")))
    expected |= set(keyed_patterns(KEY, handle_patterns("some_channel_2024")))
    assert set(fp.handle_patterns) == expected
    assert OperationFingerprint.from_dict(fp.to_dict()) == fp


def test_from_values_names_bad_values() -> None:
    with pytest.raises(ValidationError) as error:
        build_fingerprint_from_values("op-9", {"url": ["https://ok.example/", "not a url"]}, key=KEY)
    assert error.value.field == "values.url[1]"
    with pytest.raises(ValidationError) as error:
        build_fingerprint_from_values("op-9", {"colour": ["red"]}, key=KEY)
    assert error.value.field == "values.colour"


def test_rhythm_from_counts() -> None:
    rhythm = PostingRhythm.from_counts([1.0] * 24, [2.0] * 7)
    assert rhythm is not None and rhythm.posts == 24 and sum(rhythm.weekdays) == pytest.approx(1.0, abs=1e-4)
    assert PostingRhythm.from_counts([0.0] * 24, [0.0] * 7) is None
