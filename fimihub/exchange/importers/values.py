"""What an indicator written by a peer is: a cell of text becomes signal values of a kind, or why it is none.

Peers write indicators for people: defanged (``hxxps://evil[.]com``, ``x[.]com/name``), in backticks, with a
remark after them (``evil[.]com (hosted a spoof of …)``), several to a cell, or as a count ("658 accounts").
:func:`indicators_in` reads one cell, with the type the file gives it when it gives one, into
:class:`Value`\\ s; :func:`figure_in` reads a count. Profile URLs become handles on their platform; a link to
a site's root becomes its domain; every value is checked with its kind's own normalisation, so what comes out
will be accepted as a signal.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from fimihub.matching.kinds import SIGNAL_TYPES
from fimihub.matching.kinds.domain import refang
from fimihub.matching.kinds.handle import handle_from_url, handle_value
from fimihub.matching.kinds.url import normalise_url
from fimihub.model import SignalKind
from fimihub.vocab.platforms import PLATFORMS

__all__ = [
    "Counted",
    "Value",
    "counted_in",
    "indicators_in",
    "personal_value",
    "platform_named",
    "strong_indicators_in",
]


@dataclass(frozen=True, slots=True)
class Value:
    """One signal value found in a cell: its kind, its value as the kind writes it, and for a handle its
    platform. An e-mail address or phone number (a personal kind) is held here in clear, as the file writes
    it: it is never stored so — the hub keys it with the forum's key, or skips it (:func:`personal_value`)."""

    kind: SignalKind
    value: str
    platform: str | None = None


@dataclass(frozen=True, slots=True)
class Counted:
    """A count the publisher states: ``658`` ``accounts``."""

    value: float
    unit: str


_HEX = re.compile(r"^[0-9a-fA-F]+$")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_HOST = re.compile(r"^(?:[\w-]+\.)+[a-z\u00a1-\uffff][\w-]*\.?$", re.IGNORECASE)
_HOST_PATH = re.compile(r"^(?:[\w-]+\.)+[a-z\u00a1-\uffff][\w-]*(?::\d+)?[/?#]", re.IGNORECASE)
_IPV4 = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?$")
_EMAIL = re.compile(r"^[^@\s/]+@[\w-]+(?:\.[\w-]+)+$")
_PHONE = re.compile(r"^\+?[\d\s().-]+$")
#: How many digits a phone number has: a short national number up to E.164's 15.
_PHONE_DIGITS = (6, 15)
_HASHTAG = re.compile(r"^#[^\s#]{1,139}$")
_PACKAGE = re.compile(r"^[A-Za-z][\w]*(?:\.[A-Za-z_][\w]*)+$")
_HANDLE = re.compile(r"^@?[\w.]{1,60}$")
# Quotes, brackets and punctuation people put around or after a value.
_WRAP = "`'\"<>\u201c\u201d\u2018\u2019\u00ab\u00bb*"
_TRAIL = ",;:!?)]}>|"
_SPLIT = re.compile(r"[\s,;|]+")
_LABEL = re.compile(r"^([A-Za-z][A-Za-z0-9 /&-]{0,30}?)\s*(?::|\s-)\s+(\S.*)$")
_COUNT = re.compile(
    r"^(?:about|around|approximately|approx\.?|roughly|over|more than|nearly|~|>)?\s*"
    r"(\d[\d,.\s]*?)\s*(k|m|thousand|million)?\s+([A-Za-z][A-Za-z /&-]{0,60}?)\.?$",
    re.IGNORECASE,
)
_MULTIPLIERS = {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6}

# Words in a file's type column or heading that say which kind its values are.
_TYPE_WORDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("sha256", "sha-256"), "sha256"),
    (("sha1", "sha-1"), "sha1"),
    (("md5",), "md5"),
    (("package", "android", "bundle id", "app id", "package name"), "package"),
    (("hashtag",), "hashtag"),
    (("email", "e-mail"), "email"),
    (("phone",), "phone"),
    (("ip",), "ip"),
    (("handle", "username", "screen name", "account", "profile", "channel", "page", "group"), "account"),
    (("domain", "hostname", "host"), "domain"),
    (("url", "link", "uri", "petition", "website", "site"), "url"),
)

# Platform names as files write them, in a type column, a procedure or a heading.
_PLATFORM_WORDS: tuple[tuple[str, str], ...] = (
    ("facebook", "facebook"), ("instagram", "instagram"), ("twitter", "x"), ("x /", "x"),
    ("x account", "x"), ("tiktok", "tiktok"), ("youtube", "youtube"), ("telegram", "telegram"),
    ("vkontakte", "vk"), ("vk ", "vk"), ("threads", "threads"), ("reddit", "reddit"),
    ("linkedin", "linkedin"), ("bluesky", "bluesky"),
)  # fmt: skip


