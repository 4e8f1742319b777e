"""Assets as STIX cyber observables: ``user-account``, ``domain-name`` or ``url``.

An asset is an account, page, group, channel, domain or ad account an operation uses. What STIX can say about
it in standard terms becomes an observable with a **deterministic id** (UUIDv5 over its ID contributing
properties in the namespace STIX reserves for them), so two members that report the same account produce the
same object and a peer merges them:

* a ``domain`` asset whose handle, URL host or external id is a host name → ``domain-name`` (``value``);
* any asset with a handle or an external id → ``user-account``: the platform as ``account_type`` (``x`` and
  ``facebook`` use STIX's own ``twitter`` and ``facebook``; other platforms their fimihub slug, as the open
  vocabulary allows), the handle as ``account_login``, the platform's id as ``user_id``, ``display_name``,
  ``account_created``, and ``is_disabled`` once the asset was removed;
* otherwise the asset's URL → ``url`` (percent-encoded where the URL as written is not a valid URI).

An account's ``user_id`` is what the asset record holds: in a forum, the hub keeps an account's platform id
only as its keyed hash with the forum's key (HMAC-SHA256 over ``platform:id``, as account-id signals are
shared; see :mod:`fimihub.hub.identifiers`), unless the forum shares account ids in clear. The hub's sealed
copy of the clear id (``external_id_sealed``, readable only by the owner organisation) never travels.

Observables have no creator or timestamps of their own, so the asset records themselves travel in fimihub's
extension: ``assets`` lists one entry per asset record that describes the observable (usually one; several
when members report the same account), each with its governance envelope and every field. The observable's
``object_marking_refs`` are the most restrictive TLP and PAP among its entries. Each asset of an operation is
linked to its campaign by a ``related-to`` relationship of the asset's owner.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, urlsplit

import idna

from fimihub.exchange.stix._common import (
    JSON,
    ObjectReader,
    dump_fields,
    extension_fields,
    parse_record,
    stix_time,
)
from fimihub.exchange.stix._objects import relationship
from fimihub.exchange.stix.extension import EXTENSION_ID, governance, record_fields
from fimihub.exchange.stix.ids import sco_id
from fimihub.exchange.stix.markings import PAP_MARKING_IDS, TLP_MARKING_IDS
from fimihub.exchange.stix.operations import campaign_id
from fimihub.model import PAP, TLP, Asset, AssetKind

__all__ = [
    "account_type",
    "asset_observable",
    "assets_from_stix",
    "assets_to_stix",
    "platform_of_account_type",
]

# The owner's sealed copy of an account's clear id stays in the hub: it is of use to the owner alone.
_NOT_SHARED = ("external_id_sealed", "identifier_key_id")
_EXTENSION_FIELDS = tuple(name for name in extension_fields(Asset) if name not in _NOT_SHARED)
# Platforms the STIX account-type vocabulary names, by fimihub slug.
_ACCOUNT_TYPES = {"x": "twitter", "facebook": "facebook"}
_PLATFORMS = {v: k for k, v in _ACCOUNT_TYPES.items()}
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*$")
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_UNRESERVED_SUB = "-._~!$&'()*+,;="
_URI_CHARS = re.compile(r"^[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+$")
_PAP_ORDER = list(PAP)


def account_type(platform: str) -> str:
    """The ``account_type`` of an account on ``platform`` (a fimihub platform slug)."""
    return _ACCOUNT_TYPES.get(platform, platform)


def platform_of_account_type(value: str) -> str:
    """The fimihub platform slug of a STIX ``account_type``."""
    return _PLATFORMS.get(value, value)


def _host_name(candidate: str | None) -> str | None:
    if not candidate:
        return None
    text = candidate.strip().rstrip(".").lower()
    if "." not in text or len(text) > 253:
        return None
    try:
        idna.encode(text)
    except (idna.IDNAError, UnicodeError, ValueError):
        return None
    return text


def _url_host(url: str | None) -> str | None:
    if not url:
        return None
    try:
        return urlsplit(url.strip()).hostname
    except ValueError:
        return None


def as_uri(url: str | None) -> str | None:
    """``url`` as a valid URI (RFC 3986), percent-encoding what needs it; ``None`` when it has no scheme and
    host to build one from."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if not _SCHEME.match(parts.scheme) or not parts.hostname:
        return None
    host = parts.hostname
    if not host.isascii():
        try:
            host = idna.encode(host, uts46=True).decode("ascii")
        except (idna.IDNAError, UnicodeError, ValueError):
            host = quote(host, safe="")
    elif not re.match(r"^[A-Za-z0-9\-._~!$&'()*+,;=]+$", host):
        return None
    userinfo = parts.netloc.rpartition("@")[0] if "@" in parts.netloc else ""

    def enc(text: str, extra: str) -> str:
        return quote(_BAD_PERCENT.sub("%25", text), safe=_UNRESERVED_SUB + extra + "%")

    uri = f"{parts.scheme.lower()}://"
    if userinfo:
        uri += enc(userinfo, ":") + "@"
    uri += host + (f":{port}" if port is not None else "")
    uri += enc(parts.path, ":@/")
    if parts.query:
        uri += "?" + enc(parts.query, ":@/?")
    if parts.fragment:
        uri += "#" + enc(parts.fragment, ":@/?")
    return uri if _URI_CHARS.match(uri) else None


