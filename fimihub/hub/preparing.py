"""What a record becomes before it is stored: the checks and canonical forms that need more than the model.

Both run before a write takes its lock (they can be slow: normalising values, checking warning lists), on
create and on update alike, from the records service and from TAXII intake.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fimihub.coordination import OperationFingerprint
from fimihub.errors import ValidationError
from fimihub.matching import warning_lists_for
from fimihub.matching.kinds.pdq import check_quality
from fimihub.model import Signal, SignalKind, parse

__all__ = ["prepare_fingerprint", "prepare_posted_signal", "prepare_signal", "signal_types"]


def signal_types() -> Mapping[SignalKind, Any]:
    """Each signal kind's matcher type (normalise, compare), loaded on first use."""
    from fimihub.matching.kinds import SIGNAL_TYPES

    return SIGNAL_TYPES


def prepare_signal(data: dict[str, Any]) -> dict[str, Any]:
    """Normalise a new signal's value and flag it when it is on a warning list."""
    kind, value = data.get("kind"), data.get("value")
    if not isinstance(kind, str) or not isinstance(value, str):
        return data  # the model names what is missing or mistyped
    try:
        signal_kind = SignalKind(kind)
    except ValueError:
        return data
    try:
        normalised = signal_types()[signal_kind].normalise(value)
    except KeyError:
        return data
    except ValueError as exc:
        raise ValidationError("value", str(exc)) from None
    quality = data.get("quality")
    if signal_kind is SignalKind.PDQ and quality is not None:
        try:
            check_quality(quality)
        except ValueError as exc:
            raise ValidationError("quality", str(exc)) from None
    return {**data, "value": normalised, "warning_lists": warning_lists_for(signal_kind, normalised)}


def prepare_fingerprint(data: dict[str, Any]) -> dict[str, Any]:
    """A fingerprint record's features checked and put in canonical form (for create and update)."""
    features = data.get("features")
    try:
        parsed = OperationFingerprint.from_dict(features)
    except ValidationError as exc:
        raise ValidationError(f"features.{exc.field}", exc.errors[0][1]) from None
    if "operation_id" in data and parsed.operation != data["operation_id"]:
        raise ValidationError("features.operation", "must equal the fingerprint's operation_id")
    return {**data, "features": parsed.to_dict()}


def prepare_posted_signal(signal: Signal) -> Signal:
    """A signal read from a TAXII post, prepared as every new signal is (normalised value, warning lists);
    raises :class:`ValidationError` when its value is not one of its kind."""
    fields = {"kind": signal.kind.value, "value": signal.value, "quality": signal.quality}
    prepared = prepare_signal(fields)
    if prepared["value"] == signal.value:  # the usual case: only the warning lists are new
        return signal.model_copy(
            update={"warning_lists": prepared.get("warning_lists", signal.warning_lists)}
        )
    return parse(Signal, {**signal.model_dump(), **prepared})
