"""What we emit passes the OASIS tools: stix2-validator (strict, with our extension's schema) and stix2."""

from __future__ import annotations

import copy
from typing import Any

import jsonschema
import stix2
from hypothesis import HealthCheck, given, settings

from fimihub.exchange.stix import (
    EXTENSION_ID,
    SCHEMA_FILE,
    TLP_MARKING_IDS,
    extension_definition,
    schema,
    tlp_marking_definition,
    to_stix,
)
from fimihub.exchange.stix.markings import TLP1_MARKING_IDS
from fimihub.model import TLP, Governed
from tests.exchange.stix import strategies as s
from tests.exchange.stix.oasis import SCHEMA_DIR, oasis_errors
from tests.storage import samples

SLOW = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SLOW
@given(s.records(max_size=6))
def test_every_bundle_passes_the_strict_oasis_validator(records: list[Governed]) -> None:
    bundle = to_stix(records)
    assert oasis_errors(bundle) == []


@SLOW
@given(s.records(max_size=6))
def test_stix2_parses_every_bundle(records: list[Governed]) -> None:
    bundle = to_stix(records)
    parsed = stix2.parse(bundle, allow_custom=True)
    assert len(parsed.objects) == len(bundle["objects"])


@settings(max_examples=80, deadline=None)
@given(s.records(max_size=6))
def test_our_extension_properties_match_our_schema(records: list[Governed]) -> None:
    """The schema checked directly with jsonschema too, over more examples (it is fast)."""
    validator = jsonschema.Draft202012Validator(schema(), format_checker=jsonschema.FormatChecker())
    for obj in to_stix(records)["objects"]:
        if EXTENSION_ID in obj.get("extensions", {}):
            validator.validate(obj)


def _one_bundle() -> dict[str, Any]:
    return to_stix([samples.operation(), samples.signal(kind="pdq", value="ab" * 32)])


def test_the_validator_checks_our_extension_against_its_schema() -> None:
    """A bundle the core STIX schemas accept, broken only inside our extension, fails: our schema is used."""
    bundle = _one_bundle()
    campaign = next(o for o in bundle["objects"] if o["type"] == "campaign")
    campaign["extensions"][EXTENSION_ID]["status"] = "thriving"
    errors = oasis_errors(bundle)
    assert errors and any("thriving" in e for e in errors)
    bad = copy.deepcopy(_one_bundle())
    indicator = next(o for o in bad["objects"] if o["type"] == "indicator")
    indicator["extensions"][EXTENSION_ID]["surprise"] = "x"
    assert oasis_errors(bad)


def test_the_schema_is_where_the_validator_and_the_definition_say() -> None:
    assert f"{EXTENSION_ID}.json" == SCHEMA_FILE
    assert (SCHEMA_DIR + "/" + SCHEMA_FILE).endswith(SCHEMA_FILE)
    definition = extension_definition()
    assert definition["schema"].endswith("/fimihub/exchange/stix/schemas/" + SCHEMA_FILE)
    assert definition["extension_types"] == ["property-extension"]
    assert schema()["$id"].endswith(SCHEMA_FILE)


def test_tlp_markings_are_the_oasis_tlp2_objects() -> None:
    # The ids OASIS publishes in cti-stix-common-objects (extension-definition-specifications/tlp-2.0).
    assert TLP_MARKING_IDS[TLP.AMBER_STRICT] == "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"
    assert tlp_marking_definition(TLP.AMBER_STRICT) == {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
        "created": "2022-10-01T00:00:00.000Z",
        "name": "TLP:AMBER+STRICT",
        "extensions": {
            "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d": {
                "extension_type": "property-extension",
                "tlp_2_0": "amber+strict",
            }
        },
    }
    for level in TLP:
        parsed = stix2.parse(tlp_marking_definition(level), allow_custom=True)
        assert parsed.id == TLP_MARKING_IDS[level]


def test_tlp1_ids_we_read_are_those_stix2_predefines() -> None:
    assert {
        stix2.TLP_WHITE.id: TLP.CLEAR,
        stix2.TLP_GREEN.id: TLP.GREEN,
        stix2.TLP_AMBER.id: TLP.AMBER,
        stix2.TLP_RED.id: TLP.RED,
    } == TLP1_MARKING_IDS
