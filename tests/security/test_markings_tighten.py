"""Markings never loosen by an everyday act; only the owner's admins declassify, and the audit log says so.

docs/access.md, "Markings only tighten": no share, re-share or PATCH lowers a TLP or PAP level or names more
recipients, whoever asks; ``POST /api/v1/{kind}/{id}/declassify`` by an admin of the owner organisation (with
the ``admin`` and ``write`` scopes) is the one way, and it is an audit event.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from fimihub.errors import PermissionDenied
from fimihub.hub import RECORD_KINDS
from tests.http.taxii.stix import TLP2
from tests.security.conftest import TAXII, Member, Rec, World, may_read


def _audit_events(world: World, headers: dict[str, str]) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    after = 0
    while True:
        answer = world.client.get(f"/api/v1/audit/events?after_seq={after}&limit=1000", headers=headers)
        assert answer.status_code == 200, answer.text
        page = answer.json()["items"]
        if not page:
            return events
        events.extend(page)
        after = page[-1]["seq"]


def _widening_attempts(world: World, member: Member, rec: Rec) -> list[tuple[str, Any]]:
    """Every way an everyday act could widen ``rec``'s marking, as ``member``: (what, answer)."""
    url = f"/api/v1/{rec.kind}/{rec.id}"
    h = member.headers
    d = world.org_ids["D"]
    c = world.client
    attempts = [
        (
            f"share into {f} as CLEAR",
            c.post(
                f"{url}/share", json={"forum_id": world.forum_ids[f], "marking": {"tlp": "clear"}}, headers=h
            ),
        )
        for f in ("F1", "F2")
    ]
    attempts += [
        (
            "share with PAP:CLEAR",
            c.post(
                f"{url}/share",
                json={"forum_id": world.forum_ids["F2"], "marking": {"tlp": "green", "pap": "clear"}},
                headers=h,
            ),
        ),
        (
            "share naming D",
            c.post(
                f"{url}/share",
                json={
                    "forum_id": world.forum_ids["F1"],
                    "marking": {"tlp": "green", "pap": "amber", "recipient_orgs": [d]},
                },
                headers=h,
            ),
        ),
        ("PATCH to CLEAR", c.patch(url, json={"marking": {"tlp": "clear", "pap": "amber"}}, headers=h)),
        ("PATCH to PAP:CLEAR", c.patch(url, json={"marking": {"tlp": "green", "pap": "clear"}}, headers=h)),
        (
            "PATCH naming D",
            c.patch(
                url, json={"marking": {"tlp": "green", "pap": "amber", "recipient_orgs": [d]}}, headers=h
            ),
        ),
        ("PATCH to TLP 1.0 WHITE", c.patch(url, json={"marking": {"tlp": "white"}}, headers=h)),
    ]
    if member.key != "A.admin":
        attempts.append(
            (
                "declassify",
                c.post(
                    f"{url}/declassify", json={"marking": {"tlp": "clear"}, "reason": "mine now"}, headers=h
                ),
            )
        )
    return attempts


@pytest.mark.parametrize(
    ("kind", "keys"),
    [
        ("operations", None),  # every member of the world
        ("signals", ("A.admin", "A.analyst", "B.analyst", "C.partner-reporter", "D.admin", "O.admin")),
    ],
)
def test_no_everyday_act_widens_a_green_record(world: World, kind: str, keys: tuple[str, ...] | None) -> None:
    rec = world.create("A.analyst", kind, f"green {kind} of A", tlp="green", forum="F1", pap="amber")
    probers = world.member_list() if keys is None else [world.members[k] for k in keys]
    for member in probers:
        expected = 403 if may_read(world, member, rec) else 404
        for what, answer in _widening_attempts(world, member, rec):
            assert answer.status_code == expected, (member.key, what, answer.status_code, answer.text)
    # The record is as it was, and neither it nor any copy of it reached an organisation outside forum 1.
    stored = world.client.get(f"/api/v1/{kind}/{rec.id}", headers=world.members["A.analyst"].headers).json()
    assert stored["marking"] == {
        "tlp": "green",
        "pap": "amber",
        "recipient_orgs": [],
        "recipient_members": [],
    }
    assert stored["forum_id"] == world.forum_ids["F1"]
    assert stored["modified_at"] == stored["created_at"]
    for key, member in world.members.items():
        if member.org in ("D", "O"):
            assert world.client.get(f"/api/v1/{kind}/{rec.id}", headers=member.headers).status_code == 404, (
                key
            )
            listed = world.client.get(f"/api/v1/{kind}?limit=1000", headers=member.headers).json()["items"]
            assert not [i for i in listed if rec.label in str(i)], key
    every = world.hub.list(world.hub.operator(), RECORD_KINDS[kind], limit=1000).items
    assert {r.id for r in every} == {r.id for r in world.records if r.kind == kind}
    assert world.hub.audit.verify().ok


