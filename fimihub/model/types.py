"""Annotated field types shared by the domain records: countries, platforms, DISARM ids, confidence."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from fimihub.vocab import country, disarm_id, platform

__all__ = ["Confidence", "Country", "DisarmId", "EeaCountry", "Platform"]

Country = Annotated[str, AfterValidator(country)]
Platform = Annotated[str, AfterValidator(platform)]
DisarmId = Annotated[str, AfterValidator(disarm_id)]
#: Confidence in 0..100, as in STIX 2.1.
Confidence = Annotated[int, Field(ge=0, le=100)]


def _eea(code: str) -> str:
    from fimihub.vocab import EEA

    canonical = country(code)
    if canonical not in EEA:
        raise ValueError(f"{code!r} is not an EU/EEA Member State")
    return canonical


EeaCountry = Annotated[str, AfterValidator(_eea)]
