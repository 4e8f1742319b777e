"""Who is asking: a member (an :class:`~fimihub.policy.Actor`) or the hub's local :class:`Operator`."""

from __future__ import annotations

from dataclasses import dataclass

from fimihub.policy import Actor

__all__ = ["Caller", "Operator", "caller_id"]


@dataclass(frozen=True, slots=True)
class Operator:
    """Whoever runs the hub's host and its command line.

    Holding the store's file or database credentials already gives full power over the data, so the operator
    is not filtered by markings; every change it makes is still written to the audit log under its name.
    """

    name: str = "cli"

    @property
    def id(self) -> str:
        return f"operator:{self.name}"


Caller = Actor | Operator


def caller_id(by: Caller) -> str:
    """The name the audit log records for a caller."""
    return by.id if isinstance(by, Operator) else by.member.id
