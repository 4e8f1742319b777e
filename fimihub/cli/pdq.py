"""``fimihub pdq hash IMAGE...``: PDQ hashes of image files, one ``<hex> <quality> <path>`` line per image."""

from __future__ import annotations

from pathlib import Path

import click

from fimihub.errors import ValidationError

__all__ = ["pdq"]


@click.group()
def pdq() -> None:
    """PDQ perceptual hashes of images (Meta's reference implementation)."""


@pdq.command("hash")
@click.argument("images", nargs=-1, required=True, type=click.Path(path_type=Path))
def pdq_hash(images: tuple[Path, ...]) -> None:
    """Print '<hex> <quality> <path>' for each IMAGE.

    Quality runs from 0 to 100; hashes below 50 come from images with too little detail to match reliably.
    An image that cannot be read is reported on stderr and skipped; the command then ends with exit code 2.
    """
    from fimihub.matching.pdq_hashing import hash_image

    failed = 0
    for path in images:
        try:
            digest, quality = hash_image(path)
        except ValidationError as error:
            failed += 1
            click.echo(f"error: {error.errors[0][1]}", err=True)
            continue
        click.echo(f"{digest} {quality} {path}")
    if failed:
        raise ValidationError("images", f"{failed} of {len(images)} could not be hashed")
