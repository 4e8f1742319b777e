"""The file-hash kinds ``md5`` and ``sha256``."""

from __future__ import annotations

import random
from typing import ClassVar

from fimihub.matching.base import SignalType
from fimihub.matching.kinds.filehash import Md5SignalType, Sha256SignalType
from tests.matching.signal_type_suite import SignalTypeSuite

EMPTY_MD5 = "d41d8cd98f00b204e9800998ecf8427e"
EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


class TestMd5Kind(SignalTypeSuite):
    signal_type: ClassVar[SignalType] = Md5SignalType()
    examples: ClassVar[dict[str, str]] = {EMPTY_MD5.upper(): EMPTY_MD5, f"MD5:{EMPTY_MD5}": EMPTY_MD5}
    junk: ClassVar[list[str]] = [
        EMPTY_MD5[:-1],
        EMPTY_SHA256,
        "z" * 32,
        f"sha256:{EMPTY_MD5}",
        "0x" + EMPTY_MD5,
    ]
    fuzz_prefixes: ClassVar[tuple[str, ...]] = ("", "md5:", EMPTY_MD5[:30])

    def random_values(self, rng: random.Random, n: int) -> list[str]:
        digits = type(self.signal_type).digits  # type: ignore[attr-defined]
        return [f"{rng.randrange(64):02x}" + "a" * (digits - 2) for _ in range(n)]


class TestSha256Kind(TestMd5Kind):
    signal_type: ClassVar[SignalType] = Sha256SignalType()
    examples: ClassVar[dict[str, str]] = {
        EMPTY_SHA256.upper(): EMPTY_SHA256,
        f"sha256={EMPTY_SHA256}": EMPTY_SHA256,
    }
    junk: ClassVar[list[str]] = [EMPTY_SHA256[:-1], EMPTY_MD5, "z" * 64]
    fuzz_prefixes: ClassVar[tuple[str, ...]] = ("", "sha256:", EMPTY_SHA256[:62])
