"""What a report's sentences state: ad spend, followers and removed assets become figures; kill-chain phases
become DISARM tactics; a file's name or title gives a date."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from fimihub.exchange.importers.found import FoundFigure

__all__ = ["ad_spend", "date_in", "figures_in", "tactic_of"]

_NUMBER = r"(\d[\d,]*(?:\.\d+)?)\s*(k|thousand|million|m)?\b"
_SPEND = re.compile(r"\$\s?" + _NUMBER + r"[^.]{0,80}?\b(?:ads?|advert)", re.IGNORECASE)
_EURO_SPEND = re.compile(
    r"(?:€\s?" + _NUMBER + r"|" + _NUMBER + r"\s?(?:EUR|euros?))[^.]{0,80}?\bads?\b", re.I
)
_FOLLOWERS = re.compile(
    r"(?:about|around|approximately|over|nearly)?\s*" + _NUMBER
    + r"\s+(?:accounts?|people|users)\s+(followed|joined|subscribed to)\s+"
    r"(?:one or more of )?(?:these|this|the)\s+"
    r"([A-Za-z][A-Za-z /]{0,40}?)(?:[.,;]|\s+and\s|$)",
    re.IGNORECASE,
)  # fmt: skip
_REMOVED = re.compile(
    _NUMBER.replace(r"\s*(k|thousand|million|m)?\b", r"()")
    + r"\s+((?:Facebook|Instagram|Threads|X|TikTok|YouTube|Telegram)\s+)?"
    r"(accounts?|Pages?|Groups?|events?|channels?|profiles?)\b"
    r"(?!\s+(?:followed|joined))",
)  # fmt: skip
_MULTIPLIERS = {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6}

# Meta's Online Operations Kill Chain phases and the DISARM tactic each corresponds to ("acqiur" as some of
# its files spell it).
_TACTICS: tuple[tuple[str, str], ...] = (
    ("acquir", "TA15"), ("acqiur", "TA15"), ("compromis", "TA15"), ("disguis", "TA16"), ("gather", "TA13"),
    ("coordinat", "TA01"), ("planning", "TA01"), ("evad", "TA11"), ("longevity", "TA11"),
    ("indiscriminate", "TA17"), ("targeted engagement", "TA09"),
)  # fmt: skip


def _amount(digits: str, scale: str | None) -> float:
    return float(digits.replace(",", "")) * _MULTIPLIERS.get((scale or "").lower(), 1)


def ad_spend(text: str) -> tuple[float, str] | None:
    """The ad spend a sentence states (``About $177,000 in spending for ads``) and its currency."""
    found = _SPEND.search(text)
    if found is not None:
        return _amount(found.group(1), found.group(2)), "USD"
    euros = _EURO_SPEND.search(text)
    if euros is not None:
        digits, scale = (
            (euros.group(1), euros.group(2)) if euros.group(1) else (euros.group(3), euros.group(4))
        )
        return _amount(digits, scale), "EUR"
    return None


def figures_in(
    text: str, line: int | None = None, context: str = "", *, removed: bool = False
) -> list[FoundFigure]:
    """The figures a passage states: ad spend, followers and (``removed``) the assets removed."""
    figures: list[FoundFigure] = []
    spend = ad_spend(text)
    if spend is not None:
        figures.append(FoundFigure(spend[0], f"{spend[1]} spent on ads", context, line))
    for match in _FOLLOWERS.finditer(text):
        unit = "members" if match.group(3).lower() == "joined" else "followers"
        figures.append(
            FoundFigure(_amount(match.group(1), match.group(2)), unit, match.group(4).strip(), line)
        )
    if removed:
        for match in _REMOVED.finditer(text):
            platform = (match.group(3) or "").strip()
            unit = match.group(4)
            figures.append(FoundFigure(_amount(match.group(1), None), unit, platform or context, line))
    return figures


def tactic_of(phase: str) -> str | None:
    """The DISARM tactic of a kill-chain phase ("0. Acquiring assets" -> ``TA15``), if it has one."""
    text = phase.lower()
    return next((tactic for word, tactic in _TACTICS if word in text), None)


_YEAR_MONTH = re.compile(r"(?<!\d)(20\d{2})[-_ .](0[1-9]|1[0-2])(?!\d)")
_QUARTER = re.compile(r"\bq([1-4])(?:-[1-4])?[-_ ]*(20\d{2})", re.IGNORECASE)
_HALF = re.compile(r"\bh([12])[-_ ]*(20\d{2})", re.IGNORECASE)
_ISO_DATE = re.compile(r"^(20\d{2})-(\d{2})-(\d{2})")


def date_in(*texts: str) -> datetime | None:
    """The first date a name or title gives: ``2025-06-25``, ``2022_09``, ``Q1_2025``, ``H2 2025``."""
    for text in texts:
        if not text:
            continue
        iso = _ISO_DATE.match(text.strip())
        if iso is not None:
            try:
                return datetime(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)), tzinfo=UTC)
            except ValueError:
                continue
        found = _YEAR_MONTH.search(text)
        if found is not None:
            return datetime(int(found.group(1)), int(found.group(2)), 1, tzinfo=UTC)
        quarter = _QUARTER.search(text)
        if quarter is not None:
            return datetime(int(quarter.group(2)), 3 * int(quarter.group(1)) - 2, 1, tzinfo=UTC)
        half = _HALF.search(text)
        if half is not None:
            return datetime(int(half.group(2)), 1 if half.group(1) == "1" else 7, 1, tzinfo=UTC)
    return None
