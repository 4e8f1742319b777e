"""The media types of the exchange, written once for the TAXII server, the TAXII client and the hub."""

from __future__ import annotations

__all__ = ["STIX_MEDIA_TYPE", "TAXII_MEDIA_TYPE"]

#: The one media type of TAXII 2.1 requests and answers.
TAXII_MEDIA_TYPE = "application/taxii+json;version=2.1"
#: The media type of every object a TAXII collection holds: STIX 2.1.
STIX_MEDIA_TYPE = "application/stix+json;version=2.1"
