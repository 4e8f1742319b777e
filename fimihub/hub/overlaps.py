"""Which of a member's own operations and signals a peer's disclosure overlaps, and what they share: equal
values (domains, URLs and the domains of URLs, handles, hashtags, file and image hashes, phrases, texts),
near-duplicate images, DISARM techniques and narratives."""

from __future__ import annotations

import builtins
import contextlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from fimihub.hub.preparing import signal_types
from fimihub.matching.kinds.url import url_domain
from fimihub.model import Operation, Signal, SignalKind

__all__ = ["Overlap", "overlaps_of"]

#: The kinds compared by equality of value, and the name an overlap gives what they share.
_SHARED_AS = {
    SignalKind.DOMAIN: "domain", SignalKind.URL: "url", SignalKind.HANDLE: "handle", SignalKind.PDQ: "image",
    SignalKind.MD5: "file", SignalKind.SHA256: "file", SignalKind.HASHTAG: "hashtag",
    SignalKind.PHRASE: "phrase", SignalKind.TEXT: "text",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Overlap:
    """One of the member's own records that the disclosure overlaps, and what they share."""

    record: str
    id: str
    label: str
    shared: tuple[dict[str, str], ...]

    def to_json(self) -> dict[str, Any]:
        return {"record": self.record, "id": self.id, "label": self.label, "shared": list(self.shared)}


def _keys(signal: Signal) -> builtins.list[tuple[str, str]]:
    """What a signal is compared by: its own value, and for a URL the domain it is on."""
    what = _SHARED_AS.get(signal.kind)
    if what is None:
        return []
    keys = [(what, signal.value)]
    if signal.kind is SignalKind.URL:
        with contextlib.suppress(ValueError):
            keys.append(("url-domain", url_domain(signal.value)))
    return keys


def overlaps_of(
    theirs: Sequence[Signal],
    their_ops: Sequence[Operation],
    mine: Sequence[Signal],
    my_ops: Sequence[Operation],
) -> builtins.list[Overlap]:
    by_key: dict[tuple[str, str], builtins.list[Signal]] = {}
    for signal in mine:
        if signal.warning_lists:
            continue
        for key in _keys(signal):
            by_key.setdefault(key, []).append(signal)
    shared: dict[str, builtins.list[dict[str, str]]] = {}
    signal_of: dict[str, Signal] = {}
    for their in theirs:
        if their.warning_lists:
            continue
        for what, value in _keys(their):
            lookups = [(what, value)]
            if what == "domain":
                lookups.append(("url-domain", value))
            elif what == "url-domain":
                lookups = [("domain", value)]
            for key in lookups:
                for my in by_key.get(key, []):
                    label = "domain" if "domain" in (what, key[0]) else what
                    item = {"what": label, "value": value, "disclosure_signal": their.id}
                    if item not in shared.setdefault(my.id, []):
                        shared[my.id].append(item)
                    signal_of[my.id] = my
    for my, their, distance in _similar_images(mine, theirs):
        item = {
            "what": "image",
            "value": their.value,
            "disclosure_signal": their.id,
            "distance": str(distance),
        }
        if item not in shared.setdefault(my.id, []):
            shared[my.id].append(item)
        signal_of[my.id] = my
    overlaps = [
        Overlap("signal", sid, f"{signal_of[sid].kind.value} {signal_of[sid].value}", tuple(items))
        for sid, items in shared.items()
    ]
    op_shared: dict[str, builtins.list[dict[str, str]]] = {}
    for sid, items in shared.items():
        operation_id = signal_of[sid].operation_id
        if operation_id:
            op_shared.setdefault(operation_id, []).extend(items)
    techniques = {t for op in their_ops for t in op.techniques}
    narratives = {_fold(n): n for op in their_ops for n in op.narratives if n.strip()}
    for operation in my_ops:
        items = list(op_shared.get(operation.id, []))
        items += [{"what": "technique", "value": t} for t in operation.techniques if t in techniques]
        items += [{"what": "narrative", "value": n} for n in operation.narratives if _fold(n) in narratives]
        if items:
            overlaps.append(Overlap("operation", operation.id, operation.name, tuple(_unique(items))))
    return overlaps


#: Most image pairs compared one by one for near-duplicates (beyond, images overlap only when equal).
_MAX_IMAGE_PAIRS = 1_000_000


def _similar_images(
    mine: Sequence[Signal], theirs: Sequence[Signal]
) -> builtins.list[tuple[Signal, Signal, int]]:
    """Pairs of PDQ hashes within the matcher's distance of each other (not equal: those overlap already)."""
    my_images = [s for s in mine if s.kind is SignalKind.PDQ and not s.warning_lists]
    their_images = [s for s in theirs if s.kind is SignalKind.PDQ and not s.warning_lists]
    if not my_images or not their_images or len(my_images) * len(their_images) > _MAX_IMAGE_PAIRS:
        return []
    compare = signal_types()[SignalKind.PDQ].compare
    pairs = []
    for their in their_images:
        for my in my_images:
            hit = compare(their.value, my.value) if my.value != their.value else None
            if hit is not None:
                pairs.append((my, their, int(hit.distance)))
    return pairs


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def _unique(items: Iterable[dict[str, str]]) -> builtins.list[dict[str, str]]:
    out: builtins.list[dict[str, str]] = []
    for item in items:
        if item not in out:
            out.append(item)
    return out
