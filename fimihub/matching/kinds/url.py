"""The ``url`` signal kind: a canonical http(s) URL, optionally matched at the level of its domain.

Canonical form, so that the same link shared two ways compares equal:

- defanged forms are accepted (``hxxps://evil[.]com``); a URL without scheme gets ``http://``;
- scheme and host in lower case, host in IDNA (punycode), user info dropped, default port (80/443) dropped;
- path: empty path -> ``/``, ``.`` and ``..`` segments resolved, percent-escapes of unreserved characters
  decoded and all others in upper case, other characters percent-encoded as UTF-8;
- query: tracking parameters dropped (``utm_*``, ``fbclid``, ``gclid`` … and a few per-site ones such as
  YouTube's ``si``), the remaining ``key=value`` pairs sorted; ``+`` is left as written (servers differ);
- fragment dropped.

``hxxps://evil[.]com/a?utm_source=x&id=3#frag`` -> ``https://evil.com/a?id=3``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import ClassVar
from urllib.parse import urlsplit

from fimihub.matching.base import Hit, SignalIndex, SignalType, ValueIndex
from fimihub.matching.index.brute import rank
from fimihub.matching.index.exact import ExactIndex
from fimihub.matching.kinds._input import check_text
from fimihub.matching.kinds.domain import normalise_host, refang, registrable_domain
from fimihub.model.signals import SignalKind

__all__ = [
    "TRACKING_PARAMETERS",
    "UrlIndex",
    "UrlSignalType",
    "canonical_url_domain",
    "host_domain",
    "normalise_url",
    "url_domain",
    "url_host",
]

#: Query parameters that only say where a click came from; dropped everywhere (and any ``utm_*``).
TRACKING_PARAMETERS = frozenset({
    "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "ttclid",
    "li_fat_id", "igshid", "igsh", "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok",
    "vero_id", "oly_enc_id", "oly_anon_id", "rb_clickid", "s_cid", "wickedid", "ref_src", "ref_url",
    "fb_action_ids", "fb_action_types", "fb_ref", "fb_source", "mibextid", "__twitter_impression",
})  # fmt: skip
# Share-button parameters of big platforms, keyed by registrable domain: tracking there, meaningful elsewhere.
_SITE_TRACKING = {
    "youtube.com": frozenset({"si", "feature", "pp"}),
    "youtu.be": frozenset({"si", "feature"}),
    "x.com": frozenset({"s", "t"}),
    "twitter.com": frozenset({"s", "t"}),
    "tiktok.com": frozenset({"_r", "_t", "is_from_webapp", "sender_device", "is_copy_url"}),
    "facebook.com": frozenset({"rdid", "sfnsn"}),
}
_DEFAULT_PORTS = {"http": 80, "https": 443}
_SPACE = re.compile(r"\s")
_OTHER_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:(?!\d)", re.IGNORECASE)
_ESCAPE_OR_CHAR = re.compile(r"%[0-9A-Fa-f]{2}|.", re.DOTALL)
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_PATH_SAFE = _UNRESERVED | frozenset("!$&'()*+,;=:@/")
# In the query '&' separates fields and is never inside one; '=', '?' and '/' are allowed by RFC 3986.
_QUERY_SAFE = _UNRESERVED | frozenset("!$'()*+,;=:@/?")


def _encode(text: str, safe: frozenset[str]) -> str:
    """``text`` with escapes of unreserved characters decoded, other escapes upper-cased, unsafe characters
    (and stray ``%``) percent-encoded as UTF-8."""
    if "%" not in text and safe.issuperset(text):
        return text  # nothing to decode or encode: most paths and queries, and a scan meets millions
    out = []
    for match in _ESCAPE_OR_CHAR.finditer(text):
        token = match.group()
        if len(token) == 3:
            char = chr(int(token[1:], 16))
            out.append(char if char in _UNRESERVED else token.upper())
        elif token in safe:
            out.append(token)
        else:
            out.append("".join(f"%{byte:02X}" for byte in token.encode("utf-8", "surrogatepass")))
    return "".join(out)


def _remove_dot_segments(path: str) -> str:
    # RFC 3986 section 5.2.4, on segments: "/a/./b/../c" -> "/a/c".
    segments: list[str] = []
    parts = path.split("/")
    for position, segment in enumerate(parts[1:], start=1):
        last = position == len(parts) - 1
        if segment == ".":
            if last:
                segments.append("")
        elif segment == "..":
            if segments:
                segments.pop()
            if last:
                segments.append("")
        else:
            segments.append(segment)
    return "/" + "/".join(segments)


def _normalise_query(query: str, domain: str) -> str:
    site = _SITE_TRACKING.get(domain, frozenset())
    pairs: list[tuple[str, str]] = []
    for field in query.split("&"):
        if not field:
            continue
        key, eq, value = field.partition("=")
        key, value = _encode(key, _QUERY_SAFE), _encode(value, _QUERY_SAFE)
        name = key.lower()
        if name.startswith("utm_") or name in TRACKING_PARAMETERS or name in site:
            continue
        pairs.append((key, eq + value))
    return "&".join(key + rest for key, rest in sorted(pairs))


def _split_netloc(netloc: str) -> tuple[str, str]:
    hostport = netloc.rsplit("@", 1)[-1]  # user info says nothing about the resource
    if hostport.startswith("["):
        host, _, rest = hostport[1:].partition("]")
        return host, rest[1:] if rest.startswith(":") else rest
    host, _, port = hostport.partition(":")
    return host, port


def normalise_url(value: str) -> str:
    """The canonical form of URL ``value`` (see the module docstring); ``ValueError`` saying what is wrong."""
    text = refang(check_text(value, "url"))
    if _SPACE.search(text):
        raise ValueError(f"url {text[:80]!r}: contains white space")
    if "://" not in text:
        if _OTHER_SCHEME.match(text):
            raise ValueError(f"url {text[:80]!r}: only http and https URLs are signals")
        text = "http:" + text if text.startswith("//") else "http://" + text
    try:
        parts = urlsplit(text)
    except ValueError as error:
        raise ValueError(f"url {text[:80]!r}: {error}") from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise ValueError(f"url {text[:80]!r}: scheme {scheme!r}, only http and https URLs are signals")
    raw_host, raw_port = _split_netloc(parts.netloc)
    if not raw_host:
        raise ValueError(f"url {text[:80]!r}: no host")
    host = normalise_host(raw_host)
    netloc = f"[{host}]" if ":" in host else host
    if raw_port:
        if not raw_port.isascii() or not raw_port.isdigit() or not 0 < int(raw_port) < 65536:
            raise ValueError(f"url {text[:80]!r}: port {raw_port[:10]!r} is not a number from 1 to 65535")
        if int(raw_port) != _DEFAULT_PORTS[scheme]:
            netloc += f":{int(raw_port)}"
    path = _remove_dot_segments(_encode(parts.path, _PATH_SAFE)) if parts.path else "/"
    query = _normalise_query(parts.query, _domain_or_host(host))
    return f"{scheme}://{netloc}{path}" + (f"?{query}" if query else "")


@lru_cache(maxsize=1 << 16)
def _domain_or_host(host: str) -> str:
    # Cached: scans and domain-level matching ask for the same few thousand hosts over and over.
    try:
        return registrable_domain(host)
    except ValueError:
        return host  # a host that is a public suffix itself (``localhost``) is its own domain


def host_domain(host: str) -> str:
    """The registrable domain of a normalised host, or the host itself when it has none (cached)."""
    return _domain_or_host(host)


def url_host(url: str) -> str:
    """The normalised host of ``url`` (any form :func:`normalise_url` accepts)."""
    return _split_netloc(urlsplit(normalise_url(url)).netloc)[0]


def canonical_url_domain(url: str) -> str:
    """:func:`url_domain` of a URL already in canonical form (skips normalising it again)."""
    # A canonical URL is always "scheme://netloc/…" with no user info: the netloc is the third "/" field.
    return _domain_or_host(_split_netloc(url.split("/", 3)[2])[0])


def url_domain(url: str) -> str:
    """The registrable domain of ``url``'s host, for domain-level matching (``https://news.bbc.co.uk/x`` ->
    ``bbc.co.uk``); a host with no registrable domain (``localhost``, an IP address) stands for itself."""
    return _domain_or_host(url_host(url))


class UrlSignalType(SignalType):
    """Canonical URLs, matched exactly; with ``domain_level`` also any URL on the same registrable domain
    (distance 1, score 0.5), for operations that rotate paths on a domain they own."""

    kind: ClassVar[SignalKind] = SignalKind.URL

    def __init__(self, *, domain_level: bool = False) -> None:
        self.domain_level = domain_level

    def normalise(self, value: str) -> str:
        return normalise_url(value)

    def compare(self, query: str, candidate: str) -> Hit | None:
        if query == candidate:
            return Hit(0)
        if self.domain_level and canonical_url_domain(query) == canonical_url_domain(candidate):
            return Hit(0, 1.0, 0.5)
        return None

    def new_index(self) -> SignalIndex:
        return UrlIndex() if self.domain_level else ExactIndex()


class UrlIndex(ValueIndex):
    """Exact URL hits first, then (distance 1, score 0.5) the other URLs on the query's registrable domain."""

    format_name: ClassVar[str] = "fimihub.url-domain"
    format_version: ClassVar[int] = 1

    def __init__(self) -> None:
        self._urls = ExactIndex()
        self._domains = ExactIndex()

    def add(self, values: Sequence[str], entries: Sequence[int]) -> None:
        domains = [canonical_url_domain(value) for value in values]
        self._urls.add(values, entries)
        self._domains.add(domains, entries)

    def remove(self, entries: Iterable[int]) -> None:
        entries = list(entries)
        self._urls.remove(entries)
        self._domains.remove(entries)

    def query(self, value: str) -> list[Hit]:
        exact = self._urls.query(value)
        same = {hit.entry for hit in exact}
        nearby = [
            Hit(hit.entry, 1.0, 0.5)
            for hit in self._domains.query(canonical_url_domain(value))
            if hit.entry not in same
        ]
        return rank([*exact, *nearby])

    def __len__(self) -> int:
        return len(self._urls)

    def values(self) -> dict[int, str]:
        """A copy of the live entries, entry id -> URL."""
        return self._urls.values()
