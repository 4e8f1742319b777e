"""Test pictures drawn on the spot: a colour gradient with overlapping shapes, softened like a photo.

PDQ needs detail to give a confident hash (quality 50 or more); a bare gradient scores below that, so each
scene scatters a dozen ellipses and rectangles over it, placed by its seed. Different seeds give unrelated
pictures.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageDraw, ImageFilter


def scene(seed: int, width: int = 640, height: int = 480) -> Image.Image:
    """An RGB picture that depends only on ``seed``."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    gradient = np.stack([x * 255 // width, y * 255 // height, (x + y) * 255 // (width + height)], axis=2)
    image = Image.fromarray(gradient.astype(np.uint8))
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        cx, cy, r = int(rng.integers(0, width)), int(rng.integers(0, height)), int(rng.integers(20, 120))
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        if rng.random() < 0.5:
            draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=colour)
        else:
            draw.rectangle([cx - r, cy - r // 2, cx + r, cy + r // 2], fill=colour)
    return image.filter(ImageFilter.GaussianBlur(2))


def encoded(image: Image.Image, format: str = "PNG", **options: object) -> bytes:
    """``image`` written as a file of ``format``."""
    buffer = io.BytesIO()
    image.save(buffer, format, **options)
    return buffer.getvalue()
