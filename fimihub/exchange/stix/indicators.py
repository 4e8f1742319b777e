"""Signals as STIX indicators, with STIX patterns that any peer can read.

Each signal kind gets the most standard pattern STIX has for it; string literals escape ``\\`` and ``'`` as
the patterning grammar requires:

============  ================================================================================
kind          pattern
============  ================================================================================
domain        ``[domain-name:value = 'example.org']``; an IP address ``[ipv4-addr:value = '203.0.113.9']``
              (``ipv6-addr`` for IPv6)
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

Reading a peer's indicator is generous (:func:`read_pattern`): any pattern the OASIS grammar
(``stix2-patterns``) accepts is read, and every equality (``=``, or ``IN`` a list) on a property fimihub has a
signal kind for becomes a signal, whether the comparisons are joined by ``AND`` or ``OR``, in one observation
or several: domain names, URLs, file or artifact hashes under any spelling of their names (``MD5``, ``md5``,
``'SHA-256'``, ``SHA256``, ``x_pdq``), ``user-account`` logins (with the platform when the pattern names one
``account_type``) and ``user_id``, e-mail addresses, and fimihub's own ``x-fimihub-signal`` form. Whatever
becomes no signal — another operator, a property without a signal kind, a value that is not a string — is
listed with the reason.
"""

from __future__ import annotations

import ipaddress
import re
import uuid
from dataclasses import dataclass
from typing import Any

from stix2patterns.exceptions import ParseException
from stix2patterns.v21.pattern import Pattern

from fimihub.errors import ValidationError
from fimihub.exchange.stix._common import JSON, ObjectReader, extension_fields, parse_record, stix_time
from fimihub.exchange.stix._objects import relationship, sdo
from fimihub.exchange.stix.extension import record_extension, record_fields
from fimihub.exchange.stix.ids import FIMIHUB_NAMESPACE, record_id_for, record_stix_id
from fimihub.exchange.stix.observables import account_type, platform_of_account_type
from fimihub.exchange.stix.operations import campaign_id
from fimihub.model import PAP, TLP, Signal, SignalKind

__all__ = [
    "PatternReading",
    "escape",
    "foreign_signals",
    "indicator_id",
    "parse_pattern",
    "pattern_for",
    "read_pattern",
    "signal_from_stix",
    "signal_of_pattern",
    "signal_to_stix",
]

_STANDARD = {"confidence": "confidence", "revoked": "revoked"}
_EXTENSION_FIELDS = extension_fields(Signal, _STANDARD)
_CUSTOM = "x-fimihub-signal"
_SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]{0,62}$")
_HASHES = {SignalKind.MD5: "MD5", SignalKind.SHA256: "'SHA-256'", SignalKind.PDQ: "x_pdq"}

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
        return f"[{_address_type(value) or 'domain-name'}:value = {escape(value)}]"
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


def _address_type(host: str) -> str | None:
    """``ipv4-addr`` or ``ipv6-addr`` when a domain signal's value is an IP address (STIX names hosts by
    address in those objects, never in ``domain-name``); ``None`` for a name."""
    try:
        return f"ipv{ipaddress.ip_address(host).version}-addr"
    except ValueError:
        return None


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
    """The ``(kind, value, platform)`` of a pattern that stands for exactly one signal and nothing else;
    ``None`` for other patterns (:func:`read_pattern` reads those)."""
    reading = read_pattern(pattern)
    if len(reading.signals) != 1 or reading.left:
        return None
    return reading.signals[0]


@dataclass(frozen=True, slots=True)
class PatternReading:
    """What a STIX pattern says that fimihub can match on: its signals as ``(kind, value, platform)``, and
    why each other comparison became none."""

    signals: tuple[tuple[SignalKind, str, str | None], ...] = ()
    left: tuple[str, ...] = ()


#: Hash algorithm names, upper-cased and without ``-``/``_``, → the signal kind that matches them.
_HASH_NAMES = {
    "MD5": SignalKind.MD5,
    "SHA256": SignalKind.SHA256,
    "XPDQ": SignalKind.PDQ,
    "PDQ": SignalKind.PDQ,
}
#: ``object type:property`` → the signal kind of its value.
_PATHS = {
    "domain-name:value": SignalKind.DOMAIN,
    "ipv4-addr:value": SignalKind.DOMAIN,
    "ipv6-addr:value": SignalKind.DOMAIN,
    "url:value": SignalKind.URL,
    "email-addr:value": SignalKind.EMAIL,
    "email-message:from_ref.value": SignalKind.EMAIL,
    "email-message:sender_ref.value": SignalKind.EMAIL,
    "user-account:account_login": SignalKind.HANDLE,
    "user-account:user_id": SignalKind.ACCOUNT_ID,
}
_LITERAL = re.compile(_STRING)


