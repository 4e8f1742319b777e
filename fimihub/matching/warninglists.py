"""False-positive guards: values too common to be a signal on their own, and a member's own allow-list.

A signal naming ``google.com``, a public DNS resolver or the hash of an empty file would match half the
internet. :class:`WarningLists` checks a normalised value against the MISP warning lists that the
``pymispwarninglists`` package ships inside its wheel (read from the package's files; its updater, which
downloads, is never called). A signal that hits one is flagged when submitted and not matched automatically;
what to do with the flag is the caller's decision.

Which lists apply per kind is :data:`DEFAULT_LISTS` — well-known sites, resolvers, CDN ranges, special-use
names, benign file hashes. The million-entry popularity lists (Tranco, Chrome CrUX) are left out on purpose:
sites run by influence operations are popular enough to be in them, and flagging those would blunt the tool.
Loading is lazy and happens once per process per list (the lists are tens of megabytes of JSON).

Checks per kind: ``domain`` — the domain and its parents, or an IP address against address ranges; ``url`` —
its host and registrable domain the same way; ``md5``/``sha256`` — the digest; other kinds — none by default
(``WarningLists(lists=…)`` may name lists for any kind; values are then looked up as they are).
"""

from __future__ import annotations

import bisect
import importlib.util
import ipaddress
import json
import socket
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from fimihub.matching.kinds.url import url_domain, url_host
from fimihub.model.signals import SignalKind

__all__ = ["DEFAULT_LISTS", "AllowList", "WarningLists", "available_lists"]

_SITES = (
    "alexa", "tranco10k", "cisco_top1000", "cisco_top5k", "cisco_top10k", "cisco_top20k", "majestic_million",
    "moz-top500", "google", "microsoft", "microsoft-office365", "microsoft-win10-connection-endpoints",
    "url-shortener", "link-in-bio", "lots-project", "security-provider-blogpost", "bank-website",
    "university_domains", "whats-my-ip", "findip-host", "public-dns-hostname", "captive-portals",
    "public-ipfs-gateways", "automated-malware-analysis", "umbrella-blockpage-hostname", "parking-domain-ns",
    "rfc6761", "tlds", "second-level-tlds",
)  # fmt: skip
_ADDRESSES = (
    "public-dns-v4", "public-dns-v6", "rfc1918", "rfc5735", "rfc6598", "rfc3849", "multicast",
    "ipv6-linklocal",
    "sinkholes", "cloudflare", "akamai", "fastly", "umbrella-blockpage-v4", "umbrella-blockpage-v6",
)  # fmt: skip
_HASHES = ("empty-hashes", "eicar.com", "common-ioc-false-positive", "ti-falsepositives", "nioc-filehash")

#: The warning lists (directory names in the MISP warning-lists repository) consulted per kind.
DEFAULT_LISTS: Mapping[SignalKind, tuple[str, ...]] = {
    SignalKind.DOMAIN: _SITES + _ADDRESSES,
    SignalKind.URL: _SITES + _ADDRESSES,
    SignalKind.MD5: _HASHES,
    SignalKind.SHA256: _HASHES,
}


@dataclass(frozen=True)
class _List:
    name: str
    title: str
    exact: frozenset[str] = frozenset()
    suffixes: frozenset[str] = frozenset()  # matches the name itself and every name under it
    substrings: tuple[str, ...] = ()
    # Address ranges per IP version, as sorted starts and the matching ends (merged, non-overlapping).
    ranges: dict[int, tuple[list[int], list[int]]] = field(default_factory=dict)


def _lists_dir() -> Path | None:
    # find_spec locates the package without importing it (its import pulls in an HTTP client for updates).
    spec = importlib.util.find_spec("pymispwarninglists")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "misp-warninglists" / "lists"


@cache
def available_lists() -> tuple[str, ...]:
    """Names of every warning list the installed package ships."""
    root = _lists_dir()
    return tuple(sorted(p.parent.name for p in root.glob("*/list.json"))) if root else ()


def _span(entry: str) -> tuple[int, int, int] | None:
    """``(version, first, last)`` address of a CIDR block or single address; ``None`` for anything else."""
    # inet_pton parses in C: ipaddress.ip_network takes most of a second on the 60,000 resolver addresses.
    address, _, prefix = entry.partition("/")
    family, bits, version = (socket.AF_INET6, 128, 6) if ":" in address else (socket.AF_INET, 32, 4)
    try:
        start = int.from_bytes(socket.inet_pton(family, address), "big")
        length = int(prefix) if prefix else bits
    except (OSError, ValueError):
        return None
    if not 0 <= length <= bits:
        return None
    host_bits = (1 << (bits - length)) - 1
    return version, start & ~host_bits, start | host_bits


def _ranges(entries: Iterable[str]) -> dict[int, tuple[list[int], list[int]]]:
    spans: dict[int, list[tuple[int, int]]] = {4: [], 6: []}
    for entry in entries:
        span = _span(entry)
        if span is not None:
            spans[span[0]].append(span[1:])
    merged: dict[int, tuple[list[int], list[int]]] = {}
    for version, pairs in spans.items():
        starts: list[int] = []
        ends: list[int] = []
        for start, end in sorted(pairs):
            if ends and start <= ends[-1] + 1:
                ends[-1] = max(ends[-1], end)
            else:
                starts.append(start)
                ends.append(end)
        merged[version] = (starts, ends)
    return merged