# A cell that is just a platform's name ("X", "Telegram", "fb").
_PLATFORM_NAMES = {
    alias: slug for slug, aliases in PLATFORMS.items() if slug != "web" for alias in (slug, *aliases)
}


def _type_of(hint: str) -> str | None:
    text = f" {hint.lower().replace('_', ' ')} "
    for words, kind in _TYPE_WORDS:
        for word in words:
            if re.search(rf"(?<![a-z]){re.escape(word)}(?![a-z])", text):
                return kind
    return None


def platform_named(hint: str) -> str | None:
    """The platform a type, procedure or heading names ("0.9.4 Acquiring X / Twitter accounts" -> ``x``)."""
    exact = _PLATFORM_NAMES.get(hint.strip().lower())
    if exact is not None:
        return exact
    text = f" {hint.lower().replace('_', ' ')} "
    for word, slug in _PLATFORM_WORDS:
        if word in text:
            return slug
    return None


# Defanged colons refang() leaves: "https{:}//", "hxxp(:)//".
_COLONS = re.compile(r"\{:\}|\(:\)|\[:\]")
# Defanged at signs of e-mail addresses: "info[at]evil[.]com", "info(at)…", "info[@]…".
_ATS = re.compile(r"\[(?:at|@)\]|\((?:at|@)\)|\{(?:at|@)\}", re.IGNORECASE)


def _clean(token: str) -> str:
    text = _ATS.sub("@", _COLONS.sub(":", token.strip().strip(_WRAP).strip()))
    while text and text[-1] in _TRAIL and not (text[-1] == ")" and "(" in text):
        text = text[:-1].rstrip()
    if text.endswith(".") and not text.endswith("[.]"):
        text = text[:-1]
    return text.strip(_WRAP)


def _checked(kind: SignalKind, value: str, platform: str | None = None) -> Value:
    """``value`` as ``kind`` normalises it (raises ``ValueError`` when it is not one)."""
    return Value(kind, SIGNAL_TYPES[kind].normalise(value), platform)


def _is_ipv6(text: str) -> bool:
    try:
        return isinstance(ipaddress.ip_address(text), ipaddress.IPv6Address)
    except ValueError:
        return False


def _url_or_handle(text: str) -> Value:
    canonical = normalise_url(text)
    found = handle_from_url(canonical)
    if found is not None:
        platform, handle = found
        return Value(SignalKind.HANDLE, f"{platform}:{handle}", platform)
    rest = canonical.split("://", 1)[1]
    host, _, path = rest.partition("/")
    if not path.strip("/") and "?" not in rest:
        # A link to a site's root is its domain, unless the host is one of many on a shared domain (a blog
        # on a blogging service), where the domain would stand for every other site there too.
        domain = _checked(SignalKind.DOMAIN, host)
        if domain.value == host.removeprefix("www."):
            return domain
    return Value(SignalKind.URL, canonical)


def _one(token: str, kind_hint: str | None, platform: str | None, *, bare: bool = False) -> Value:
    """The value of one token, or ``ValueError`` saying why it is none. A bare name is a handle only when
    ``bare`` (the whole cell is that one name) and the row names a platform."""
    text = refang(_clean(token))
    if not text:
        raise ValueError("empty value")
    if kind_hint in {"md5", "sha256", "sha1"} or (_HEX.match(text) and len(text) in {32, 40, 64}):
        if len(text) == 32 and _HEX.match(text):
            return _checked(SignalKind.MD5, text)
        if len(text) == 64 and _HEX.match(text):
            return _checked(SignalKind.SHA256, text)
        if len(text) == 40 and _HEX.match(text):
            raise ValueError("a SHA-1 hash: fimihub keeps MD5 and SHA-256 file hashes only")
        raise ValueError(f"{text[:60]!r} is not a hash")
    if _EMAIL.match(text):
        return personal_value(SignalKind.EMAIL, text)
    if kind_hint == "phone":
        return personal_value(SignalKind.PHONE, text)
    if _HASHTAG.match(text):
        return _checked(SignalKind.HASHTAG, text)
    if kind_hint == "hashtag":
        return _checked(SignalKind.HASHTAG, f"#{text.lstrip('#')}")
    if kind_hint == "package" and _PACKAGE.match(text) and not _SCHEME.match(text):
        # An app's package name: the store page is what posts link to.
        return Value(SignalKind.URL, normalise_url(f"https://play.google.com/store/apps/details?id={text}"))
    if _SCHEME.match(text):
        if not text.lower().startswith(("http://", "https://")):
            raise ValueError(f"{text[:60]!r}: only http(s) links are signals")
        return _url_or_handle(text)
    if _IPV4.match(text):
        return _checked(SignalKind.DOMAIN, text.split(":")[0])
    if ":" in text and _is_ipv6(text.strip("[]")):
        return _checked(SignalKind.DOMAIN, text.strip("[]"))
    if _HOST_PATH.match(text):
        return _url_or_handle(text)
    if _HOST.match(text):
        if kind_hint == "url":
            return _url_or_handle(text)
        return _checked(SignalKind.DOMAIN, text)
    bare_ok = bare and (text.startswith("@") or kind_hint == "account")
    if platform is not None and bare_ok and _HANDLE.match(text) and not text.isdigit():
        value = handle_value(platform, text)
        return Value(SignalKind.HANDLE, value, value.split(":", 1)[0])
    raise ValueError(f"{text[:80]!r} is no indicator fimihub can match")


