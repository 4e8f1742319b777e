"""Signals as STIX indicators, with STIX patterns that any peer can read.

Each signal kind gets the most standard pattern STIX has for it; string literals escape ``\\`` and ``'`` as
the patterning grammar requires:

============  ================================================================================
kind          pattern
============  ================================================================================
domain        ``[domain-name:value = 'example.org']``
url           ``[url:value = 'https://example.org/a']``
handle        ``[user-account:account_type = 'twitter' AND user-account:account_login = 'name']``
md5           ``[file:hashes.MD5 = '…']``
sha256        ``[file:hashes.'SHA-256' = '…']``
pdq           ``[file:hashes.x_pdq = '…']`` (a custom hash name, prefixed ``x_`` as STIX asks)
others        ``[x-fimihub-signal:kind = 'hashtag' AND x-fimihub-signal:value = 'stopthewar']``
============  ================================================================================

The last line covers hashtags, phrases, ``mh1:`` text signatures and the keyed hashes of account ids, e-mail
addresses and phone numbers: STIX has no observable for them, and a keyed hash must not pose as the raw
identifier. The pattern stays valid STIX (``pattern_type: stix``), and the exact kind and value, which decide
how the signal is matched, travel in fimihub's extension so nothing is lost.

``valid_from`` is when the signal was created and ``valid_until`` its expiry; ``confidence`` and ``revoked``
are the signal's own. A signal of an operation ``indicates`` the operation's campaign.
"""

from __future__ import annotations

import re
from typing import Any

from fimihub.exchange.stix._common import JSON, ObjectReader, extension_fields, parse_record, stix_time
from fimihub.exchange.stix._objects import relationship, sdo
from fimihub.exchange.stix.extension import record_extension, record_fields
from fimihub.exchange.stix.ids import record_stix_id
from fimihub.exchange.stix.observables import account_type, platform_of_account_type
from fimihub.exchange.stix.operations import campaign_id
from fimihub.model import PAP, TLP, Signal, SignalKind

__all__ = [
    "escape",
    "indicator_id",
    "parse_pattern",
    "pattern_for",
    "signal_from_stix",
    "signal_of_pattern",
    "signal_to_stix",
]

_STANDARD = {"confidence": "confidence", "revoked": "revoked"}
_EXTENSION_FIELDS = extension_fields(Signal, _STANDARD)
_CUSTOM = "x-fimihub-signal"
_SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]{0,62}$")
_HASHES = {SignalKind.MD5: "MD5", SignalKind.SHA256: "'SHA-256'", SignalKind.PDQ: "x_pdq"}
_HASH_KINDS = {"MD5": SignalKind.MD5, "SHA-256": SignalKind.SHA256, "SHA256": SignalKind.SHA256,
               "x_pdq": SignalKind.PDQ, "PDQ": SignalKind.PDQ}  # fmt: skip

_STRING = r"'(?:[^'\\]|\\.)*'"
_STEP = rf"(?:[A-Za-z_][A-Za-z0-9_-]*|{_STRING})"
_PATH = rf"[A-Za-z_][A-Za-z0-9_-]*:[A-Za-z_][A-Za-z0-9_]*(?:\.{_STEP})*"
_COMPARISON = rf"\s*({_PATH})\s*=\s*({_STRING})\s*"
_SIMPLE = re.compile(rf"^\s*\[{_COMPARISON}(?:AND{_COMPARISON})*\]\s*$", re.DOTALL)
_ONE = re.compile(rf"(?:^\s*\[|AND){_COMPARISON}", re.DOTALL)


