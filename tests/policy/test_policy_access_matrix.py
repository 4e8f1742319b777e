"""The access matrix: profile x organisation x person x forum x marking x record type x act x forum rule.

The expected answer comes from a small oracle written here from the rules in the issue, in terms of the
matrix's own positions (owner org, forum co-member, named recipient org, outsider) rather than record fields,
so that it shares no code and no shape with :mod:`fimihub.policy.access`. Any difference is a leak or a
wrongful refusal; all of them are reported at once.

Profiles include members of a public-authority organisation, and the record's forum comes with and without
``public_authority_access``: such members read others' non-CLEAR records only in a forum that allows it.
"""

from __future__ import annotations

import functools
import itertools
import math
from dataclasses import dataclass

from fimihub.errors import NotFound, PermissionDenied
from fimihub.model import (
    TLP,
    Forum,
    Governed,
    Lead,
    Marking,
    Member,
    Organisation,
    OrganisationKind,
    Role,
    Scope,
    Signal,
    SignalKind,
)
from fimihub.policy import Act, Actor, check, may, readable

OK, DENIED, HIDDEN = "ok", "denied", "hidden"

OWNER, MEMBER, RECIPIENT, OUTSIDE = "owner", "member", "recipient", "outside"
POSITIONS = (OWNER, MEMBER, RECIPIENT, OUTSIDE)
ORG_ID = {OWNER: "org-owner", MEMBER: "org-member", RECIPIENT: "org-recipient", OUTSIDE: "org-outside"}
FORUM = Forum(id="forum-f", name="F", member_orgs=frozenset({"org-owner", "org-member"}))
# The recipient and the outsider share a forum of their own: membership elsewhere must grant nothing here.
OTHER_FORUM = Forum(id="forum-o", name="O", member_orgs=frozenset({"org-recipient", "org-outside"}))
FORUMS = {FORUM.id: FORUM, OTHER_FORUM.id: OTHER_FORUM}
# The same forum, letting members of public authorities read (``public_authority_access``).
OPEN_FORUM = FORUM.evolve(public_authority_access=True)
FORUM_OF = {"closed": FORUM, "open": OPEN_FORUM}


@dataclass(frozen=True)
class Profile:
    name: str
    role: str
    active: bool = True
    scopes: frozenset[str] | None = None  # None: no token limit
    authority: bool = False  # a member of a public-authority organisation


PROFILES = (
    Profile("admin", "admin"),
    Profile("analyst", "analyst"),
    Profile("reviewer", "reviewer"),
    Profile("reader", "reader"),
    Profile("partner", "partner-reporter"),
    Profile("inactive-analyst", "analyst", active=False),
    Profile("analyst-read-token", "analyst", scopes=frozenset({"read"})),
    Profile("analyst-write-share-token", "analyst", scopes=frozenset({"write", "share"})),
    Profile("authority-analyst", "analyst", authority=True),
    Profile("authority-reader", "reader", authority=True),
)
PERSONS = ("other", "author", "named")  # who the acting member is to a RED record
IN_FORUM = (True, False)
FORUM_RULES = ("closed", "open")  # the record's forum without / with public_authority_access
MARKINGS = (
    "clear",
    "green",
    "green+recipients",
    "amber",
    "amber+recipients",
    "amber+strict",
    "amber+strict+recipients",
    "red+recipients",
)
RECORD_TYPES = ("signal", "lead")
ACTS = ("read", "write", "share", "delete")

EXPECTED_CASES = 30_720
AXES = (PROFILES, POSITIONS, PERSONS, IN_FORUM, MARKINGS, RECORD_TYPES, ACTS, FORUM_RULES)
assert math.prod(len(axis) for axis in AXES) == EXPECTED_CASES

# profile, position, person, in_forum, marking, type, act, forum rule
Case = tuple[str, str, str, bool, str, str, str, str]


# --- the oracle: the rules of the issue, written out plainly -------------------------------------------


