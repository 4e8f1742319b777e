"""The DISARM framework's techniques: ids (``T0049``, sub-techniques ``T0049.001``), names, tactics, and the
ids DISARM retired.

The vocabulary is the DISARM galaxy of MISP, which the ``pymispgalaxies`` package ships (read offline, from
the package's own data), brought up to the framework as DISARM publishes it today by
:mod:`fimihub.vocab.disarm_updates` (techniques added and renamed since, retired ids and their successors).

* :func:`disarm_id` is the check every technique id passes (the model's ``DisarmId``): a current id comes
  back in its canonical form, a retired one as its successor, and anything else — an id DISARM never had,
  such as ``T9999``, or text of another shape — is refused with ``ValueError``;
* :func:`technique` gives a current technique's name, tactics and page; :func:`retirement` says what became
  of a retired id; :func:`technique_named` finds a technique by its name (current or former).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from fimihub.vocab.disarm_updates import ADDED, DISARM_SAYS, RENAMED, RETIRED

__all__ = [
    "TECHNIQUE_PAGE",
    "Retirement",
    "Technique",
    "disarm_id",
    "is_technique_id",
    "retirement",
    "technique",
    "technique_ids",
    "technique_named",
]

#: The page DISARM publishes for each technique.
TECHNIQUE_PAGE = (
    "https://github.com/DISARMFoundation/DISARMframeworks/blob/main/generated_pages/techniques/{}.md"
)
_ID = re.compile(r"^T\d{4}(\.\d{3})?$")
#: Where ``pymispgalaxies`` keeps the DISARM techniques galaxy, inside the package.
_GALAXY = ("data", "misp-galaxy", "clusters", "disarm-techniques.json")


@dataclass(frozen=True, slots=True)
class Technique:
    """A current DISARM technique."""

    id: str
    name: str
    #: Its tactics as kill-chain phase names (``develop-content``), as DISARM's STIX bundle has them.
    tactics: tuple[str, ...]
    description: str = ""

    @property
    def url(self) -> str:
        return TECHNIQUE_PAGE.format(self.id)

    @property
    def is_subtechnique(self) -> bool:
        return "." in self.id


@dataclass(frozen=True, slots=True)
class Retirement:
    """A technique id DISARM retired, and the current technique that succeeds it."""

    id: str
    successor: str
    #: Whether DISARM names the successor itself; otherwise it is the closest current technique.
    stated_by_disarm: bool

    @property
    def note(self) -> str:
        how = "as DISARM states" if self.stated_by_disarm else "the closest current technique"
        return f"DISARM retired {self.id}: read as {self.successor} ({technique(self.successor).name}, {how})"


def is_technique_id(value: str) -> bool:
    """Whether ``value`` has the shape of a DISARM technique id (known or not)."""
    return bool(_ID.match(value.strip().upper()))


def disarm_id(value: str) -> str:
    """The current DISARM technique ``value`` names: its canonical id, or the successor of a retired id.
    Raises ``ValueError`` for an id DISARM does not have and for text that is no technique id."""
    text = value.strip().upper()
    if not _ID.match(text):
        raise ValueError(f"{value!r} is not a DISARM technique id (expected T0000 or T0000.000)")
    if text in _techniques():
        return text
    if text in RETIRED:
        return RETIRED[text]
    raise ValueError(f"{text} is not a DISARM technique: the framework has no technique with this id")


def retirement(value: str) -> Retirement | None:
    """What became of ``value`` when it is a retired technique id; ``None`` otherwise."""
    text = value.strip().upper()
    if text not in RETIRED or text in _techniques():
        return None
    return Retirement(text, RETIRED[text], text in DISARM_SAYS)


def technique(value: str) -> Technique:
    """The current technique ``value`` names (a retired id gives its successor); ``ValueError`` otherwise."""
    return _techniques()[disarm_id(value)]


def technique_ids() -> tuple[str, ...]:
    """Every current technique id, in order."""
    return tuple(sorted(_techniques()))


def technique_named(name: str) -> str | None:
    """The id of the technique called ``name`` (case and spacing ignored; former names too), if any."""
    return _names().get(_folded(name))


@cache
def _techniques() -> dict[str, Technique]:
    found: dict[str, Technique] = {}
    for value in _galaxy():
        meta = value.get("meta") or {}
        tid = meta.get("external_id")
        if not isinstance(tid, str) or not _ID.match(tid) or tid in RETIRED:
            continue
        tactics = tuple(_phase(t.partition(":")[2]) for t in meta.get("kill_chain") or () if ":" in t)
        name = RENAMED.get(tid, str(value.get("value", tid)))
        found[tid] = Technique(tid, name, tactics, str(value.get("description") or ""))
    for tid, (name, tactic) in ADDED.items():
        found[tid] = Technique(tid, name, (tactic,))
    return found


@cache
def _names() -> dict[str, str]:
    names: dict[str, str] = {}
    for value in _galaxy():
        tid = (value.get("meta") or {}).get("external_id")
        if isinstance(tid, str) and isinstance(value.get("value"), str):
            try:
                names[_folded(value["value"])] = disarm_id(tid)
            except ValueError:
                continue
    names.update({_folded(t.name): t.id for t in _techniques().values()})
    return names


@cache
def _galaxy() -> tuple[dict[str, Any], ...]:
    """The techniques of the DISARM galaxy ``pymispgalaxies`` ships."""
    path = resources.files("pymispgalaxies").joinpath(*_GALAXY)
    loaded = json.loads(path.read_text("utf-8"))
    return tuple(v for v in loaded.get("values", ()) if isinstance(v, dict))


def _phase(tactic: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", tactic.lower()).strip("-")


def _folded(name: str) -> str:
    return " ".join(name.casefold().split())
