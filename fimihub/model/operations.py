"""Operations: influence networks and campaigns, the centre of what members exchange."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, model_validator

from fimihub.model._base import Governed, Name, Text, UtcDatetime
from fimihub.model.types import Confidence, Country, DisarmId

__all__ = [
    "DetectionSource",
    "Operation",
    "OperationStatus",
    "OperatorType",
]


class OperationStatus(StrEnum):
    """Life of an operation: investigating → disrupted → monitoring → closed."""

    INVESTIGATING = "investigating"
    DISRUPTED = "disrupted"
    MONITORING = "monitoring"
    CLOSED = "closed"

    def may_become(self, other: OperationStatus) -> bool:
        """Whether the status may move to ``other``. Monitoring may fall back to disrupted on a new wave."""
        return other == self or other in _NEXT[self]


_NEXT: dict[OperationStatus, frozenset[OperationStatus]] = {
    OperationStatus.INVESTIGATING: frozenset(
        {OperationStatus.DISRUPTED, OperationStatus.MONITORING, OperationStatus.CLOSED}
    ),
    OperationStatus.DISRUPTED: frozenset({OperationStatus.MONITORING, OperationStatus.CLOSED}),
    OperationStatus.MONITORING: frozenset(
        {OperationStatus.DISRUPTED, OperationStatus.INVESTIGATING, OperationStatus.CLOSED}
    ),
    OperationStatus.CLOSED: frozenset({OperationStatus.MONITORING, OperationStatus.INVESTIGATING}),
}


class OperatorType(StrEnum):
    STATE = "state"
    STATE_LINKED = "state-linked"
    COMMERCIAL_VENDOR = "commercial-vendor"
    DOMESTIC_POLITICAL = "domestic-political"
    UNKNOWN = "unknown"


class DetectionSource(StrEnum):
    INTERNAL = "internal"
    EXTERNAL = "external"


class Operation(Governed):
    """An influence network or campaign."""

    name: Name
    aliases: tuple[Name, ...] = Field(default=(), max_length=100)
    description: Text = ""
    status: OperationStatus = OperationStatus.INVESTIGATING
    origin_countries: tuple[Country, ...] = Field(default=(), max_length=250)
    target_countries: tuple[Country, ...] = Field(default=(), max_length=250)
    target_audience: Text = ""
    operator_type: OperatorType = OperatorType.UNKNOWN
    #: Who is believed to run it, in words ("a marketing firm in …"); empty when not attributed.
    attribution: Text = ""
    attribution_confidence: Confidence = 0
    detection_source: DetectionSource = DetectionSource.INTERNAL
    #: The partner organisation (id or name) that reported it, when detection_source is external.
    detection_partner: str | None = Field(default=None, max_length=200)
    narratives: tuple[Text, ...] = Field(default=(), max_length=200)
    techniques: tuple[DisarmId, ...] = Field(default=(), max_length=500)
    first_seen: UtcDatetime | None = None
    last_seen: UtcDatetime | None = None
    #: Ids of earlier operations this one continues (resurgence, rebranding).
    continues: tuple[str, ...] = Field(default=(), max_length=100)
    #: Money the operation spent on ads, in ``ad_spend_currency`` (ISO 4217).
    ad_spend: float | None = Field(default=None, ge=0)
    ad_spend_currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")

    @model_validator(mode="after")
    def _consistent(self) -> Operation:
        if self.first_seen and self.last_seen and self.last_seen < self.first_seen:
            raise ValueError("last_seen: is before first_seen")
        if self.detection_source == DetectionSource.EXTERNAL and not self.detection_partner:
            raise ValueError("detection_partner: required when detection_source is external")
        if self.attribution_confidence and not self.attribution:
            raise ValueError("attribution_confidence: needs an attribution")
        if self.id in self.continues:
            raise ValueError("continues: an operation cannot continue itself")
        return self
