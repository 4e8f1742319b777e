"""MISP events, as MISP exports them (``{"Event": {...}}``, or its API's ``{"response": [...]}``), and MISP
feeds (a folder with ``manifest.json`` and one ``<uuid>.json`` per event).

Attributes whose type has a signal kind become signals (domains, host names, URLs, IP addresses, MD5 and
SHA-256 hashes, composite ``domain|ip`` and ``filename|hash`` values); so do the usernames and profile links
of social-network objects (``twitter-account``, ``facebook-account``, ``telegram-account`` …). E-mail
addresses and phone numbers are read too, and the hub keys them with the forum's key (or skips them when the
import names no forum). Every other attribute is reported skipped with its type. The event becomes an
operation, with the DISARM techniques its tags and galaxies name.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from fimihub.errors import ValidationError
from fimihub.exchange.importers.found import Found, FoundIndicator, FoundOperation, file_bytes
from fimihub.exchange.importers.prose import date_in
from fimihub.exchange.importers.values import indicators_in, platform_named
from fimihub.vocab import disarm_id

__all__ = ["FORMAT", "feed_files", "read_misp"]

FORMAT = "misp"
#: MISP attribute types, and the type hint each is read with.
_TYPES: dict[str, str] = {
    "domain": "domain", "hostname": "domain", "url": "url", "link": "url", "uri": "url",
    "ip-src": "ip", "ip-dst": "ip", "md5": "md5", "sha256": "sha256", "sha1": "sha1",
    "email": "email", "email-src": "email", "email-dst": "email", "whois-registrant-email": "email",
    "phone-number": "phone", "whois-registrant-phone": "phone",
}  # fmt: skip
# Composite types: the part of "a|b" that is the indicator, and how it is read.
_COMPOSITE: dict[str, tuple[int, str]] = {
    "domain|ip": (0, "domain"), "hostname|port": (0, "domain"), "ip-dst|port": (0, "ip"),
    "ip-src|port": (0, "ip"), "filename|md5": (1, "md5"), "filename|sha256": (1, "sha256"),
    "filename|sha1": (1, "sha1"),
}  # fmt: skip
_ACCOUNT_RELATIONS = frozenset({"username", "user-name", "account-name", "screen-name", "handle", "name"})
_LINK_RELATIONS = frozenset({"url", "link", "profile-url", "account-url", "uri"})
_TECHNIQUE = re.compile(r"\b(T\d{4}(?:\.\d{3})?)\b")
_MAX_ATTRIBUTES = 500_000


def feed_files(folder: Path) -> list[Path]:
    """The event files of a MISP feed folder, in its manifest's order (refused when it has no manifest)."""
    manifest = folder / "manifest.json"
    if not manifest.is_file():
        raise ValidationError("feed", f"{folder} is no MISP feed: it has no manifest.json")
    data = _json(manifest)
    if not isinstance(data, Mapping):
        raise ValidationError("feed", f"{manifest}: expected an object of events by uuid")
    return [folder / f"{uuid}.json" for uuid in data]


def _json(path: Path) -> Any:
    data = file_bytes(path, "file")
    if not data.strip():
        raise ValidationError("file", f"{path} is empty: expected a MISP event (JSON)")
    try:
        return json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ValidationError("file", f"{path} is not UTF-8 text: expected a MISP event (JSON)") from None
    except ValueError as exc:
        raise ValidationError("file", f"{path} is not JSON ({exc}): expected a MISP event") from None


def _events(data: Any) -> list[Mapping[str, Any]]:
    if isinstance(data, Mapping) and isinstance(data.get("response"), list):
        data = data["response"]
    items = data if isinstance(data, list) else [data]
    events = []
    for item in items:
        event = item.get("Event") if isinstance(item, Mapping) else None
        if isinstance(event, Mapping):
            events.append(event)
        elif isinstance(item, Mapping) and ("Attribute" in item or "info" in item):
            events.append(item)
    return events


