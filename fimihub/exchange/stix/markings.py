"""Markings: TLP 2.0 through the OASIS marking definitions, PAP through statement markings of ours.

TLP 2.0 is not built into STIX 2.1. OASIS publishes it as an extension
(``extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d``) with one fixed ``marking-definition`` per
level; every tool that speaks TLP 2.0 (MISP, OpenCTI …) recognises those five ids, so a record's TLP
travels as the id of its level in ``object_marking_refs``. Reading, the four TLP 1.0 ids built into STIX 2.1
are accepted too (WHITE is CLEAR).

PAP (what a recipient may *do*) has no OASIS definition. It travels as a marking definition named as MISP's
PAP taxonomy names the level (``"PAP:AMBER"``), holding the level in fimihub's extension (the way OASIS's TLP
2.0 definitions hold theirs), with an id fimihub derives from the level, so every hub writes the same four
objects and MISP reads each as its PAP tag. Reading, the ``statement`` markings earlier hubs wrote
(``{"statement": "PAP:AMBER"}``) and any peer's marking definition named or stating ``PAP:<level>`` count too.

When an object carries several levels, the most restrictive applies: a peer may tighten a marking when it
shares onwards, never loosen it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from fimihub.exchange.stix._common import JSON
from fimihub.exchange.stix.extension import EXTENSION_ID
from fimihub.exchange.stix.ids import derived_id
from fimihub.model import PAP, TLP, Marking

__all__ = [
    "PAP_MARKING_IDS",
    "PAP_STATEMENT_IDS",
    "TLP1_MARKING_IDS",
    "TLP_BY_MARKING_ID",
    "TLP_EXTENSION_ID",
    "TLP_MARKING_IDS",
    "marking_definitions",
    "marking_refs",
    "pap_from_refs",
    "pap_marking_definition",
    "tlp_from_refs",
    "tlp_marking_definition",
]

#: The OASIS extension that defines the TLP 2.0 marking definitions.
TLP_EXTENSION_ID = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
#: The fixed ids of the OASIS TLP 2.0 marking definitions (cti-stix-common-objects, tlp-2.0).
TLP_MARKING_IDS: dict[TLP, str] = {
    TLP.CLEAR: "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    TLP.GREEN: "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    TLP.AMBER: "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    TLP.AMBER_STRICT: "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    TLP.RED: "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
#: The TLP 1.0 marking definitions STIX 2.1 predefines, as a peer may still send them.
TLP1_MARKING_IDS: dict[str, TLP] = {
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": TLP.CLEAR,  # TLP:WHITE
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": TLP.GREEN,
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": TLP.AMBER,
    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": TLP.RED,
}
_TLP_CREATED = "2022-10-01T00:00:00.000Z"
_TLP_NAMES = {
    TLP.CLEAR: "TLP:CLEAR",
    TLP.GREEN: "TLP:GREEN",
    TLP.AMBER: "TLP:AMBER",
    TLP.AMBER_STRICT: "TLP:AMBER+STRICT",
    TLP.RED: "TLP:RED",
}
#: Every TLP marking definition by id, TLP 2.0 and 1.0: what a ``object_marking_refs`` entry says.
TLP_BY_MARKING_ID: dict[str, TLP] = {v: k for k, v in TLP_MARKING_IDS.items()} | TLP1_MARKING_IDS

#: fimihub's PAP markings, one per level.
PAP_MARKING_IDS: dict[PAP, str] = {
    pap: derived_id("marking-definition", "pap-taxonomy", pap.value) for pap in PAP
}
#: The PAP statement markings earlier hubs wrote, still read.
PAP_STATEMENT_IDS: dict[PAP, str] = {pap: derived_id("marking-definition", "pap", pap.value) for pap in PAP}
_PAP_BY_ID = {v: k for k, v in PAP_MARKING_IDS.items()} | {v: k for k, v in PAP_STATEMENT_IDS.items()}
_PAP_CREATED = "2025-01-01T00:00:00.000Z"
_PAP_ORDER = [PAP.CLEAR, PAP.GREEN, PAP.AMBER, PAP.RED]


def tlp_marking_definition(tlp: TLP) -> JSON:
    """The OASIS marking definition of TLP 2.0 level ``tlp``, exactly as OASIS publishes it."""
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": TLP_MARKING_IDS[tlp],
        "created": _TLP_CREATED,
        "name": _TLP_NAMES[tlp],
        "extensions": {TLP_EXTENSION_ID: {"extension_type": "property-extension", "tlp_2_0": tlp.value}},
    }


def pap_marking_definition(pap: PAP, created_by_ref: str) -> JSON:
    """The marking definition of PAP level ``pap``: named as MISP's PAP taxonomy tag, the level in fimihub's
    extension."""
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": PAP_MARKING_IDS[pap],
        "created": _PAP_CREATED,
        "created_by_ref": created_by_ref,
        "name": f"PAP:{pap.value.upper()}",
        "extensions": {
            EXTENSION_ID: {"extension_type": "property-extension", "view": "pap", "pap": pap.value}
        },
    }


def marking_refs(marking: Marking) -> list[str]:
    """``object_marking_refs`` for ``marking``: its TLP level, then its PAP level."""
    return [TLP_MARKING_IDS[marking.tlp], PAP_MARKING_IDS[marking.pap]]


def marking_definitions(refs: Iterable[str], created_by_ref: str) -> list[JSON]:
    """The marking definitions a bundle must carry for ``refs`` (those fimihub and OASIS define)."""
    found: list[JSON] = []
    for ref in dict.fromkeys(refs):
        if ref in TLP_BY_MARKING_ID and ref in TLP_MARKING_IDS.values():
            found.append(tlp_marking_definition(TLP_BY_MARKING_ID[ref]))
        elif ref in PAP_MARKING_IDS.values():
            found.append(pap_marking_definition(_PAP_BY_ID[ref], created_by_ref))
    return found


def tlp_from_refs(
    refs: Iterable[str], definitions: Mapping[str, Mapping[str, Any]] | None = None
) -> TLP | None:
    """The most restrictive TLP level among ``refs``: the OASIS TLP 2.0 and STIX TLP 1.0 ids, or a peer's own
    marking definition (in ``definitions``) that names a level; ``None`` when none does."""
    definitions = definitions or {}
    levels: list[TLP] = []
    for ref in refs:
        if ref in TLP_BY_MARKING_ID:
            levels.append(TLP_BY_MARKING_ID[ref])
        elif (level := _tlp_of_definition(definitions.get(ref))) is not None:
            levels.append(level)
    return max(levels, key=lambda t: t.rank) if levels else None


def _tlp_of_definition(definition: Mapping[str, Any] | None) -> TLP | None:
    if not definition:
        return None
    tlp2 = (definition.get("extensions") or {}).get(TLP_EXTENSION_ID)
    candidates = [
        tlp2.get("tlp_2_0") if isinstance(tlp2, Mapping) else None,
        (definition.get("definition") or {}).get("tlp")
        if definition.get("definition_type") == "tlp"
        else None,
    ]
    for candidate in candidates:
        if isinstance(candidate, str):
            try:
                return TLP.parse(candidate)
            except ValueError:
                continue
    return None


def pap_from_refs(
    refs: Iterable[str], definitions: Mapping[str, Mapping[str, Any]] | None = None
) -> PAP | None:
    """The most restrictive PAP level among ``refs``: fimihub's PAP markings (and the statement markings
    earlier hubs wrote), or any marking definition in ``definitions`` whose statement or, without a
    ``definition_type``, whose name reads ``PAP:<level>``; ``None`` when none does."""
    definitions = definitions or {}
    levels: list[PAP] = []
    for ref in refs:
        if ref in _PAP_BY_ID:
            levels.append(_PAP_BY_ID[ref])
            continue
        definition = definitions.get(ref) or {}
        statement = (definition.get("definition") or {}).get("statement")
        if definition.get("definition_type") == "statement":
            text = statement
        elif "definition_type" not in definition:
            text = definition.get("name")
        else:
            text = None
        if isinstance(text, str) and text.strip().upper().startswith("PAP:"):
            try:
                levels.append(PAP(text.strip()[4:].strip().lower()))
            except ValueError:
                continue
    return max(levels, key=_PAP_ORDER.index) if levels else None