def test_an_amber_record_for_named_orgs_does_not_open_to_its_forum(world: World) -> None:
    """AMBER naming B becoming AMBER naming no one would open it to all of forum 1: that widens too."""
    rec = world.create(
        "A.analyst",
        "operations",
        "amber for B",
        tlp="amber",
        forum="F1",
        recipient_orgs=(world.org_ids["B"],),
    )
    url = f"/api/v1/operations/{rec.id}"
    c_reader = world.members["C.reader"].headers
    assert world.client.get(url, headers=c_reader).status_code == 404
    for key in ("A.analyst", "A.admin"):
        answer = world.client.patch(
            url, json={"marking": {"tlp": "amber"}}, headers=world.members[key].headers
        )
        assert answer.status_code == 403, answer.text
    answer = world.client.post(
        f"{url}/share",
        json={"forum_id": world.forum_ids["F1"], "marking": {"tlp": "amber"}},
        headers=world.members["A.analyst"].headers,
    )
    assert answer.status_code == 403, answer.text
    assert world.client.get(url, headers=c_reader).status_code == 404
    # Tightening is allowed (the control): AMBER+STRICT naming B.
    tighter = {"marking": {"tlp": "amber+strict", "recipient_orgs": [world.org_ids["B"]]}}
    assert (
        world.client.patch(url, json=tighter, headers=world.members["A.analyst"].headers).status_code == 200
    )


def test_the_operator_widens_nothing_in_process(world: World) -> None:
    """ "Whoever asks": not even the hub's operator widens by an update; declassifying is a member's act."""
    hub = world.hub
    rec = world.create("A.analyst", "operations", "green of A", tlp="green", forum="F1")
    kind = RECORD_KINDS["operations"]
    with pytest.raises(PermissionDenied):
        hub.update(hub.operator(), kind, rec.id, {"marking": {"tlp": "clear"}})
    with pytest.raises(PermissionDenied):
        hub.declassify(hub.operator(), kind, rec.id, {"tlp": "clear"}, reason="because")
    assert hub.get(hub.operator(), kind, rec.id).marking.tlp.value == "green"