def read_misp(path: Path) -> Found:
    """The indicators of a MISP event file (several events in one file are read together)."""
    data = _json(path)
    events = _events(data)
    if not events:
        raise ValidationError("file", f'{path} holds no MISP event: expected {{"Event": {{...}}}}')
    raw = file_bytes(path, "file")
    first = events[0]
    orgc = first.get("Orgc")
    publisher = (
        str((orgc.get("name") if isinstance(orgc, Mapping) else None) or "MISP")[:200].strip() or "MISP"
    )
    title = str(first.get("info") or path.stem)[:200].strip() or path.name
    found = Found(
        file=str(path),
        sha256=hashlib.sha256(raw).hexdigest(),
        size=len(raw),
        format=FORMAT,
        publisher=publisher,
        title=title,
        published_at=date_in(str(first.get("date") or "")),
    )
    techniques: list[str] = []
    for number, event in enumerate(events):
        where = f"event {number + 1}" if len(events) > 1 else "event"
        for index, attribute in enumerate(_attributes(event)):
            _attribute(found, attribute, f"{where} attribute {index + 1}")
        for tag in _tags(event):
            for named in _TECHNIQUE.findall(tag):
                try:
                    technique = disarm_id(named)
                except ValueError as exc:
                    found.skip(None, f"{where} tag {tag.strip()[:80]!r}: {exc}")
                    continue
                if technique not in techniques:
                    techniques.append(technique)
    fields: dict[str, Any] = {"name": title, "detection_source": "external", "detection_partner": publisher}
    if techniques:
        fields["techniques"] = techniques[:500]
    if found.published_at is not None:
        fields["last_seen"] = found.published_at
    found.operation = FoundOperation(fields)
    return found


def _attributes(event: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    count = 0
    for attribute in event.get("Attribute") or ():
        if isinstance(attribute, Mapping):
            count += 1
            if count > _MAX_ATTRIBUTES:
                return
            yield dict(attribute)
    for obj in event.get("Object") or ():
        if not isinstance(obj, Mapping):
            continue
        name = str(obj.get("name") or "")
        for attribute in obj.get("Attribute") or ():
            if isinstance(attribute, Mapping):
                count += 1
                if count > _MAX_ATTRIBUTES:
                    return
                yield {**attribute, "_object": name}


def _tags(event: Mapping[str, Any]) -> Iterator[str]:
    for tag in event.get("Tag") or ():
        if isinstance(tag, Mapping):
            yield str(tag.get("name") or "")
    for galaxy in event.get("Galaxy") or ():
        if not isinstance(galaxy, Mapping):
            continue
        for cluster in galaxy.get("GalaxyCluster") or ():
            if isinstance(cluster, Mapping):
                yield f"{cluster.get('tag_name') or ''} {cluster.get('value') or ''}"


def _attribute(found: Found, attribute: Mapping[str, Any], where: str) -> None:
    kind = str(attribute.get("type") or "")
    value = attribute.get("value")
    obj = str(attribute.get("_object") or "")
    relation = str(attribute.get("object_relation") or "")
    note = str(attribute.get("comment") or "")[:2000]
    if not isinstance(value, str) or not value.strip():
        found.skip(None, f"{where} ({kind or 'no type'}): no value")
        return
    hint: str | None
    if kind in _COMPOSITE:
        part, hint = _COMPOSITE[kind]
        pieces = value.split("|")
        value = pieces[part] if part < len(pieces) else ""
    else:
        hint = _TYPES.get(kind)
    platform = platform_named(obj) if obj.endswith("-account") or obj.endswith("-profile") else None
    if platform is not None and relation in _ACCOUNT_RELATIONS | _LINK_RELATIONS:
        hint = "url" if relation in _LINK_RELATIONS else f"{platform} account"
        context = platform
    else:
        context = ""
    if hint is None:
        found.skip(None, f"{where} (type {kind!r}): no signal kind for it")
        return
    values, problems = indicators_in(value, hint, context)
    if not values:
        found.skip(None, f"{where} (type {kind!r}): {problems[0] if problems else 'no indicator'}")
        return
    for found_value in values:
        found.indicators.append(
            FoundIndicator(
                found_value.kind,
                found_value.value,
                None,
                found_value.platform,
                note,
                f"{where} (type {kind!r})",
            )
        )
