"""PDQ hashes of images, computed by Meta's reference implementation.

The hashing itself is the C++ code from facebook/ThreatExchange, through the ``pdqhash`` package; this module
only reads the image (Pillow), hands its RGB pixels over and writes the 256 bits the way ThreatExchange does:
64 lower-case hex digits, first bit first. That matches python-threatexchange's ``pdq_from_file`` bit for bit.

Pixels are taken as stored: no EXIF rotation is applied, as the reference hasher applies none. Images with an
alpha channel are hashed on their colour channels; palette, grey and 16-bit images are converted to RGB first.
"""

from __future__ import annotations

import io
import os

import numpy as np
import numpy.typing as npt
import pdqhash
from PIL import Image, UnidentifiedImageError

from fimihub.errors import ValidationError

__all__ = ["hash_bytes", "hash_image", "hash_pixels"]

# What Pillow raises for a file that is missing, unreadable, not an image, truncated or too large to decode.
_READ_ERRORS = (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError)


def hash_pixels(pixels: npt.NDArray[np.uint8]) -> tuple[str, int]:
    """The PDQ hash (hex) and quality (0-100) of an RGB image given as an ``(height, width, 3)`` array."""
    if pixels.dtype != np.uint8 or pixels.ndim != 3 or pixels.shape[2] != 3 or 0 in pixels.shape:
        raise ValueError(f"pixels must be a non-empty (height, width, 3) uint8 array, not {pixels.shape}")
    bits, quality = pdqhash.compute(np.ascontiguousarray(pixels))
    return np.packbits(np.asarray(bits, dtype=np.uint8)).tobytes().hex(), int(quality)


def _hash_opened(image: Image.Image) -> tuple[str, int]:
    image.load()
    if image.mode != "RGB":
        image = image.convert("RGB")
    return hash_pixels(np.asarray(image, dtype=np.uint8))


def hash_image(path: str | os.PathLike[str]) -> tuple[str, int]:
    """The PDQ hash and quality of the image file at ``path``.

    Raises :class:`~fimihub.errors.ValidationError` (field ``image``) naming the file when it cannot be read
    or is not an image Pillow can decode.
    """
    try:
        with Image.open(path) as image:
            return _hash_opened(image)
    except _READ_ERRORS as error:
        raise ValidationError(
            "image", f"{os.fspath(path)}: cannot read as an image ({_reason(error)})"
        ) from None


def hash_bytes(data: bytes, name: str = "image") -> tuple[str, int]:
    """:func:`hash_image` for an image file's contents; ``name`` appears in errors."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            return _hash_opened(image)
    except _READ_ERRORS as error:
        raise ValidationError("image", f"{name}: cannot read as an image ({_reason(error)})") from None


def _reason(error: BaseException) -> str:
    if isinstance(error, FileNotFoundError):
        return "no such file"
    if isinstance(error, IsADirectoryError):
        return "a directory"
    if isinstance(error, PermissionError):
        return "permission denied"
    if isinstance(error, UnidentifiedImageError):
        return "not an image format Pillow knows"
    return str(error) or type(error).__name__