def oracle_sees(
    role: str,
    position: str,
    person: str,
    in_forum: bool,
    marking: str,
    authority: bool = False,
    rule: str = "closed",
) -> bool:
    if marking == "clear":
        return True
    if authority and position != OWNER and not (in_forum and rule == "open"):
        return False  # public authorities read others' records only where the forum lets them
    if marking == "red+recipients":
        return person in ("author", "named")
    if position == OWNER:
        return True
    forum_reader = in_forum and role != "partner-reporter"
    who_else = {
        "green": {MEMBER: forum_reader},
        "green+recipients": {MEMBER: forum_reader, RECIPIENT: True},
        "amber": {MEMBER: forum_reader},
        "amber+recipients": {RECIPIENT: True},
        "amber+strict": {},
        "amber+strict+recipients": {RECIPIENT: True},
    }
    return who_else[marking].get(position, False)


def oracle(case: Case) -> str:
    profile_name, position, person, in_forum, marking, record_type, act, rule = case
    profile = next(p for p in PROFILES if p.name == profile_name)
    if not profile.active or not oracle_sees(
        profile.role, position, person, in_forum, marking, profile.authority, rule
    ):
        return HIDDEN
    needed = {"read": "read", "write": "write", "delete": "write", "share": "share"}[act]
    if profile.scopes is not None and needed not in profile.scopes:
        return DENIED
    editor = profile.role in ("admin", "analyst")
    if act == "read":
        allowed = True
    elif act == "write":
        allowed = position == OWNER and (
            editor or (profile.role == "partner-reporter" and record_type == "lead")
        )
    elif act == "delete":
        allowed = position == OWNER and editor
    else:  # share into FORUM, whose members are the owner org and the co-member org
        allowed = marking != "red+recipients" and (
            (
                editor
                and position in (OWNER, MEMBER)
                and (position == OWNER or marking in ("clear", "green", "green+recipients"))
            )
            or (profile.role == "partner-reporter" and record_type == "lead" and position == OWNER)
        )
    return OK if allowed else DENIED


# --- building the world ------------------------------------------------------------------------------


def member_id(profile: Profile, position: str) -> str:
    return f"m-{position}-{profile.name}"


def actor_for(profile: Profile, position: str) -> Actor:
    kind = OrganisationKind.PUBLIC_AUTHORITY if profile.authority else OrganisationKind.PLATFORM
    org = Organisation(id=ORG_ID[position], name=position, kind=kind)
    member = Member(
        id=member_id(profile, position),
        org_id=org.id,
        name=profile.name,
        roles=frozenset({Role(profile.role)}),
        active=profile.active,
    )
    scopes = None if profile.scopes is None else frozenset(Scope(s) for s in profile.scopes)
    return Actor.of(member, org, FORUMS.values(), scopes)


def marking_for(name: str, me: str, person: str) -> Marking:
    recipients = ("org-recipient",) if name.endswith("+recipients") else ()
    tlp = TLP.parse(name.removesuffix("+recipients"))
    if tlp is TLP.RED:
        return Marking(tlp=tlp, recipient_members=(me if person == "named" else "m-recipient-someone",))
    return Marking(tlp=tlp, recipient_orgs=recipients)


def record_for(case: Case, me: str) -> Governed:
    _, _, person, in_forum, marking, record_type, _, _ = case
    common = {
        "id": "rec-1",
        "owner_org": "org-owner",
        "forum_id": FORUM.id if in_forum else None,
        "marking": marking_for(marking, me, person),
        "created_by": me if person == "author" else "m-owner-someone",
    }
    if record_type == "lead":
        return Lead(title="a lead", **common)
    return Signal(kind=SignalKind.DOMAIN, value="example.org", **common)


def outcome_of_check(actor: Actor, act: Act, record: Governed, forum: Forum | None) -> str:
    try:
        check(actor, act, record, forum=forum)
    except NotFound:
        return HIDDEN
    except PermissionDenied:
        return DENIED
    return OK


@functools.cache
def run_matrix() -> tuple[dict[Case, bool], list[str]]:
    """Every case's ``may`` answer, and every disagreement with the oracle."""
    results: dict[Case, bool] = {}
    mismatches: list[str] = []
    for profile, position, person, in_forum, marking, record_type, act_name, rule in itertools.product(*AXES):
        case: Case = (profile.name, position, person, in_forum, marking, record_type, act_name, rule)
        actor = actor_for(profile, position)
        record = record_for(case, actor.member.id)
        act = Act(act_name)
        forum = FORUM_OF[rule] if (act is Act.SHARE or in_forum) else None
        expected = oracle(case)
        allowed = may(actor, act, record, forum=forum)
        checked = outcome_of_check(actor, act, record, forum)
        results[case] = allowed
        if allowed != (expected == OK) or checked != expected:
            mismatches.append(f"{case}: expected {expected}, may={allowed}, check={checked}")
        forums = {**FORUMS, FORUM.id: FORUM_OF[rule]}
        if act is Act.READ and bool(readable(actor, [record], forums)) != allowed:
            mismatches.append(f"{case}: readable() disagrees with may()")
    return results, mismatches