def read_pattern(pattern: str) -> PatternReading:
    """Every signal a STIX pattern names (see the module's description), and what it names that is none.
    Raises ``ValueError`` when ``pattern`` is not a STIX 2.1 pattern."""
    try:
        comparisons = Pattern(pattern).inspect().comparisons
    except ParseException as exc:
        raise ValueError(str(exc)) from None
    signals: dict[tuple[SignalKind, str, str | None], None] = {}
    left: list[str] = []
    account_types = {
        value
        for steps, op, literal in comparisons.get("user-account", ())
        if steps == ["account_type"] and op == "="
        for value in _strings(literal)
    }
    platform = platform_of_account_type(next(iter(account_types))) if len(account_types) == 1 else None
    custom = comparisons.get(_CUSTOM, ())
    for stix_type, found in comparisons.items():
        if stix_type == _CUSTOM:
            continue
        for steps, op, literal in found:
            path = f"{stix_type}:{'.'.join(str(s) for s in steps)}"
            if path == "user-account:account_type":
                continue
            kind = _kind_of(stix_type, steps)
            if kind is None:
                left.append(f"{path}: fimihub has no signal kind for this property")
                continue
            if op not in ("=", "IN"):
                left.append(f"{path} {op} …: only = and IN name values fimihub can match")
                continue
            values = _strings(literal)
            if not values:
                left.append(f"{path}: the value is not a string")
                continue
            for value in values:
                if kind == SignalKind.HANDLE:
                    signals[(kind, f"{platform}:{value}" if platform else value, platform)] = None
                else:
                    signals[(kind, value, platform if kind == SignalKind.ACCOUNT_ID else None)] = None
    if custom:
        kinds = [v for steps, op, lit in custom if steps == ["kind"] and op == "=" for v in _strings(lit)]
        values = [v for steps, op, lit in custom if steps == ["value"] and op == "=" for v in _strings(lit)]
        try:
            if len(kinds) != 1 or len(values) != 1:
                raise ValueError
            signals[(SignalKind(kinds[0]), values[0], None)] = None
        except ValueError:
            left.append(f"{_CUSTOM}: expected one kind fimihub knows and one value")
    return PatternReading(tuple(signals), tuple(left))


def _kind_of(stix_type: str, steps: list[Any]) -> SignalKind | None:
    if stix_type in ("file", "artifact") and len(steps) == 2 and steps[0] == "hashes":
        name = re.sub(r"[-_]", "", str(steps[1])).upper()
        return _HASH_NAMES.get(name)
    return _PATHS.get(f"{stix_type}:{'.'.join(str(s) for s in steps)}")


def _strings(literal: str) -> list[str]:
    """The string values of a comparison's right-hand side as the grammar's inspector gives it: one quoted
    literal, or a parenthesised list of them (``IN``); none when it holds anything else."""
    text = literal.strip()
    if text.startswith("'"):
        return [_unescape(text)] if _LITERAL.fullmatch(text) else []
    if text.startswith("(") and text.endswith(")"):
        found = _LITERAL.findall(text)
        return [_unescape(v) for v in found]
    return []


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


def foreign_signals(obj: ObjectReader, governed: dict[str, Any]) -> tuple[list[Signal], list[str]]:
    """The signals a peer's indicator stands for, and why parts of it became none. The first signal takes
    the indicator's UUID; each further one an id derived from the indicator and its own kind and value."""
    pattern = obj.text("pattern")
    pattern_type = obj.value("pattern_type")
    if pattern_type != "stix":
        return [], [f"pattern_type {pattern_type!r}: only STIX patterns become signals"]
    try:
        reading = read_pattern(pattern)
    except ValueError as exc:
        raise obj.error("pattern", f"not a valid STIX pattern: {exc}") from None
    signals: list[Signal] = []
    left: list[str] = []
    failures: list[ValidationError] = []
    for kind, value, platform in reading.signals:
        data = dict(governed)
        if signals:
            key = f"{obj.object_id}|{kind.value}|{value}"
            data["id"] = f"signal--{uuid.uuid5(FIMIHUB_NAMESPACE, key)}"
        else:
            data["id"] = record_id_for(obj.object_id, "signal")
        data.update(kind=kind, value=value, platform=platform, revoked=obj.boolean("revoked"))
        data["description"] = (obj.optional_text("description") or "")[:2000]
        data["expires_at"] = obj.optional_timestamp("valid_until")
        if obj.has("confidence"):
            data["confidence"] = obj.value("confidence")
        try:
            signals.append(
                parse_record(Signal, data, obj, _STANDARD | {"value": "pattern", "kind": "pattern"})
            )
        except ValidationError as exc:
            failures.append(exc)
            left.append(f"{kind.value} {value!r}: {exc.errors[0][1]}")
    if failures and not signals:
        raise failures[0]
    left += reading.left
    if not signals and not left:
        left.append("the pattern names nothing fimihub can match on")
    return signals, left
