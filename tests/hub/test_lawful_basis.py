"""Each record carries the lawful basis it is held and shared under: the forum's, stamped when it enters the
forum, unless its owner stated one; a later change of the forum's basis leaves what was shared before as it
was shared."""

from __future__ import annotations

from fimihub import Signal
from fimihub.model import Asset
from tests.conftest import Cast

BASIS = "Legitimate interests (GDPR Art. 6(1)(f))"


def test_a_record_entering_a_forum_takes_its_lawful_basis(cast: Cast) -> None:
    hub = cast.hub
    hub.admin.update_forum(hub.operator(), cast.forum_id, {"lawful_basis": BASIS})
    shared = hub.create(
        cast.analyst_a, Signal, {"kind": "domain", "value": "a.example", "forum_id": cast.forum_id}
    )
    private = hub.create(cast.analyst_a, Signal, {"kind": "domain", "value": "b.example"})
    own = hub.create(
        cast.analyst_a,
        Asset,
        {
            "platform": "x",
            "kind": "account",
            "handle": "x:one",
            "forum_id": cast.forum_id,
            "lawful_basis": "Art. 6(1)(c)",
        },
    )
    assert hub.get(cast.analyst_b, Signal, shared.id).lawful_basis == BASIS
    assert hub.get(cast.analyst_a, Signal, private.id).lawful_basis == ""  # the owner's alone: none stated
    assert hub.get(cast.analyst_b, Asset, own.id).lawful_basis == "Art. 6(1)(c)"  # its owner's own
    # Shared later: stamped then.
    hub.share(cast.analyst_a, Signal, private.id, cast.forum_id)
    copies = [s for s in hub.list(cast.analyst_b, Signal).items if s.value == "b.example"]
    assert copies and {s.lawful_basis for s in copies} == {BASIS}


def test_a_new_basis_of_the_forum_leaves_earlier_records_as_shared(cast: Cast) -> None:
    hub = cast.hub
    hub.admin.update_forum(hub.operator(), cast.forum_id, {"lawful_basis": BASIS})
    before = hub.create(
        cast.analyst_a, Signal, {"kind": "domain", "value": "c.example", "forum_id": cast.forum_id}
    )
    hub.admin.update_forum(hub.operator(), cast.forum_id, {"lawful_basis": "Art. 6(1)(e)"})
    after = hub.create(
        cast.analyst_a, Signal, {"kind": "domain", "value": "d.example", "forum_id": cast.forum_id}
    )
    updated = hub.update(cast.analyst_a, Signal, before.id, {"confidence": 80})
    assert updated.lawful_basis == BASIS
    assert hub.get(cast.analyst_b, Signal, after.id).lawful_basis == "Art. 6(1)(e)"
