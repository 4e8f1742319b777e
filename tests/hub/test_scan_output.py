"""A scan whose output cannot be written queues nothing; a missing folder is named, not created."""

from __future__ import annotations

from pathlib import Path

import pytest

from fimihub.errors import PermissionDenied, ValidationError
from fimihub.model import Match, Signal
from tests.conftest import Cast
from tests.identifiers import register_identifier_keys

_EXPORT = (
    "platform,account_id,handle,display_name,account_created_at,followers,post_id,posted_at,text,urls,"
    "hashtags,image_pdq,repost_of\n"
    "x,101,a,A,,1,p1,1700000000,hello,https://evil-out.example/a,,,\n"
)


def _queued(cast: Cast) -> int:
    return len(cast.hub.list(cast.analyst_b, Match, limit=1000).items)


@pytest.fixture
def export(cast: Cast, tmp_path: Path) -> Path:
    cast.hub.create(
        cast.analyst_a, Signal, {"kind": "domain", "value": "evil-out.example", "forum_id": cast.forum_id}
    )
    register_identifier_keys(cast.hub, cast.org_b)
    path = tmp_path / "export.csv"
    path.write_text(_EXPORT, encoding="utf-8")
    return path


def test_a_missing_output_folder_is_refused_before_anything_is_queued(
    cast: Cast, export: Path, tmp_path: Path
) -> None:
    with pytest.raises(ValidationError, match="does not exist"):
        cast.hub.scan(cast.analyst_b, export, out=tmp_path / "no" / "such" / "hits.csv")
    assert not (tmp_path / "no").exists()
    assert _queued(cast) == 0


def test_an_unwritable_output_queues_nothing(cast: Cast, export: Path, tmp_path: Path) -> None:
    folder = tmp_path / "hits.csv"
    folder.mkdir()  # a folder where the file should go
    with pytest.raises(ValidationError, match="is a folder"):
        cast.hub.scan(cast.analyst_b, export, out=folder)
    assert _queued(cast) == 0
    summary = cast.hub.scan(cast.analyst_b, export, out=tmp_path / "hits.csv.csv")
    assert summary.queued == 1 and _queued(cast) == 1
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]


def test_a_read_token_cannot_record_matches(cast: Cast, export: Path) -> None:
    reader = cast.hub.admin.actor(cast.analyst_b.member.id, scopes=["read"])  # type: ignore[list-item]
    with pytest.raises(PermissionDenied, match="write scope"):
        cast.hub.match(reader, [{"kind": "domain", "value": "evil-out.example"}], record=True)
    assert _queued(cast) == 0
    assert cast.hub.match(reader, [{"kind": "domain", "value": "evil-out.example"}])[0].matches
