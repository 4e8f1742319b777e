"""``fimihub sim generate``: write a simulated multi-platform world with its ground truth."""

from __future__ import annotations

from pathlib import Path

import click

from fimihub.cli.common import counting_bar

__all__ = ["sim"]


@click.group()
def sim() -> None:
    """The world simulator (for tests, benchmarks and demos)."""


@sim.command("generate")
@click.option("--seed", type=int, required=True, help="Same seed, same world.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.option(
    "--scale",
    type=float,
    default=1.0,
    show_default=True,
    help="Size multiplier: 1 is a few thousand posts; 1000 is millions.",
)
def sim_generate(seed: int, out_dir: Path, scale: float) -> None:
    """Write posts.parquet (platform export format), accounts.parquet and truth.json to OUT."""
    from fimihub.sim import WorldConfig, write_world

    config = WorldConfig(seed=seed, scale=scale)
    with counting_bar("simulating", remaining=True) as progress:
        summary = write_world(config, out_dir, progress=progress)
    click.echo(f"wrote {out_dir}: {summary}")
