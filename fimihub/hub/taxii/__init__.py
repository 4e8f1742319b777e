"""TAXII 2.1 use cases: the STIX objects each forum's collection holds, who may see and change them, and how
they stay in step with the hub's records.

* :mod:`~fimihub.hub.taxii.service` — the use cases, :class:`Taxii` (``hub.taxii``): collections, reading,
  posting, deleting;
* :mod:`~fimihub.hub.taxii.feed` — records → collections: every change of a shared record is published;
* :mod:`~fimihub.hub.taxii.intake` — collections → records: posted objects that map become records;
* :mod:`~fimihub.hub.taxii.retention` — expired objects and old statuses are purged;
* :mod:`~fimihub.hub.taxii.access`, :mod:`~fimihub.hub.taxii.posting`, :mod:`~fimihub.hub.taxii.reading`,
  :mod:`~fimihub.hub.taxii.writing`, :mod:`~fimihub.hub.taxii.resources` — what they are built from.
"""

from fimihub.hub.taxii.resources import (
    TLP_MARKING_DEFINITIONS,
    StixCollection,
    StixFilters,
    StixPage,
    StixStatus,
    collection_id_of,
    stix_timestamp,
    timestamp_us,
)
from fimihub.hub.taxii.service import Taxii

__all__ = [
    "TLP_MARKING_DEFINITIONS",
    "StixCollection",
    "StixFilters",
    "StixPage",
    "StixStatus",
    "Taxii",
    "collection_id_of",
    "stix_timestamp",
    "timestamp_us",
]
