"""``fimihub pdq hash IMAGE...``: one line per image, errors on stderr, exit code 2 if any image failed."""

from __future__ import annotations

from pathlib import Path

import pytest

from fimihub.cli import main
from fimihub.cli.common import cli
from fimihub.cli.pdq import pdq
from fimihub.matching.pdq_hashing import hash_image
from tests.matching.pdq.scenes import scene


@pytest.fixture(autouse=True)
def registered(monkeypatch: pytest.MonkeyPatch) -> None:
    # The root command registers the group; until then (and whatever it does) the tests see it registered.
    monkeypatch.setitem(cli.commands, "pdq", pdq)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out.splitlines(), err


def test_prints_hex_quality_and_path_per_image(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    paths = [tmp_path / "a.png", tmp_path / "b b.jpg"]
    scene(0).save(paths[0])
    scene(1).save(paths[1])
    code, lines, err = run(capsys, "pdq", "hash", *map(str, paths))
    assert (code, err) == (0, "")
    expected = [f"{digest} {quality} {path}" for path in paths for digest, quality in [hash_image(path)]]
    assert lines == expected
    digest, quality, path = lines[1].split(" ", 2)
    assert len(digest) == 64 and 0 <= int(quality) <= 100 and path == str(paths[1])


def test_unreadable_images_are_reported_and_the_rest_hashed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good, bad, missing = tmp_path / "good.png", tmp_path / "bad.jpg", tmp_path / "missing.png"
    scene(2).save(good)
    bad.write_bytes(b"GIF89a but not really")
    code, lines, err = run(capsys, "pdq", "hash", str(bad), str(good), str(missing))
    assert code == 2
    assert [line.split(" ", 2)[2] for line in lines] == [str(good)]
    assert f"{bad}: cannot read as an image" in err and f"{missing}: cannot read as an image" in err
    assert "2 of 3 could not be hashed" in err


def test_needs_at_least_one_image(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "pdq", "hash")
    assert code == 2 and "Missing argument" in err
