"""The ``domain`` signal kind: a registrable domain, written in IDNA (punycode) and lower case.

Canonical form: the registrable domain of the host (``news.bbc.co.uk`` -> ``bbc.co.uk``) under the Public
Suffix List, private section included, so that ``evil.blogspot.com`` stays ``evil.blogspot.com`` rather than
collapsing onto the hosting service. Internationalised names are written in IDNA 2008 / UTS #46 form
(``bücher.de`` -> ``xn--bcher-kva.de``). An IP literal is its own "domain" in canonical ``ipaddress`` form, as
indicator lists and URLs name hosts by address too. Defanged input (``evil[.]com``) and a full URL (its host
is used) are accepted.

The Public Suffix List comes from the ``publicsuffixlist`` package, which ships it inside the wheel: nothing
is downloaded at run time, and a newer list arrives with a package upgrade.
"""

from __future__ import annotations

import ipaddress
import re
from functools import cache, lru_cache
from typing import ClassVar

import idna
from publicsuffixlist import PublicSuffixList

from fimihub.matching.index.exact import ExactSignalType
from fimihub.matching.kinds._input import check_text
from fimihub.model.signals import SignalKind

__all__ = ["DomainSignalType", "normalise_host", "refang", "registrable_domain"]

# Longest host name DNS can carry (RFC 1035), in its encoded form.
_MAX_HOST = 253
_ASCII_LABEL = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$")
# Defanging conventions seen in threat reports: evil[.]com, evil(.)com, evil{.}com, evil[dot]com, hxxp[:]//.
_DEFANGED_DOTS = re.compile(r"\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)|\{dot\}", re.IGNORECASE)
_DEFANGED_SCHEME = re.compile(r"^(?:hxxp|hxxxp|hxtp|h\[xx\]p)(s?)(?:\[:\]|:)//", re.IGNORECASE)
# Full stops that are not U+002E but separate labels all the same (UTS #46 maps them).
_DOTS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})


@cache
def _psl() -> PublicSuffixList:
    # Parsing the list takes ~0.1 s: once per process, on first use, never at import.
    return PublicSuffixList()


def refang(text: str) -> str:
    """``text`` with the usual defanging undone: ``hxxp://`` -> ``http://``, ``[.]`` / ``(.)`` -> ``.``,
    ``[:]`` -> ``:``; ``ValueError`` for layers of it nested absurdly deep."""
    # Undoing one layer can reveal another ("([.])" -> "(.)"), so repeat until nothing changes; each round
    # shortens the text, and a value nested deeper than a few layers is junk rather than a defanged link.
    for _ in range(8):
        undone = _DEFANGED_DOTS.sub(".", text)
        undone = _DEFANGED_SCHEME.sub(lambda m: f"http{m.group(1).lower()}://", undone)
        undone = undone.replace("[:]", ":").replace("[/]", "/")
        if undone == text:
            return text
        text = undone
    raise ValueError("defanged too many times over ([.] inside [.])")


def _ip(host: str) -> str | None:
    candidate = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    if ":" not in candidate and not candidate.replace(".", "").isdigit():
        return None  # neither IPv6 (which has a ':') nor dotted IPv4: no need for ipaddress to refuse it
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


@lru_cache(maxsize=1 << 16)
def normalise_host(host: str) -> str:
    """A host name in canonical form: IDNA (punycode) labels in lower case, no trailing dot; IP literals as
    ``ipaddress`` writes them. Raises ``ValueError`` naming the bad label."""
    text = check_text(host, "host", max_length=1024).translate(_DOTS).rstrip(".")
    address = _ip(text)
    if address is not None:
        return address
    if not text:
        raise ValueError("host: empty")
    labels = []
    shown = text[:80]
    for raw in text.split("."):
        if not raw:
            raise ValueError(f"host {shown!r}: empty label")
        if raw.isascii():
            label = raw.lower()
        else:
            try:
                label = idna.encode(raw, uts46=True).decode("ascii")
            except (idna.IDNAError, UnicodeError) as error:
                message = (
                    f"host {shown!r}: label {raw[:64]!r} is not a valid internationalised name ({error})"
                )
                raise ValueError(message[:300]) from None
        if not _ASCII_LABEL.match(label):
            raise ValueError(
                f"host {shown!r}: label {raw[:64]!r} must be letters, digits, '-' or '_', 1 to 63 long"
            )
        labels.append(label)
    encoded = ".".join(labels)
    if len(encoded) > _MAX_HOST:
        raise ValueError(f"host: {len(encoded)} characters once encoded, more than {_MAX_HOST}")
    if encoded.isdigit() or labels[-1].isdigit():
        # "1.2.3" or "example.123": neither a valid address nor a name any registry hands out.
        raise ValueError(f"host {shown!r}: a top-level label cannot be all digits")
    return encoded


@lru_cache(maxsize=1 << 16)
def registrable_domain(host: str) -> str:
    """The registrable domain of ``host`` (``news.bbc.co.uk`` -> ``bbc.co.uk``), normalised; an IP literal
    is returned as itself. Raises ``ValueError`` when ``host`` is itself a public suffix (``co.uk``)."""
    name = normalise_host(host)
    if _ip(name) is not None:
        return name
    domain = _psl().privatesuffix(name)
    if not isinstance(domain, str):
        raise ValueError(f"domain {name!r} is a public suffix, not a registrable domain")
    return domain


def _host_of(text: str) -> str:
    """The host part when ``text`` is a URL or ``host/path``; ``text`` itself otherwise."""
    rest = text.split("://", 1)[1] if "://" in text else text
    rest = re.split(r"[/?#]", rest, maxsplit=1)[0]
    rest = rest.rsplit("@", 1)[-1]
    if rest.startswith("["):
        return rest.split("]", 1)[0] + "]"
    if rest.count(":") == 1:
        rest = rest.split(":", 1)[0]  # host:port
    return rest


class DomainSignalType(ExactSignalType):
    """Registrable domains, matched exactly."""

    kind: ClassVar[SignalKind] = SignalKind.DOMAIN

    def normalise(self, value: str) -> str:
        text = refang(check_text(value, "domain", max_length=2048))
        if any(char.isspace() for char in text):
            raise ValueError(f"domain {text[:80]!r}: contains white space")
        return registrable_domain(_host_of(text))
