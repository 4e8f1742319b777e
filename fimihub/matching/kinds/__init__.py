"""The registry of signal kinds: one :class:`~fimihub.matching.base.SignalType` per kind, and what a value of
one kind also stands for (a URL for its domain and, on a profile page, its handle)."""

from __future__ import annotations

from fimihub.matching.base import SignalType
from fimihub.matching.kinds.domain import DomainSignalType
from fimihub.matching.kinds.filehash import Md5SignalType, Sha256SignalType
from fimihub.matching.kinds.handle import HandleSignalType, handle_from_url, handle_value
from fimihub.matching.kinds.hashtag import HashtagSignalType
from fimihub.matching.kinds.keyed import AccountIdSignalType, EmailSignalType, PhoneSignalType
from fimihub.matching.kinds.pdq import PdqSignalType
from fimihub.matching.kinds.phrase import PhraseSignalType
from fimihub.matching.kinds.text import TextSignalType
from fimihub.matching.kinds.url import UrlSignalType, url_domain
from fimihub.model import SignalKind

__all__ = ["EXPANDERS", "SIGNAL_TYPES", "expand_url"]

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
    pairs = [(SignalKind.DOMAIN, url_domain(url))]
    profile = handle_from_url(url)
    if profile is not None:
        try:
            pairs.append((SignalKind.HANDLE, handle_value(*profile)))
        except ValueError:
            pass  # a path that looks like a profile but holds no valid handle
    return pairs


EXPANDERS = {SignalKind.URL: expand_url}
