"""Whatever a file holds, the importers answer with what they found or one ValidationError naming the file:
never another exception."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fimihub.errors import ValidationError
from fimihub.exchange.importers import read_file

_CELLS = st.sampled_from(
    [
        "Tactic ", "Indicator", "indicator_type", "indicator_value", "hxxps://x[.]com/a", "t[.]me/b",
        "658 accounts",
        "`evil[.]com`", '"', "|", "| --- |", "# T", "- `a[.]b`", "```", "\r\n", "\n", ",", ";", "\t", "\x00",
        "{", "[", "About $5 in ads", "@h", "ab" * 16, "é", "\ud7ff", "https{:}//", "(note)", "youtube.com/@",
    ]
)  # fmt: skip
_TEXT = st.lists(st.one_of(_CELLS, st.text(max_size=12)), max_size=60).map("".join)


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(
    text=_TEXT,
    encoding=st.sampled_from(["utf-8", "utf-16", "cp1252"]),
    fmt=st.sampled_from(["meta-threat-research", "csv", "misp", "stix"]),
)
def test_no_file_makes_an_importer_fail_otherwise(text: str, encoding: str, fmt: str) -> None:
    data = text.encode(encoding, "replace")
    with tempfile.TemporaryDirectory() as folder:
        for name in ("f.csv", "f.md", "f.json"):
            path = Path(folder) / name
            path.write_bytes(data)
            try:
                for found in read_file(fmt, path, {"columns": {"value": "Indicator"}}):
                    assert found.file
            except ValidationError as exc:
                assert exc.errors and exc.errors[0][1]
