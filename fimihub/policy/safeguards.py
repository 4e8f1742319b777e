"""Safeguards: the human-rights and due-process checks that sit between a shared signal and an action.

"No enforcement on a shared signal without human review, unless a forum explicitly allows it" (DESIGN,
privacy by design). A match on something a peer shared is a lead, not a verdict: a person reviews it first.
"""

from __future__ import annotations

from fimihub.model import Forum

__all__ = ["may_enforce_without_review"]


def may_enforce_without_review(forum: Forum | None) -> bool:
    """Whether a match on a signal from ``forum`` may be enforced without a human review.

    Only a known forum that has switched ``human_review_required`` off allows it; an unknown forum (or none:
    a signal of unknown provenance) always needs review.
    """
    return forum is not None and not forum.human_review_required
