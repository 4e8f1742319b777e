"""The registry of signal kinds: one :class:`~fimihub.matching.base.SignalType` per kind, and what a value of
one kind also stands for (a URL for its domain and, on a profile page, its handle)."""

from __future__ import annotations

import contextlib

from fimihub.matching.base import SignalType
from fimihub.matching.kinds.domain import DomainSignalType
from fimihub.matching.kinds.filehash import Md5SignalType, Sha256SignalType
from fimihub.matching.kinds.handle import PROFILE_DOMAINS, HandleSignalType, handle_from_url, handle_value
from fimihub.matching.kinds.hashtag import HashtagSignalType
from fimihub.matching.kinds.keyed import AccountIdSignalType, EmailSignalType, PhoneSignalType
from fimihub.matching.kinds.pdq import PdqSignalType
from fimihub.matching.kinds.phrase import PhraseSignalType
from fimihub.matching.kinds.text import TextSignalType
from fimihub.matching.kinds.url import UrlSignalType, canonical_url_domain
from fimihub.model import SignalKind

__all__ = ["CANONICAL_PATTERNS", "EXPANDERS", "SIGNAL_TYPES", "expand_url"]

#: Every signal kind fimihub matches, by kind.
SIGNAL_TYPES: dict[SignalKind, SignalType] = {
    t.kind: t
    for t in (
        DomainSignalType(),
        UrlSignalType(),
        HandleSignalType(),
        HashtagSignalType(),
        PhraseSignalType(),
        AccountIdSignalType(),
        EmailSignalType(),
        PhoneSignalType(),
        PdqSignalType(),
        Md5SignalType(),
        Sha256SignalType(),
        TextSignalType(),
    )
}


def expand_url(url: str) -> list[tuple[SignalKind, str]]:
    """A normalised URL also stands for its registrable domain and, on a profile page, for the handle."""
    domain = canonical_url_domain(url)
    pairs = [(SignalKind.DOMAIN, domain)]
    profile = handle_from_url(url) if domain in PROFILE_DOMAINS else None
    if profile is not None:
        # A path that looks like a profile but holds no valid handle names nothing.
        with contextlib.suppress(ValueError):
            pairs.append((SignalKind.HANDLE, handle_value(*profile)))
    return pairs


EXPANDERS = {SignalKind.URL: expand_url}


#: Values already in canonical form: matched by the first (RE2) regular expression and not by the second, so
#: a scan can skip normalising them one by one. ``tests/matching/test_canonical_patterns.py`` checks that the
#: kind's ``normalise`` leaves every such value unchanged.
CANONICAL_PATTERNS: dict[SignalKind, tuple[str, str | None]] = {
    # http(s), a lower-case ASCII host ending in a non-numeric label, no port, user info, query or fragment,
    # a path of characters that need no escaping; dot segments ("/./", "/../") excluded.
    SignalKind.URL: (
        r"^https?://(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.){1,8}[a-z_](?:[a-z0-9_-]{0,61}[a-z0-9_])?"
        r"/[A-Za-z0-9._~!$&'()*+,;=:@/-]{0,300}$",
        r"/\.\.?(/|$)",
    ),
    SignalKind.PDQ: (r"^[0-9a-f]{64}$", None),
    SignalKind.HASHTAG: (r"^_*[a-z0-9][a-z0-9_]{0,99}$", None),
}
