"""Disclosures: what a peer published (a threat report's indicator file, a STIX bundle, a MISP event) as a
member imported it.

A disclosure says who published what, when and where, which files it came from (each with its SHA-256), the
figures it states ("658 accounts", "$177,000 in ads") and the kill-chain phases it tags; and it owns what the
import brought in: the signals and, where the file names one, the operation.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from fimihub.model._base import MAX_NAME, Governed, Name, Text, UtcDatetime

__all__ = ["DisclosedFile", "Disclosure", "DisclosureFigure"]

_Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_NAME)]
_Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
#: Most signals one disclosure owns (Meta's largest files list tens of thousands of domains).
MAX_OWNED = 200_000


class DisclosedFile(BaseModel):
    """One file an import read: its name as given, its SHA-256 and size, and what came of its rows."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Annotated[str, StringConstraints(min_length=1, max_length=1000)]
    sha256: _Sha256
    size: int = Field(ge=0)
    indicators: int = Field(default=0, ge=0)
    skipped: int = Field(default=0, ge=0)


class DisclosureFigure(BaseModel):
    """A number the publisher states rather than an indicator: ``658`` ``accounts`` (on Facebook), say."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    value: float = Field(ge=0)
    #: What is counted, in the publisher's words ("accounts", "Pages", "USD in ads", "followers").
    unit: _Label
    #: Where the file puts it (a procedure, a platform), when it does.
    context: Annotated[str, StringConstraints(max_length=MAX_NAME)] = ""
    line: int | None = Field(default=None, ge=1)


class Disclosure(Governed):
    """A peer's public disclosure as a member imported it, and what the import brought in."""

    publisher: Name
    title: Name
    #: How it was read: ``meta-threat-research``, ``stix``, ``misp`` or ``csv``.
    format: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{0,39}$")]
    published_at: UtcDatetime | None = None
    url: Annotated[str, StringConstraints(max_length=2048)] | None = None
    summary: Text = ""
    files: tuple[DisclosedFile, ...] = Field(default=(), max_length=1000)
    figures: tuple[DisclosureFigure, ...] = Field(default=(), max_length=1000)
    #: Kill-chain phases the file tags, as it writes them ("0. Acquiring assets").
    kill_chain: tuple[_Label, ...] = Field(default=(), max_length=100)
    #: The DISARM tactics (``TA15`` …) those phases map to.
    tactics: tuple[Annotated[str, StringConstraints(pattern=r"^TA\d{2}$")], ...] = Field(
        default=(), max_length=100
    )
    #: Indicators per kind the import read (a value on two rows counts twice and is one signal).
    imported: dict[str, int] = Field(default_factory=dict)
    signal_ids: tuple[str, ...] = Field(default=(), max_length=MAX_OWNED)
    operation_ids: tuple[str, ...] = Field(default=(), max_length=1000)
