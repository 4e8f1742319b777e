"""Controlled vocabularies: countries (ISO 3166-1, EU/EEA sets), platforms, DISARM technique ids."""

from fimihub.vocab.countries import EEA, EU, country, is_country
from fimihub.vocab.disarm import Technique, disarm_id, retirement, technique, technique_named
from fimihub.vocab.platforms import PLATFORMS, platform

__all__ = [
    "EEA",
    "EU",
    "PLATFORMS",
    "Technique",
    "country",
    "disarm_id",
    "is_country",
    "platform",
    "retirement",
    "technique",
    "technique_named",
]