def asset_observable(asset: Asset) -> JSON:
    """The observable ``asset`` stands for, with its deterministic id and no extension yet."""
    if asset.kind == AssetKind.DOMAIN:
        for candidate in (asset.handle, _url_host(asset.url), asset.external_id):
            if (domain := _host_name(candidate)) is not None:
                stix_id = sco_id("domain-name", {"value": domain})
                return {"type": "domain-name", "spec_version": "2.1", "id": stix_id, "value": domain}
    uri = as_uri(asset.url)
    if asset.handle or asset.external_id or uri is None:
        contributing: dict[str, Any] = {
            "account_type": account_type(asset.platform),
            "user_id": asset.external_id,
            "account_login": asset.handle if asset.handle or asset.external_id else asset.url,
        }
        obj: JSON = {
            "type": "user-account",
            "spec_version": "2.1",
            "id": sco_id("user-account", contributing),
        }
        obj.update({k: v for k, v in contributing.items() if v is not None})
        if asset.display_name:
            obj["display_name"] = asset.display_name
        if asset.account_created_at:
            obj["account_created"] = stix_time(asset.account_created_at)
        if asset.removed_at:
            obj["is_disabled"] = True
        return obj
    return {"type": "url", "spec_version": "2.1", "id": sco_id("url", {"value": uri}), "value": uri}


def _entry(asset: Asset) -> JSON:
    entry = governance(asset, "asset")
    del entry["extension_type"], entry["record"]
    return entry | dump_fields(asset, _EXTENSION_FIELDS)


def assets_to_stix(assets: Iterable[Asset]) -> list[JSON]:
    """The observables of ``assets`` (one per distinct observable, its asset records in the extension) and the
    relationships to their operations' campaigns."""
    observables: dict[str, JSON] = {}
    entries: dict[str, list[Asset]] = {}
    links: list[JSON] = []
    for asset in assets:
        obj = asset_observable(asset)
        observables.setdefault(obj["id"], obj)
        entries.setdefault(obj["id"], []).append(asset)
        if asset.operation_id:
            links.append(
                relationship(
                    asset, "related-to", obj["id"], campaign_id(asset.operation_id),
                    description="An asset the operation uses.",
                )
            )  # fmt: skip
    out: list[JSON] = []
    for stix_id, obj in observables.items():
        records = entries[stix_id]
        tlp = max((a.marking.tlp for a in records), key=lambda t: t.rank)
        pap = max((a.marking.pap for a in records), key=_PAP_ORDER.index)
        obj["object_marking_refs"] = [TLP_MARKING_IDS[tlp], PAP_MARKING_IDS[pap]]
        obj["extensions"] = {
            EXTENSION_ID: {
                "extension_type": "property-extension",
                "record": "asset",
                "assets": [_entry(a) for a in records],
            }
        }
        out.append(obj)
    return out + links


def assets_from_stix(ext: ObjectReader, *, tlp: TLP | None = None, pap: PAP | None = None) -> list[Asset]:
    """The asset records an observable of fimihub's carries (``ext`` is its extension). ``tlp`` and ``pap``
    (from the observable's markings) apply only where stricter than every entry: a peer tightened them."""
    entries = ext.mappings("assets")
    levels = [_entry_level(e, "tlp", TLP) for e in entries]
    paps = [_entry_level(e, "pap", PAP) for e in entries]
    if tlp is not None and any(tlp.rank <= level.rank for level in levels if level is not None):
        tlp = None
    if pap is not None and any(_PAP_ORDER.index(pap) <= _PAP_ORDER.index(p) for p in paps if p is not None):
        pap = None
    return [
        parse_record(Asset, record_fields(entry, _EXTENSION_FIELDS, tlp=tlp, pap=pap), entry, {})
        for entry in entries
    ]


def _entry_level(entry: ObjectReader, name: str, enum: type[Any]) -> Any:
    try:
        return enum(entry.value(name))
    except ValueError:
        return None
