"""The simulator's pieces: config, texts and their light edits, PDQ-like hashes, handles and renames."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import numpy as np
import pyarrow as pa
import pytest

from fimihub.errors import ValidationError
from fimihub.sim import RENAME_KINDS, WorldConfig, hamming, shingle_jaccard
from fimihub.sim.handles import dedupe_handles, fit_handle, fit_handles, homoglyph_name, rename_handle
from fimihub.sim.images import flip_bits, from_hex, random_hashes, to_hex
from fimihub.sim.narratives import NARRATIVES
from fimihub.sim.text import benign_texts, light_edit, operation_text, shingles, small_edit

# -- config --------------------------------------------------------------------------------------------------


def test_config_defaults_describe_a_small_multi_platform_world() -> None:
    config = WorldConfig()
    assert len(config.platforms) >= 3 and config.n_operations == 5
    assert 3_000 <= config.expected_posts() <= 10_000
    assert config.start == datetime(2024, 1, 1, tzinfo=UTC) and config.end > config.start


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"scale": 0}, "scale"),
        ({"scale": float("nan")}, "scale"),
        ({"platforms": ("x", "Not A Platform!")}, "platforms"),
        ({"platforms": ("x", "twitter")}, "platforms"),
        ({"operations": 0}, "operations"),
        ({"burst_share": 1.5}, "burst_share"),
        ({"seed": -1}, "seed"),
        ({"waves": 13}, "waves"),
    ],
)
def test_config_refuses_bad_values(changes: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        WorldConfig(**changes)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_config_canonicalises_platforms_and_round_trips() -> None:
    config = WorldConfig(seed=3, platforms=("Twitter", "fb", "t.me"), start=datetime(2024, 5, 1))
    assert config.platforms == ("x", "facebook", "telegram")
    assert config.start.tzinfo is not None
    assert WorldConfig.from_dict(config.to_dict()) == config
    with pytest.raises(ValidationError):
        WorldConfig.from_dict({"nonsense": 1})


def test_scale_is_chosen_from_a_post_count() -> None:
    config = WorldConfig.for_posts(1_000_000, seed=4)
    assert config.seed == 4
    assert abs(config.expected_posts() - 1_000_000) < 10_000
    assert config.n_operations > 5


# -- texts ---------------------------------------------------------------------------------------------------


def test_shingle_jaccard() -> None:
    assert shingle_jaccard("a b c d", "a b c d") == 1.0
    assert shingle_jaccard("a b c d", "w x y z") == 0.0
    assert shingle_jaccard("", "") == 1.0
    assert shingles("Hello, World!") == {("hello", "world")}
    assert shingle_jaccard("One two three four.", "one TWO three, four") == 1.0


def test_light_edits_keep_operation_texts_near_duplicates() -> None:
    rng = np.random.default_rng(0)
    scores = []
    for _ in range(200):
        text = operation_text(rng, NARRATIVES[:3], ["Austria", "Poland"])
        edited = light_edit(text, rng)
        assert edited != text
        scores.append(shingle_jaccard(text, edited))
        assert shingle_jaccard(text, small_edit(text, rng)) >= 0.75
    assert np.mean(np.array(scores) >= 0.8) >= 0.9
    assert min(scores) >= 0.7


def test_benign_texts_are_varied_and_unlike_each_other() -> None:
    texts = benign_texts(np.random.default_rng(1), 400).to_pylist()
    assert all(texts) and len(set(texts)) > 350
    pairs = [shingle_jaccard(a, b) for a, b in zip(texts[:200], texts[200:], strict=True)]
    assert np.mean(np.array(pairs) >= 0.8) < 0.05


# -- images --------------------------------------------------------------------------------------------------


def test_hashes_are_hex_and_near_duplicates_are_a_few_bits_away() -> None:
    rng = np.random.default_rng(2)
    hashes = random_hashes(rng, 50)
    hexes = to_hex(hashes).to_pylist()
    assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in hexes)
    assert np.array_equal(from_hex(hexes), hashes)
    variants = to_hex(flip_bits(rng, hashes, 4, 12)).to_pylist()
    distances = [hamming(a, b) for a, b in zip(hexes, variants, strict=True)]
    assert min(distances) >= 1 and max(distances) <= 12
    unrelated = [hamming(a, b) for a, b in zip(hexes[:25], hexes[25:], strict=True)]
    assert min(unrelated) > 80 and 110 < np.mean(unrelated) < 146
    assert to_hex(random_hashes(rng, 0)).to_pylist() == []


# -- handles -------------------------------------------------------------------------------------------------


def test_handles_follow_platform_rules() -> None:
    assert fit_handle("Anna.Kovac_1987", "x") == "anna_kovac_1987"
    assert len(fit_handle("katarzyna_wisniewska_1987", "x")) == 15
    assert fit_handle("anna_kovac", "facebook") == "anna.kovac"
    assert fit_handle("ab", "telegram") == "ab111"
    raw = ["Anna.Kovac_1987", "katarzyna_wisniewska_1987", "ab", "o'brien.x", ".lead.dot."] * 3
    platform = np.repeat(np.arange(3), 5).astype(np.int64)
    names = ("x", "facebook", "telegram")
    vector = fit_handles(pa.array(raw), platform, names).to_pylist()
    assert vector == [fit_handle(h, names[p]) for h, p in zip(raw, platform.tolist(), strict=True)]


def test_renames_differ_from_the_original_and_say_what_they_are() -> None:
    rng = np.random.default_rng(3)
    for handle in ("anna_kovac_1234", "annakovac", "balticvoice", "katarzynawisnie"):
        for kind in RENAME_KINDS[:3]:
            new, actual = rename_handle(handle, "x", kind, rng)
            assert new != handle and new == fit_handle(new, "x")
            assert actual in RENAME_KINDS[:3]
    assert rename_handle("anna_kovac_1234", "x", "increment", rng)[0].startswith("anna_kovac_123")
    new, _ = rename_handle("anna_kovac_1234", "x", "lookalike", rng)
    assert len(new) == len("anna_kovac_1234")
    assert rename_handle("katarzynawisnie", "x", "increment", rng)[1] == "lookalike"


def test_homoglyph_names_look_alike_but_differ() -> None:
    rng = np.random.default_rng(4)
    name = "Anna Kovac"
    twin = homoglyph_name(name, rng)
    assert twin != name and len(twin) == len(name)
    assert sum(a != b for a, b in zip(name, twin, strict=True)) <= 2
    assert homoglyph_name("123", rng) == "123"


def test_dedupe_keeps_the_first_holder_and_suffixes_the_rest() -> None:
    handles = pa.array(["a_b", "a_b", "a_b", "a_b2", "a_b"])
    platform = np.array([0, 0, 0, 0, 1], dtype=np.int64)
    out = dedupe_handles(platform, handles, ("x", "facebook")).to_pylist()
    assert out[0] == "a_b" and out[4] == "a_b"
    assert len(set(out[:4])) == 4
