"""A seeded generator of a multi-platform world with covert influence operations, and its ground truth.

The world has benign users, look-alike news fans, and influence operations whose accounts post in
coordinated bursts across platforms, are taken down, and come back in later waves under renamed handles with
lightly edited texts and images. Posts come in the platform export format (DESIGN.md), labelled with
``operation``.

    >>> from fimihub.sim import WorldConfig, generate, write_world
    >>> world = generate(WorldConfig(seed=7))  # posts, accounts and truth, in memory
    >>> written = write_world(WorldConfig.for_posts(1_000_000, seed=7), "out/")  # doctest: +SKIP

``scale=1`` gives about eight thousand posts; :meth:`WorldConfig.for_posts` picks the scale for a post count.
"""

from fimihub.sim.config import ADVERSARIAL_KNOBS, DEFAULT_PLATFORMS, WorldConfig
from fimihub.sim.export import Progress, WrittenWorld, read_truth, read_world, write_truth, write_world
from fimihub.sim.handles import RENAME_KINDS
from fimihub.sim.images import hamming
from fimihub.sim.schema import ACCOUNTS_SCHEMA, EXPORT_COLUMNS, POSTS_SCHEMA
from fimihub.sim.text import shingle_jaccard
from fimihub.sim.truth import TRUTH_FORMAT, TRUTH_VERSION, SimOperation, SimReturn, SimTruth, SimWave
from fimihub.sim.world import DEFAULT_CHUNK_ROWS, World, generate, iter_posts

__all__ = [
    "ACCOUNTS_SCHEMA",
    "ADVERSARIAL_KNOBS",
    "DEFAULT_CHUNK_ROWS",
    "DEFAULT_PLATFORMS",
    "EXPORT_COLUMNS",
    "POSTS_SCHEMA",
    "RENAME_KINDS",
    "TRUTH_FORMAT",
    "TRUTH_VERSION",
    "Progress",
    "SimOperation",
    "SimReturn",
    "SimTruth",
    "SimWave",
    "World",
    "WorldConfig",
    "WrittenWorld",
    "generate",
    "hamming",
    "iter_posts",
    "read_truth",
    "read_world",
    "shingle_jaccard",
    "write_truth",
    "write_world",
]
