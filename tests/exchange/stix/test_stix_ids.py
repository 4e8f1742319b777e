"""Deterministic ids: observables as the STIX spec (and stix2) compute them; records keep their own."""

from __future__ import annotations

import uuid

import stix2
from hypothesis import given, settings
from hypothesis import strategies as st

from fimihub.exchange.stix import (
    EXTENSION_ID,
    SCO_NAMESPACE,
    asset_observable,
    attack_pattern_id,
    campaign_id,
    derived_id,
    organisation_identity_id,
    record_stix_id,
    sco_id,
)
from fimihub.exchange.stix.ids import FIMIHUB_NAMESPACE
from fimihub.model import Asset
from tests.exchange.stix import strategies as s

_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=30)


def test_the_sco_namespace_is_the_one_stix_fixes() -> None:
    assert uuid.UUID("00abedb4-aa42-466c-9c01-fed23315a9b7") == SCO_NAMESPACE
    assert sco_id("domain-name", {"value": "example.com"}) == stix2.DomainName(value="example.com").id


@settings(max_examples=100, deadline=None)
@given(_TEXT)
def test_domain_and_url_ids_equal_stix2s(value: str) -> None:
    assert sco_id("domain-name", {"value": value}) == stix2.DomainName(value=value).id
    assert sco_id("url", {"value": value}) == stix2.URL(value=value).id


@settings(max_examples=100, deadline=None)
@given(st.none() | _TEXT, st.none() | _TEXT, _TEXT)
def test_user_account_ids_equal_stix2s(user_id: str | None, login: str | None, kind: str) -> None:
    props = {"account_type": kind, "user_id": user_id, "account_login": login}
    expected = stix2.UserAccount(**{k: v for k, v in props.items() if v is not None}).id
    assert sco_id("user-account", props) == expected


@settings(max_examples=100, deadline=None)
@given(s.assets())
def test_asset_observables_carry_the_id_stix2_computes(asset: Asset) -> None:
    obj = asset_observable(asset)
    cls = {"user-account": stix2.UserAccount, "domain-name": stix2.DomainName, "url": stix2.URL}[obj["type"]]
    rebuilt = cls(**{k: v for k, v in obj.items() if k not in {"id", "type", "spec_version"}})
    assert rebuilt.id == obj["id"]
    assert asset_observable(asset)["id"] == obj["id"]  # stable


def test_records_keep_their_uuid_and_others_get_a_stable_one() -> None:
    u = "0f8d3b2e-5c4a-4f0e-9a57-3c1d2e4f5a6b"
    assert campaign_id(f"operation--{u}") == f"campaign--{u}"
    assert record_stix_id(f"signal--{u}", "indicator", "signal") == f"indicator--{u}"
    odd = campaign_id("operation--1")
    assert odd == campaign_id("operation--1") == derived_id("campaign", "record", "operation--1")
    assert uuid.UUID(odd.partition("--")[2]).version == 5
    assert campaign_id(f"signal--{u}") != f"campaign--{u}"  # only the record's own prefix keeps the uuid


def test_derived_ids_are_the_same_on_every_hub() -> None:
    assert (
        attack_pattern_id("T0049.001")
        == f"attack-pattern--{uuid.uuid5(FIMIHUB_NAMESPACE, 'attack-pattern|disarm|T0049.001')}"
    )
    assert attack_pattern_id("T0049.001") != attack_pattern_id("T0049")
    assert organisation_identity_id("organisation--a") == organisation_identity_id("organisation--a")
    assert uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/fimihub/fimihub/stix") == FIMIHUB_NAMESPACE
    expected = uuid.uuid5(FIMIHUB_NAMESPACE, "extension-definition|influence-operation|1")
    assert f"extension-definition--{expected}" == EXTENSION_ID