def escape(value: str) -> str:
    """``value`` as a STIX pattern string literal, quotes included."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _unescape(literal: str) -> str:
    body = literal[1:-1]
    if "\\" not in body:
        return body
    out: list[str] = []
    index = 0
    while index < len(body):
        char = body[index]
        if char == "\\":
            following = body[index + 1]
            if following not in "\\'":
                raise ValueError(f"'\\{following}' is not an escape STIX patterns know (only \\\\ and \\')")
            out.append(following)
            index += 2
            continue
        out.append(char)
        index += 1
    return "".join(out)


def indicator_id(signal_id: str) -> str:
    """The id of the indicator that carries signal ``signal_id``."""
    return record_stix_id(signal_id, "indicator", "signal")


def pattern_for(signal: Signal) -> str:
    """The STIX pattern of ``signal`` (see the module's table)."""
    kind, value = signal.kind, signal.value
    if kind == SignalKind.DOMAIN:
        return f"[domain-name:value = {escape(value)}]"
    if kind == SignalKind.URL:
        return f"[url:value = {escape(value)}]"
    if kind in _HASHES:
        return f"[file:hashes.{_HASHES[kind]} = {escape(value)}]"
    if kind == SignalKind.HANDLE:
        head, sep, tail = value.partition(":")
        platform, login = (head, tail) if sep and tail and _SLUG.match(head) else (signal.platform, value)
        if platform:
            return (
                f"[user-account:account_type = {escape(account_type(platform))} "
                f"AND user-account:account_login = {escape(login)}]"
            )
        return f"[user-account:account_login = {escape(login)}]"
    return f"[{_CUSTOM}:kind = {escape(kind.value)} AND {_CUSTOM}:value = {escape(value)}]"


def parse_pattern(pattern: str) -> list[tuple[str, str]] | None:
    """The ``(object path, value)`` comparisons of a pattern that is one observation of ``=`` comparisons
    joined by ``AND``; ``None`` for any other valid shape; ``ValueError`` when it is no STIX pattern."""
    _check_syntax(pattern)
    if not _SIMPLE.match(pattern):
        return None
    return [(m.group(1), _unescape(m.group(2))) for m in _ONE.finditer(pattern)]


def _check_syntax(pattern: str) -> None:
    if "\\" not in pattern and _SIMPLE.match(pattern):
        # One observation of comparisons whose literals hold no escapes: its brackets balance and every
        # literal ends, as the walk below would find.
        return
    depth = 0
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "'":
            end = index + 1
            while end < len(pattern) and pattern[end] != "'":
                end += 2 if pattern[end] == "\\" else 1
            if end >= len(pattern):
                raise ValueError(f"unterminated string literal at {index}")
            _unescape(pattern[index : end + 1])
            index = end + 1
            continue
        if char in "[(":
            depth += 1
        elif char in "])":
            depth -= 1
            if depth < 0:
                raise ValueError(f"unbalanced {char!r} at {index}")
        index += 1
    if depth:
        raise ValueError("unbalanced brackets")
    if "[" not in pattern:
        raise ValueError("a STIX pattern needs at least one observation in [ ]")


def signal_of_pattern(pattern: str) -> tuple[SignalKind, str, str | None] | None:
    """The ``(kind, value, platform)`` of a pattern fimihub can match on; ``None`` for other patterns."""
    comparisons = parse_pattern(pattern)
    if comparisons is None:
        return None
    found = dict(comparisons)
    if len(found) != len(comparisons):
        return None
    keys = set(found)
    if keys == {"domain-name:value"}:
        return SignalKind.DOMAIN, found["domain-name:value"], None
    if keys == {"url:value"}:
        return SignalKind.URL, found["url:value"], None
    if keys == {f"{_CUSTOM}:kind", f"{_CUSTOM}:value"}:
        try:
            return SignalKind(found[f"{_CUSTOM}:kind"]), found[f"{_CUSTOM}:value"], None
        except ValueError:
            return None
    if keys and keys <= {"user-account:account_type", "user-account:account_login"}:
        login = found.get("user-account:account_login")
        if login is None:
            return None
        kind_of = found.get("user-account:account_type")
        platform = platform_of_account_type(kind_of) if kind_of else None
        return SignalKind.HANDLE, f"{platform}:{login}" if platform else login, platform
    if len(found) == 1:
        ((path, value),) = found.items()
        if path.startswith("file:hashes."):
            name = path.removeprefix("file:hashes.").strip("'")
            if name in _HASH_KINDS:
                return _HASH_KINDS[name], value, None
    return None


def signal_to_stix(signal: Signal) -> list[JSON]:
    """The indicator of ``signal`` and, when it belongs to an operation, the ``indicates`` relationship."""
    obj = sdo(signal, "indicator", indicator_id(signal.id))
    shown = signal.value if len(signal.value) <= 80 else signal.value[:79] + "…"
    obj["name"] = f"{signal.kind.value}: {shown}"
    obj["description"] = signal.description or (
        f"A {signal.kind.value} signal shared through fimihub; it is matched by the rule of its kind."
    )
    obj["indicator_types"] = ["malicious-activity"]
    obj["pattern"] = pattern_for(signal)
    obj["pattern_type"] = "stix"
    obj["pattern_version"] = "2.1"
    obj["valid_from"] = stix_time(signal.created_at)
    if signal.expires_at and signal.expires_at > signal.created_at:
        obj["valid_until"] = stix_time(signal.expires_at)
    obj["confidence"] = signal.confidence
    if signal.revoked:
        obj["revoked"] = True
    obj["extensions"] = record_extension(signal, "signal", _EXTENSION_FIELDS)
    objects = [obj]
    if signal.operation_id:
        objects.append(relationship(signal, "indicates", obj["id"], campaign_id(signal.operation_id)))
    return objects


def check_pattern(obj: ObjectReader) -> str:
    """The indicator's pattern, after checking it is a STIX pattern; ``ValidationError`` naming it if not."""
    pattern = obj.text("pattern")
    if obj.value("pattern_type") == "stix":
        try:
            _check_syntax(pattern)
        except ValueError as exc:
            raise obj.error("pattern", f"not a valid STIX pattern: {exc}") from None
    return pattern


def signal_from_stix(
    obj: ObjectReader, ext: ObjectReader, *, tlp: TLP | None = None, pap: PAP | None = None
) -> Signal:
    """The signal an indicator of fimihub's carries (``ext`` is its extension)."""
    check_pattern(obj)
    data = record_fields(ext, _EXTENSION_FIELDS, tlp=tlp, pap=pap)
    data["revoked"] = obj.boolean("revoked")
    if obj.has("confidence"):
        data["confidence"] = obj.value("confidence")
    return parse_record(Signal, data, ext, _STANDARD)


def foreign_signal(obj: ObjectReader, governed: dict[str, Any]) -> Signal | None:
    """The signal a peer's indicator stands for, when its pattern is one fimihub can match on."""
    pattern = check_pattern(obj)
    if obj.value("pattern_type") != "stix":
        return None
    found = signal_of_pattern(pattern)
    if found is None:
        return None
    kind, value, platform = found
    data = dict(governed)
    data.update(kind=kind, value=value, platform=platform, revoked=obj.boolean("revoked"))
    data["description"] = (obj.optional_text("description") or "")[:2000]
    data["expires_at"] = obj.optional_timestamp("valid_until")
    if obj.has("confidence"):
        data["confidence"] = obj.value("confidence")
    return parse_record(Signal, data, obj, _STANDARD | {"value": "pattern", "kind": "pattern"})
