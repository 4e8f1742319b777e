"""Countries as ISO 3166-1 alpha-2 codes, and the EU / EEA Member State sets the C16 report counts by."""

from __future__ import annotations

from iso3166 import countries_by_alpha2

__all__ = ["EEA", "EU", "country", "is_country"]

#: The 27 EU Member States (ISO 3166-1 alpha-2).
#: Greece is ``GR`` here; the EU's own ``EL`` is accepted on input.
EU: frozenset[str] = frozenset(
    {
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
    }
)
#: The EU/EEA: the EU plus Iceland, Liechtenstein and Norway.
EEA: frozenset[str] = EU | {"IS", "LI", "NO"}

_ALIASES = {"EL": "GR", "UK": "GB"}


def is_country(code: str) -> bool:
    """Whether ``code`` is an assigned ISO 3166-1 alpha-2 code (or an accepted alias such as ``EL``)."""
    text = code.strip().upper()
    return _ALIASES.get(text, text) in countries_by_alpha2


def country(code: str) -> str:
    """The canonical upper-case alpha-2 code for ``code``; raises ``ValueError`` for anything else."""
    text = code.strip().upper()
    text = _ALIASES.get(text, text)
    if text not in countries_by_alpha2:
        raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-2 country code")
    return text
