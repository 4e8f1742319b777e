"""What the benchmarks share: writing their section of docs/benchmarks.md without touching the others."""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["write_section"]


def write_section(path: Path, heading: str, section: str) -> None:
    """Replace the section under ``heading`` in ``path`` with ``section`` (or append it)."""
    old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"^{re.escape(heading)}\n.*?(?=^## |\Z)", re.DOTALL | re.MULTILINE)
    new = (
        pattern.sub(lambda _: section + "\n", old, count=1)
        if pattern.search(old)
        else old.rstrip("\n") + "\n\n" + section
    )
    path.write_text(new.rstrip("\n") + "\n", encoding="utf-8")
