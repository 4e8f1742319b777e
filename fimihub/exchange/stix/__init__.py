"""STIX 2.1 mapping of what fimihub members share, both ways.

:func:`to_stix` turns records (operations, assets, signals, actions, feedback, fingerprints) into a STIX 2.1
bundle; :func:`from_stix` reads a bundle (or loose objects) from a peer back into records, reporting what it
has no record for. The mapping writes and reads plain JSON dicts; ``docs/stix.md`` has the mapping table, the
extension and its schema, and how TLP and PAP travel.
"""

from fimihub.exchange.stix.bundle import StixImport, carrier_id, from_stix, to_stix, to_stix_objects
from fimihub.exchange.stix.extension import (
    EXTENSION_ID,
    FIMIHUB_IDENTITY_ID,
    SCHEMA_FILE,
    extension_definition,
    fimihub_identity,
    organisation_identity,
    organisation_identity_id,
    schema,
)
from fimihub.exchange.stix.fingerprints import fingerprint_from_stix, fingerprint_id, fingerprint_to_stix
from fimihub.exchange.stix.ids import SCO_NAMESPACE, derived_id, record_stix_id, sco_id
from fimihub.exchange.stix.indicators import (
    escape,
    indicator_id,
    pattern_for,
    signal_from_stix,
    signal_to_stix,
)
from fimihub.exchange.stix.markings import (
    PAP_MARKING_IDS,
    TLP_EXTENSION_ID,
    TLP_MARKING_IDS,
    pap_marking_definition,
    tlp_marking_definition,
)
from fimihub.exchange.stix.observables import asset_observable, assets_from_stix, assets_to_stix
from fimihub.exchange.stix.operations import (
    attack_pattern,
    attack_pattern_id,
    campaign_id,
    operation_from_stix,
    operation_to_stix,
)
from fimihub.exchange.stix.sightings import (
    OPINIONS,
    action_from_stix,
    action_to_stix,
    feedback_from_stix,
    feedback_to_stix,
    record_ref,
)

__all__ = [
    "EXTENSION_ID",
    "FIMIHUB_IDENTITY_ID",
    "OPINIONS",
    "PAP_MARKING_IDS",
    "SCHEMA_FILE",
    "SCO_NAMESPACE",
    "TLP_EXTENSION_ID",
    "TLP_MARKING_IDS",
    "StixImport",
    "action_from_stix",
    "action_to_stix",
    "asset_observable",
    "assets_from_stix",
    "assets_to_stix",
    "attack_pattern",
    "attack_pattern_id",
    "campaign_id",
    "carrier_id",
    "derived_id",
    "escape",
    "extension_definition",
    "feedback_from_stix",
    "feedback_to_stix",
    "fimihub_identity",
    "fingerprint_from_stix",
    "fingerprint_id",
    "fingerprint_to_stix",
    "from_stix",
    "indicator_id",
    "operation_from_stix",
    "operation_to_stix",
    "organisation_identity",
    "organisation_identity_id",
    "pap_marking_definition",
    "pattern_for",
    "record_ref",
    "record_stix_id",
    "schema",
    "sco_id",
    "signal_from_stix",
    "signal_to_stix",
    "tlp_marking_definition",
    "to_stix",
    "to_stix_objects",
]