def test_only_the_owners_admin_declassifies_and_it_is_audited(world: World) -> None:
    rec = world.create("A.analyst", "operations", "green of A", tlp="green", forum="F1")
    red = world.create("A.analyst", "operations", "red of A's analyst", tlp="red")
    url = f"/api/v1/operations/{rec.id}"
    admin = world.members["A.admin"]
    body = {"marking": {"tlp": "clear"}, "reason": "published in our quarterly report"}
    outsider = world.members["D.analyst"].headers
    assert world.client.get(url, headers=outsider).status_code == 404
    # The owner's admin, through a token without ``admin`` or without ``write``: refused.
    for scopes in (["read", "write", "share"], ["read", "admin"]):
        answer = world.client.post(f"{url}/declassify", json=body, headers=world.token(admin, scopes=scopes))
        assert answer.status_code == 403, (scopes, answer.text)
    # Without a reason: refused. A RED record the admin may not read: not found.
    assert (
        world.client.post(
            f"{url}/declassify", json={"marking": {"tlp": "clear"}}, headers=admin.headers
        ).status_code
        == 400
    )
    assert (
        world.client.post(
            f"{url}/declassify", json={**body, "reason": "  "}, headers=admin.headers
        ).status_code
        == 400
    )
    hidden = world.client.post(f"/api/v1/operations/{red.id}/declassify", json=body, headers=admin.headers)
    assert hidden.status_code == 404
    assert world.client.get(url, headers=outsider).status_code == 404
    hub_admin = world.members["O.admin"].headers
    before = {e["seq"] for e in _audit_events(world, hub_admin)}
    # The owner's admin, with the scopes: it is declassified, and everyone reads it.
    answer = world.client.post(f"{url}/declassify", json=body, headers=admin.headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["marking"]["tlp"] == "clear"
    assert world.client.get(url, headers=outsider).status_code == 200
    new = [e for e in _audit_events(world, hub_admin) if e["seq"] not in before]
    declassified = [e for e in new if e["action"] == "declassify"]
    assert len(declassified) == 1, new
    (event,) = declassified
    assert event["subject_id"] == rec.id and event["actor"] == admin.id
    assert event["detail"]["from"]["tlp"] == "green" and event["detail"]["to"]["tlp"] == "clear"
    assert event["detail"]["reason"] == body["reason"]
    # The audit log is the hub admins' alone.
    for key in ("A.admin", "A.analyst", "D.admin"):
        assert world.client.get("/api/v1/audit/events", headers=world.members[key].headers).status_code == 403
    assert world.hub.audit.verify().ok


def test_a_partner_amending_its_lead_widens_nothing(world: World) -> None:
    partner = world.members["C.partner-reporter"]
    lead = world.create("C.partner-reporter", "leads", "tip from C", tlp="amber+strict")
    url = f"/api/v1/leads/{lead.id}"
    for marking in ({"tlp": "clear"}, {"tlp": "amber"}, {"tlp": "amber+strict", "pap": "clear"}):
        answer = world.client.patch(url, json={"marking": marking}, headers=partner.headers)
        assert answer.status_code == 403, (marking, answer.text)
    # The control: the partner amends its lead otherwise.
    answer = world.client.patch(url, json={"description": "more detail"}, headers=partner.headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["marking"]["tlp"] == "amber+strict"
    assert world.client.get(url, headers=world.members["B.analyst"].headers).status_code == 404


def test_a_newer_taxii_version_does_not_widen_the_record(world: World) -> None:
    """A TAXII post of a newer version of a held record that would widen its marking leaves the record as
    it is."""
    coll = world.forum_ids["F1"].removeprefix("forum--")
    url = f"/taxii2/exchange/collections/{coll}/objects/"
    analyst = world.members["A.analyst"]
    headers = {**analyst.headers, "Accept": TAXII, "Content-Type": TAXII}
    stix_id = f"indicator--{uuid.uuid4()}"

    def indicator(modified: str, tlp: str) -> dict[str, Any]:
        return {
            "type": "indicator",
            "spec_version": "2.1",
            "id": stix_id,
            "created": "2024-05-01T12:00:00.000Z",
            "modified": modified,
            "name": "influence network domain",
            "pattern": "[domain-name:value = 'taxii-widening.example']",
            "pattern_type": "stix",
            "valid_from": "2024-05-01T12:00:00Z",
            "object_marking_refs": [TLP2[tlp]],
        }

    first = world.client.post(
        url, headers=headers, json={"objects": [indicator("2024-05-01T12:00:00.000Z", "amber+strict")]}
    )
    assert first.status_code == 202 and first.json()["success_count"] == 1, first.text
    query = "/api/v1/signals?value=taxii-widening.example"
    (signal,) = world.client.get(query, headers=analyst.headers).json()["items"]
    assert signal["marking"]["tlp"] == "amber+strict"
    second = world.client.post(
        url, headers=headers, json={"objects": [indicator("2024-06-01T12:00:00.000Z", "clear")]}
    )
    assert second.status_code == 202, second.text
    (after,) = world.client.get(query, headers=analyst.headers).json()["items"]
    assert after["id"] == signal["id"] and after["marking"]["tlp"] == "amber+strict"
    for key in ("B.reader", "C.analyst", "D.analyst"):
        other = world.members[key].headers
        assert world.client.get(f"/api/v1/signals/{signal['id']}", headers=other).status_code == 404
        assert world.client.get(query, headers=other).json()["items"] == []
        item = {"kind": "domain", "value": "taxii-widening.example"}
        matched = world.client.post("/api/v1/match", json={"items": [item]}, headers=other).json()
        assert matched["items"][0]["matches"] == []


def test_a_resharer_cannot_declassify_its_copy_of_anothers_record(world: World) -> None:
    rec = world.create("A.analyst", "operations", "A's green secret", tlp="green", forum="F1")
    copy = world.client.post(
        f"/api/v1/operations/{rec.id}/share",
        json={"forum_id": world.forum_ids["F1"]},
        headers=world.members["B.analyst"].headers,
    )
    assert copy.status_code == 200, copy.text  # TLP:GREEN may travel in the community: allowed
    copy_id = copy.json()["id"]
    assert copy_id != rec.id and copy.json()["owner_org"] == world.org_ids["B"]
    world.client.post(
        f"/api/v1/operations/{copy_id}/declassify",
        json={"marking": {"tlp": "clear"}, "reason": "ours now"},
        headers=world.members["B.admin"].headers,
    )
    # Whatever the answer, A's record must not reach organisations outside forum 1.
    for key in ("D.analyst", "O.admin"):
        headers = world.members[key].headers
        assert world.client.get(f"/api/v1/operations/{copy_id}", headers=headers).status_code == 404, key
        listed = world.client.get("/api/v1/operations?limit=1000", headers=headers).json()["items"]
        assert "A's green secret" not in {item["name"] for item in listed}, key


def _fingerprints_text(world: World, key: str) -> str:
    answer = world.client.get("/api/v1/fingerprints?limit=1000", headers=world.members[key].headers)
    assert answer.status_code == 200, answer.text
    return answer.text


def test_a_recipients_fingerprint_does_not_pass_on_what_was_released_to_it_alone(world: World) -> None:
    op = world.create("A.analyst", "operations", "A's shared operation", tlp="green", forum="F1")
    secret = "released-to-b-only.example"
    world.create(
        "A.analyst",
        "signals",
        "A's AMBER signal for B",
        tlp="amber",
        forum="F1",
        recipient_orgs=(world.org_ids["B"],),
        fields={"operation_id": op.id, "value": secret},
    )
    b = world.members["B.analyst"].headers
    assert secret in world.client.get(f"/api/v1/signals?value={secret}", headers=b).text  # B may read it
    for forum in ("F1", "F2"):
        world.client.post(
            f"/api/v1/operations/{op.id}/fingerprint", json={"forum_id": world.forum_ids[forum]}, headers=b
        )
    for key in ("C.reader", "C.analyst", "D.analyst", "D.reader"):
        assert (
            world.client.get(f"/api/v1/signals?value={secret}", headers=world.members[key].headers).json()[
                "items"
            ]
            == []
        )
        assert secret not in _fingerprints_text(world, key), key


def test_a_fingerprint_does_not_put_red_or_strict_values_into_a_forum(world: World) -> None:
    for tlp in ("red", "amber+strict"):
        op = world.create("A.analyst", "operations", f"A's {tlp} operation", tlp=tlp)
        secret = f"{tlp.replace('+', '-')}-only.example"
        world.create(
            "A.analyst",
            "signals",
            f"A's {tlp} signal",
            tlp=tlp,
            fields={"operation_id": op.id, "value": secret},
        )
        world.client.post(
            f"/api/v1/operations/{op.id}/fingerprint",
            json={"forum_id": world.forum_ids["F1"]},
            headers=world.members["A.analyst"].headers,
        )
        for key in ("B.reader", "C.analyst"):
            assert secret not in _fingerprints_text(world, key), (tlp, key)