@cache
def _load(name: str) -> _List | None:
    root = _lists_dir()
    path = root / name / "list.json" if root else None
    if path is None or not path.is_file():
        return None  # a list renamed or dropped upstream: no warning from it rather than a crash
    data = json.loads(path.read_text(encoding="utf-8"))
    entries = [str(entry).strip().lower().rstrip(".") for entry in data.get("list", [])]
    title = str(data.get("name", name))
    kind = data.get("type")
    if kind == "cidr":
        return _List(name, title, ranges=_ranges(entries))
    if kind == "substring":
        return _List(name, title, substrings=tuple(entry for entry in entries if entry))
    if kind == "hostname":
        return _List(name, title, suffixes=frozenset(entry.lstrip(".") for entry in entries if entry))
    if kind == "string":
        # A leading dot in a string list means "this domain and everything under it" (".google.com").
        return _List(
            name,
            title,
            exact=frozenset(entry for entry in entries if entry and not entry.startswith(".")),
            suffixes=frozenset(entry[1:] for entry in entries if entry.startswith(".")),
        )
    return None  # regex lists: not worth running a peer's regexes on every submission


def _ip(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    candidate = value.strip("[]")
    if ":" not in candidate and not candidate.replace(".", "").isdigit():
        return (
            None  # neither IPv6 nor dotted IPv4 (most values are names): no need for ipaddress to refuse it
        )
    try:
        return ipaddress.ip_address(candidate)
    except ValueError:
        return None


@dataclass(frozen=True)
class _Merged:
    """Lists folded into lookup tables, so a check costs a few dictionary lookups, not one per list."""

    exact: dict[str, tuple[str, ...]]
    suffixes: dict[str, tuple[str, ...]]
    substrings: tuple[tuple[str, str], ...]
    ranged: tuple[_List, ...]


@cache
def _merged(names: tuple[str, ...]) -> _Merged:
    exact: dict[str, list[str]] = {}
    suffixes: dict[str, list[str]] = {}
    substrings: list[tuple[str, str]] = []
    ranged: list[_List] = []
    for name in names:
        warning = _load(name)
        if warning is None:
            continue
        for value in warning.exact:
            exact.setdefault(value, []).append(name)
        for value in warning.suffixes:
            suffixes.setdefault(value, []).append(name)
        substrings.extend((part, name) for part in warning.substrings)
        if warning.ranges:
            ranged.append(warning)
    return _Merged(
        {k: tuple(v) for k, v in exact.items()},
        {k: tuple(v) for k, v in suffixes.items()},
        tuple(substrings),
        tuple(ranged),
    )


def _hits(merged: _Merged, targets: Iterable[str]) -> set[str]:
    found: set[str] = set()
    for target in targets:
        found.update(merged.exact.get(target, ()))
        address = _ip(target)
        if address is not None:
            for warning in merged.ranged:
                starts, ends = warning.ranges.get(address.version, ([], []))
                position = bisect.bisect_right(starts, int(address)) - 1
                if position >= 0 and int(address) <= ends[position]:
                    found.add(warning.name)
            continue
        labels = target.split(".")
        for i in range(len(labels)):
            found.update(merged.suffixes.get(".".join(labels[i:]), ()))
        found.update(name for part, name in merged.substrings if part in target)
    return found


class WarningLists:
    """Checks normalised signal values against MISP warning lists (``lists``: names per kind)."""

    def __init__(self, lists: Mapping[SignalKind, Iterable[str]] | None = None) -> None:
        chosen = DEFAULT_LISTS if lists is None else lists
        self.lists: dict[SignalKind, tuple[str, ...]] = {SignalKind(k): tuple(v) for k, v in chosen.items()}

    def preload(self) -> None:
        """Load every list now (a server does it at start so the first submission is not slow)."""
        for names in self.lists.values():
            _merged(names)

    def describe(self, name: str) -> str:
        """The human title of warning list ``name``."""
        warning = _load(name)
        return warning.title if warning else name

    def check(self, kind: SignalKind | str, value: str) -> list[str]:
        """Names of the warning lists that normalised ``value`` of ``kind`` hits (empty when none), in the
        order the lists are configured."""
        kind = SignalKind(kind)
        names = self.lists.get(kind, ())
        if not names:
            return []
        if kind is SignalKind.URL:
            try:
                targets = list(dict.fromkeys((url_host(value), url_domain(value))))
            except ValueError:
                return []
        else:
            targets = [value]
        found = _hits(_merged(names), targets)
        return [name for name in names if name in found]


class AllowList:
    """A member's own allow-list: normalised values per kind that it never wants matched automatically.

    A ``url`` is also allowed when its host or registrable domain is on the ``domain`` list.
    """

    def __init__(
        self, entries: Mapping[SignalKind | str, Iterable[str]] | None = None, name: str = "allow-list"
    ):
        self.name = name
        self._values: dict[SignalKind, set[str]] = {}
        for kind, values in (entries or {}).items():
            for value in values:
                self.add(kind, value)

    def add(self, kind: SignalKind | str, value: str) -> None:
        self._values.setdefault(SignalKind(kind), set()).add(value)

    def remove(self, kind: SignalKind | str, value: str) -> None:
        self._values.get(SignalKind(kind), set()).discard(value)

    def check(self, kind: SignalKind | str, value: str) -> list[str]:
        """``[name]`` when ``value`` of ``kind`` is allowed, else ``[]`` (the shape of WarningLists.check)."""
        kind = SignalKind(kind)
        if value in self._values.get(kind, ()):
            return [self.name]
        domains = self._values.get(SignalKind.DOMAIN, set())
        if kind is SignalKind.URL and domains:
            try:
                if url_host(value) in domains or url_domain(value) in domains:
                    return [self.name]
            except ValueError:
                return []
        return []
