"""Where Meta's published indicator files are kept for the tests (outside the project, see its README)."""

from __future__ import annotations

from pathlib import Path

import pytest

META = Path(__file__).resolve().parents[4] / "shared" / "data" / "peer-disclosures" / "meta"


@pytest.fixture
def meta_dir() -> Path:
    if not META.is_dir():
        pytest.skip(f"Meta's indicator files are not here ({META}): the shared test data is absent")
    return META
