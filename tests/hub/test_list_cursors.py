"""A listing's cursor is always a record the caller may read: pages never leak the ids of hidden records."""

from __future__ import annotations

import pytest

from fimihub import Operation
from tests.conftest import Cast


@pytest.mark.parametrize("limit", [1, 2, 3, 5])
def test_cursors_name_only_readable_records(cast: Cast, limit: int) -> None:
    hub = cast.hub
    hidden: set[str] = set()
    visible: set[str] = set()
    for i in range(12):
        # Hidden runs of different lengths between the records B may read, so pages end on both kinds.
        if i % 3:
            hidden.add(hub.create(cast.analyst_a, Operation, {"name": f"private {i}"}).id)
        else:
            op = hub.create(cast.analyst_a, Operation, {"name": f"shared {i}", "forum_id": cast.forum_id})
            visible.add(op.id)
    seen: list[str] = []
    after = None
    while True:
        page = hub.list(cast.analyst_b, Operation, after=after, limit=limit)
        seen.extend(r.id for r in page.items)
        if page.next_after is None:
            break
        assert page.next_after in visible, "a cursor named a record the caller may not read"
        assert page.next_after not in hidden
        after = page.next_after
    assert sorted(seen) == sorted(visible) and len(seen) == len(set(seen))
