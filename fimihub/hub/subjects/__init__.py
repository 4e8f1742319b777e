"""Data-subject requests (GDPR Art. 15-17): find, export, rectify and erase what the hub holds about one
identifier — an account id or handle on a platform, an e-mail address, a phone number, a domain or a URL.

A request is the controller's: the hub's operator (the command line) or an admin of the hub's operator
organisation (:func:`fimihub.policy.may_administer_hub`), never an ordinary member. It is the one path on
which a hub admin sees records of every marking, so every request is in the audit log (``subject.find``,
``subject.export``, ``subject.rectify``, ``subject.erase``) with the reference the requester gives and the
identifier only as a digest keyed with a secret of this hub (:func:`subject_digest`): never in clear, never
in any forum's keyed form.

**What is searched.** The identifier is turned into the forms the hub may hold it in (:class:`SubjectForms`):
its clear forms (an account id bare and as ``platform:id``, a handle bare and as ``platform:handle``, the
normalised e-mail address, phone number, domain or URL) and, for account ids, e-mail addresses and phone
numbers, its keyed hash under every forum key, current and retired (what signals, forum assets and matches
hold). Every governed record (operations, assets, signals, actions, feedback, cases, leads, fingerprints,
matches) and every version of every STIX object in every TAXII collection is read, page by page, and a
record concerns the subject when one of its text values holds one of those forms as a whole word (a plain
search, case-insensitive, with word boundaries: ``12345`` is not found in ``112345``). Ids, timestamps,
sealed boxes and key names are not searched. A record that names another platform than the subject's is
found only by a keyed form (which names the platform already). What the search cannot see: identifiers
sealed to an organisation's identifier key (the hub cannot open them), keyed handle patterns in fingerprints,
and texts that write the identifier differently.

**Legal holds.** A case under legal hold keeps itself, its operations and everything of theirs, as retention
does (:attr:`fimihub.model.Case.legal_hold`): such records — and the STIX objects that carry them — are found,
exported and listed as held, never erased.

**Erasure** is one transaction: signals are revoked first (a new version, published as a revoked indicator
that peers' sync applies), then every record found is deleted (the feed withdraws their STIX objects), then
every version of every STIX object that still holds the identifier is removed, leaving a tombstone
(``revoked: true``, or the deletion extension for observables) so that pollers learn of it. The tombstone
keeps the object's shape but not the identifier: every form of it is replaced by a placeholder that is valid
where it stands (64 zeros for a keyed hash, ``erased.invalid`` for a domain …), and the hub signs it again.
"""

from fimihub.hub.subjects.findings import (
    FoundRecord,
    FoundStix,
    SubjectErasure,
    SubjectFindings,
    record_kind_of,
)
from fimihub.hub.subjects.forms import (
    SUBJECT_KINDS,
    KeyedForm,
    Subject,
    SubjectForms,
    subject_digest,
)
from fimihub.hub.subjects.requests import SubjectRequests

__all__ = [
    "SUBJECT_KINDS",
    "FoundRecord",
    "FoundStix",
    "KeyedForm",
    "Subject",
    "SubjectErasure",
    "SubjectFindings",
    "SubjectForms",
    "SubjectRequests",
    "record_kind_of",
    "subject_digest",
]
