"""Fingerprints from plain values: an operation's assets and signals by kind, as a hub holds them.

A hub knows a disrupted operation by what analysts recorded about it (its outlets, articles, tags, image
hashes, texts and the handles of its removed accounts), not by a labelled export. Each value is read as its
signal kind writes it, so it matches what :mod:`fimihub.coordination.features` reads from an export: a URL
also stands for its registrable domain, and a profile URL for the handle it names; handles become keyed
patterns here and are not kept in clear. Kinds that name single items rather than an operation's style are
ignored.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from fimihub.coordination.features import (
    check_digest,
    check_key,
    handle_patterns,
    keyed_patterns,
    pattern_key_id,
    platform_name,
)
from fimihub.coordination.fingerprint.model import OperationFingerprint, PostingRhythm
from fimihub.errors import ValidationError
from fimihub.matching.kinds import SIGNAL_TYPES
from fimihub.matching.kinds.handle import PROFILE_DOMAINS, handle_from_url
from fimihub.matching.kinds.url import canonical_url_domain
from fimihub.model import SignalKind

__all__ = ["build_fingerprint_from_values"]

# Signal kinds a fingerprint built from values ignores (they identify single items, not an operation's style).
_IGNORED_KINDS = frozenset(
    {SignalKind.ACCOUNT_ID, SignalKind.EMAIL, SignalKind.PHONE, SignalKind.MD5, SignalKind.SHA256}
)


def build_fingerprint_from_values(
    operation: str,
    values: Mapping[str, Iterable[str]],
    *,
    key: bytes,
    platforms: Iterable[str] = (),
    accounts: int = 0,
    posts: int = 0,
    rhythm: PostingRhythm | None = None,
) -> OperationFingerprint:
    """A fingerprint from an operation's assets and signals given as plain values, by kind.

    Kinds: ``domain``, ``url`` (each also stands for its domain; a profile URL for its handle), ``hashtag``,
    ``pdq``, ``text`` (``mh1`` signatures or raw texts, which are signed here), ``handle`` (``platform:name``
    or a bare name, turned into keyed patterns) and ``handle_pattern`` (patterns already keyed with ``key``).
    Signal kinds that name single items (``account_id``, ``email``, ``phone``, ``md5``, ``sha256``) and
    ``phrase`` are ignored. A value that is not of its kind raises ``ValidationError`` naming it
    (``values.url[2]``); so does an unknown kind.
    """
    key = check_key(key)
    found: dict[str, list[str]] = {
        "domain": [], "url": [], "hashtag": [], "pdq": [], "text": [], "handle_pattern": [],
    }  # fmt: skip
    clear_handles: list[str] = []
    for kind, items in values.items():
        try:
            signal_kind: SignalKind | None = SignalKind(kind)
        except ValueError:
            signal_kind = None
        if kind != "handle_pattern" and (signal_kind is None):
            raise ValidationError(f"values.{kind}", "not a kind a fingerprint can hold")
        if signal_kind in _IGNORED_KINDS or signal_kind is SignalKind.PHRASE:
            continue
        for i, item in enumerate(items):
            where = f"values.{kind}[{i}]"
            if not isinstance(item, str):
                raise ValidationError(where, "must be a string")
            try:
                if kind == "handle_pattern":
                    found[kind].append(check_digest(item))
                elif signal_kind is SignalKind.HANDLE:
                    clear_handles.append(item.partition(":")[2] if ":" in item else item)
                elif signal_kind is not None:
                    canonical = SIGNAL_TYPES[signal_kind].normalise(item)
                    if signal_kind is SignalKind.URL:
                        profile = handle_from_url(canonical)
                        domain = canonical_url_domain(canonical)
                        if profile is not None:
                            clear_handles.append(profile[1])
                        if domain in PROFILE_DOMAINS:
                            continue
                        found["domain"].append(domain)
                    found[signal_kind.value].append(canonical)
            except ValueError as error:
                raise ValidationError(where, str(error)) from None
    patterns = {p for h in clear_handles for p in handle_patterns(h)}
    digests = keyed_patterns(key, sorted(patterns)) + found["handle_pattern"]
    return OperationFingerprint(
        operation=operation,
        accounts=accounts,
        posts=posts,
        platforms=tuple(platform_name(p) for p in platforms),
        domains=tuple(found["domain"]),
        urls=tuple(found["url"]),
        hashtags=tuple(found["hashtag"]),
        pdq=tuple(found["pdq"]),
        text_signatures=tuple(found["text"]),
        handle_patterns=tuple(digests),
        pattern_key_id=pattern_key_id(key) if digests else None,
        rhythm=rhythm,
    )
