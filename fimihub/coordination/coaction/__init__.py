"""Co-action networks: accounts that act on the same objects within a short window, again and again, and the
groups they form.

The public entry points, in the order a detection runs:

- :mod:`.actions`: platform exports and object tables turned into *actions* (an account touching an object
  at one second), bad rows counted by reason; near-duplicate images and texts become single objects
  (:mod:`.clusters`), duplicate rows of object tables are found with one sort (:mod:`.duplicates`), and the
  string codes made on the way are kept with the table (:mod:`.codes`);
- :mod:`.network`: the network of accounts that co-act, undirected (distinct objects) or directed (the QUT
  toolkit's matched actions, :mod:`.directed`), built on the vectorised pairs of :mod:`.pairs`, and the
  co-actions behind its edges;
- :mod:`.communities`: the groups of the network (connected components or Leiden, :mod:`.graph`), each with
  a score and its evidence.
"""

from fimihub.coordination.coaction.actions import (
    ACTION_COLUMNS,
    ACTION_SCHEMA,
    DROP_REASONS,
    ActionsResult,
    actions_from_export,
    actions_from_objects,
)
from fimihub.coordination.coaction.communities import (
    EVIDENCE_SCHEMA,
    Community,
    find_communities,
    membership_table,
)
from fimihub.coordination.coaction.network import (
    DIRECTED_EDGE_SCHEMA,
    EDGE_SCHEMA,
    CoactionResult,
    Mode,
    coaction_edges,
    coaction_evidence,
    detect_coaction,
)

__all__ = [
    "ACTION_COLUMNS",
    "ACTION_SCHEMA",
    "DIRECTED_EDGE_SCHEMA",
    "DROP_REASONS",
    "EDGE_SCHEMA",
    "EVIDENCE_SCHEMA",
    "ActionsResult",
    "CoactionResult",
    "Community",
    "Mode",
    "actions_from_export",
    "actions_from_objects",
    "coaction_edges",
    "coaction_evidence",
    "detect_coaction",
    "find_communities",
    "membership_table",
]
