"""Simulator-like texts for the text matching tests: operation posts, their light edits, benign chatter."""

from __future__ import annotations

import numpy as np
import pytest

from fimihub.sim.narratives import NARRATIVES
from fimihub.sim.text import benign_texts, light_edit, operation_text

# Edits per planted query: mostly few, so that many pairs sit just above Jaccard 0.8.
EDITS = (0, 1, 1, 2, 2, 2, 3, 3, 4, 6)
COUNTRIES = ["France", "Germany", "Poland", "Spain", "Italy", "Romania"]


def operation_posts(rng: np.random.Generator, n: int) -> list[str]:
    posts = []
    for _ in range(n):
        first = int(rng.integers(len(NARRATIVES)))
        narratives = [NARRATIVES[first], NARRATIVES[(first + 1) % len(NARRATIVES)]]
        posts.append(operation_text(rng, narratives, [COUNTRIES[int(rng.integers(len(COUNTRIES)))]]))
    return posts


@pytest.fixture(scope="session")
def corpus() -> tuple[list[str], list[str]]:
    """600 operation posts and 600 benign ones, and 460 queries: edits of operation posts (0 to 6 edits, so
    their Jaccard similarity to the source spreads from 1 to about 0.5) and 60 fresh operation posts."""
    rng = np.random.default_rng(20240601)
    operations = operation_posts(rng, 600)
    texts = operations + benign_texts(rng, 600).to_pylist()
    edits = [EDITS[i % len(EDITS)] for i in range(400)]
    queries = [light_edit(operations[i], rng, n) if n else operations[i] for i, n in enumerate(edits)]
    return texts, queries + operation_posts(rng, 60)