def test_matrix_has_no_differences_from_the_oracle() -> None:
    results, mismatches = run_matrix()
    print(f"access matrix: {len(results)} cases checked, {len(mismatches)} mismatches")
    assert len(results) == EXPECTED_CASES
    assert not mismatches, f"{len(mismatches)} mismatches:\n" + "\n".join(mismatches)


def test_matrix_exercises_every_outcome() -> None:
    # Guards against an oracle that says "no" to everything and agrees with an implementation that does too.
    outcomes = [oracle(case) for case in run_matrix()[0]]
    assert {OK, DENIED, HIDDEN} <= set(outcomes)
    assert outcomes.count(OK) > 1000


def test_nobody_but_author_and_named_recipients_reads_red() -> None:
    for case, allowed in run_matrix()[0].items():
        _, _, person, _, marking, _, _, _ = case
        if marking == "red+recipients" and person == "other":
            assert not allowed, case


def test_no_org_outside_the_forum_reads_forum_wide_green_or_amber() -> None:
    for case, allowed in run_matrix()[0].items():
        _, position, _, _, marking, _, _, _ = case
        if marking in ("green", "amber") and position in (RECIPIENT, OUTSIDE):
            assert not allowed, case


def test_a_record_in_no_forum_is_not_forum_wide() -> None:
    for case, allowed in run_matrix()[0].items():
        _, position, _, in_forum, marking, _, _, _ = case
        if not in_forum and marking in ("green", "amber") and position != OWNER:
            assert not allowed, case


def test_partner_reporter_never_reads_forum_wide_amber_or_green() -> None:
    for case, allowed in run_matrix()[0].items():
        profile, position, _, _, marking, _, _, _ = case
        if profile == "partner" and position == MEMBER and marking in ("green", "amber"):
            assert not allowed, case


def test_amber_strict_never_reaches_the_forum() -> None:
    for case, allowed in run_matrix()[0].items():
        _, position, _, _, marking, _, _, _ = case
        if marking.startswith("amber+strict") and position in (MEMBER, OUTSIDE):
            assert not allowed, case


def test_nobody_ever_shares_red() -> None:
    for case, allowed in run_matrix()[0].items():
        if case[4] == "red+recipients" and case[6] == "share":
            assert not allowed, case


def test_an_inactive_member_can_do_nothing() -> None:
    inactive = [allowed for case, allowed in run_matrix()[0].items() if case[0] == "inactive-analyst"]
    assert len(inactive) == EXPECTED_CASES // len(PROFILES)
    assert not any(inactive)


def test_only_the_owner_org_changes_or_deletes() -> None:
    for case, allowed in run_matrix()[0].items():
        if case[6] in ("write", "delete") and case[1] != OWNER:
            assert not allowed, case


def test_a_public_authority_reads_only_clear_and_its_own_unless_the_forum_allows() -> None:
    authorities = [p.name for p in PROFILES if p.authority]
    opened = 0
    for case, allowed in run_matrix()[0].items():
        profile, position, _, in_forum, marking, _, act, rule = case
        if profile not in authorities or act != "read" or marking == "clear" or position == OWNER:
            continue
        if not (in_forum and rule == "open"):
            assert not allowed, case
        opened += allowed
    assert opened > 0  # the forum's permission does open something: the rule is not "never"


def test_a_public_authority_in_an_open_forum_reads_as_any_other_member() -> None:
    for case, allowed in run_matrix()[0].items():
        profile, position, person, in_forum, marking, record_type, act, rule = case
        if profile != "authority-analyst" or not in_forum or rule != "open":
            continue
        twin = ("analyst", position, person, in_forum, marking, record_type, act, rule)
        assert allowed == run_matrix()[0][twin], case