def personal_value(kind: SignalKind, text: str, platform: str | None = None) -> Value:
    """An e-mail address, phone number or (with its ``platform``) platform account id, checked and in clear,
    or ``ValueError`` saying why it is none. It travels only as a keyed hash: the hub hashes it with the
    forum's key when the import names a forum whose key the member may use, and skips it, saying why,
    otherwise."""
    value = text.strip()
    if kind is SignalKind.ACCOUNT_ID:
        if not platform or not value:
            raise ValueError("an account id is keyed as platform:id: name its platform (a platform column)")
        return Value(SignalKind.ACCOUNT_ID, value, platform)
    if kind is SignalKind.EMAIL:
        if not _EMAIL.match(value):
            raise ValueError(f"{value[:80]!r} is not an e-mail address")
        return Value(SignalKind.EMAIL, value)
    if kind is SignalKind.PHONE:
        digits = sum(c.isdigit() for c in value)
        if not _PHONE.match(value) or not _PHONE_DIGITS[0] <= digits <= _PHONE_DIGITS[1]:
            raise ValueError(f"{value[:80]!r} is not a phone number")
        return Value(SignalKind.PHONE, value)
    raise ValueError(f"{kind.value} is not a personal kind")


def indicators_in(cell: str, type_hint: str = "", context: str = "") -> tuple[list[Value], list[str]]:
    """The values in ``cell`` (one or several, a remark after them allowed), or none and the reason.
    ``type_hint`` is the file's type for the value ("domain_name", "Social Media Account"); ``context`` what
    else the row says (a procedure naming a platform)."""
    kind_hint = _type_of(type_hint) if type_hint else None
    platform = platform_named(type_hint) or platform_named(context)
    text = cell.strip()
    if not text:
        return [], ["empty value"]
    try:
        return [_one(text, kind_hint, platform, bare=True)], []
    except ValueError as whole:
        reason = str(whole)
    labelled = _LABEL.match(text)
    if labelled is not None and not _SCHEME.match(refang(text)):
        # "Instagram: @name", "SHA256: 3f…", "Domain - evil[.]com": the label says what the value is.
        label = labelled.group(1)
        values, _ = indicators_in(labelled.group(2), f"{label} {type_hint}".strip(), f"{label} {context}")
        if values:
            return values, []
    remark = re.split("\\s[(\\[\u2013\u2014-]\\s?|\\s\\(", text, maxsplit=1)[0]
    tokens = [t for t in _SPLIT.split(remark) if t.strip(_WRAP + _TRAIL)]
    if not tokens or (len(tokens) == 1 and remark == text):
        return [], [reason]
    found: list[Value | None] = []
    for token in tokens:
        try:
            found.append(_one(token, kind_hint, platform))
        except ValueError:
            found.append(None)
    values = [v for v in found if v is not None]
    if len(values) == len(tokens):
        return values, []  # several values in one cell
    if found[0] is not None and len(values) == 1:
        return [found[0]], []  # a value and a remark after it
    # Prose that merely names a service ("using bit[.]ly to …") holds no indicator of the network.
    return [], [reason]


def strong_indicators_in(text: str) -> list[Value]:
    """Links in prose: only tokens that are plainly links (with their scheme, defanged or not, or ``www.``),
    so that neither ordinary words with a dot nor services a sentence names ("using bit[.]ly to …") are
    taken for indicators."""
    values: list[Value] = []
    for token in _SPLIT.split(text):
        cleaned = _clean(token)
        if not (_SCHEME.match(refang(cleaned)) or refang(cleaned).lower().startswith("www.")):
            continue
        try:
            values.append(_one(cleaned, None, None))
        except ValueError:
            continue
    return values


def counted_in(cell: str) -> Counted | None:
    """A count cell ("658 accounts", "14 Pages", "About 2,400 followers"), else ``None``."""
    match = _COUNT.match(cell.strip())
    if match is None:
        return None
    digits = re.sub(r"[,\s]", "", match.group(1))
    try:
        number = float(digits)
    except ValueError:
        return None
    unit = match.group(3).strip()
    if len(unit.split()) > 6:
        return None
    return Counted(number * _MULTIPLIERS.get((match.group(2) or "").lower(), 1), unit)
