"""The private set intersection engine: both roles, both modes, normalisation, and a missing library."""

from __future__ import annotations

import random
import sys

import pytest

from fimihub import policy
from fimihub.errors import ValidationError
from fimihub.matching import psi
from fimihub.model import SignalKind

KEY = bytes(range(32))


def _sets(seed: int, common: int = 40, only_a: int = 150, only_b: int = 220) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    words = {f"{rng.getrandbits(64):016x}-site.example" for _ in range(common + only_a + only_b + 50)}
    pool = sorted(words)
    rng.shuffle(pool)
    shared = pool[:common]
    a = shared + pool[common : common + only_a]
    b = shared + pool[common + only_a : common + only_a + only_b]
    rng.shuffle(a)
    rng.shuffle(b)
    return a, b


def _exchange(a: list[str], b: list[str], *, reveal: bool) -> tuple[psi.Result, list[bytes]]:
    prepared_a = psi.prepare("domain", a)
    prepared_b = psi.prepare("domain", b)
    asked = psi.client_request(prepared_a.items, reveal_intersection=reveal)
    answer = psi.server_answer(prepared_b.items, asked.request, reveal_intersection=reveal)
    result = psi.client_result(
        asked.key, answer.setup, answer.response, reveal_intersection=reveal, items=len(prepared_a.items)
    )
    return result, [asked.request, answer.setup, answer.response]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_client_learns_exactly_the_intersection(seed: int) -> None:
    a, b = _sets(seed)
    prepared = psi.prepare("domain", a)
    result, _ = _exchange(a, b, reveal=True)
    assert set(result.values(prepared.items)) == set(a) & set(b)
    assert result.size == len(set(a) & set(b)) == 40
    assert result.indices == tuple(sorted(result.indices or ()))


def test_cardinality_mode_gives_the_size_and_no_values() -> None:
    a, b = _sets(7, common=17)
    result, _ = _exchange(a, b, reveal=False)
    assert result.size == 17
    assert result.indices is None
    assert result.values(a) == []


def test_disjoint_and_empty_server_sets() -> None:
    a, b = _sets(9, common=0)
    assert _exchange(a, b, reveal=True)[0].size == 0
    asked = psi.client_request(["a.example"])
    answer = psi.server_answer([], asked.request, reveal_intersection=True)
    assert psi.client_result(asked.key, answer.setup, answer.response, reveal_intersection=True).size == 0


def test_no_value_travels_in_clear() -> None:
    a, b = _sets(11)
    _, messages = _exchange(a, b, reveal=True)
    for message in messages:
        for value in a + b:
            assert value.encode() not in message
            assert value.split("-")[0].encode() not in message


def test_the_server_refuses_a_request_for_more_than_it_agreed() -> None:
    asked = psi.client_request(["a.example", "b.example"], reveal_intersection=True)
    assert psi.inspect_request(asked.request) == psi.RequestInfo(items=2, reveal_intersection=True)
    with pytest.raises(ValidationError, match="asks for the intersection"):
        psi.server_answer(["a.example"], asked.request, reveal_intersection=False)


def test_a_response_of_another_length_is_refused() -> None:
    asked = psi.client_request(["a.example", "b.example"])
    other = psi.client_request(["a.example"])
    answer = psi.server_answer(["a.example"], other.request, reveal_intersection=True)
    assert psi.answer_items(answer.setup, answer.response) == 1
    with pytest.raises(ValidationError, match="does not answer"):
        psi.client_result(asked.key, answer.setup, answer.response, reveal_intersection=True, items=2)


@pytest.mark.parametrize("junk", [b"", b"\xff\xff\xff garbage", b"\x08\x01"])
def test_junk_is_not_a_message(junk: bytes) -> None:
    with pytest.raises(ValidationError):
        psi.inspect_request(junk)


def test_a_well_formed_request_of_junk_points_is_refused_by_the_server() -> None:
    junk = b"\x12\x03abc"  # one "blinded value" of three bytes: parses, but is no curve point
    assert psi.inspect_request(junk).items == 1
    with pytest.raises(ValidationError, match="cannot answer"):
        psi.server_answer(["a.example"], junk, reveal_intersection=False)


def test_too_many_values_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(psi, "MAX_ITEMS", 3)
    with pytest.raises(ValidationError, match="at most 3"):
        psi.prepare("domain", ["a.example", "b.example", "c.example", "d.example"])
    with pytest.raises(ValidationError, match="between 1 and 3"):
        psi.client_request(["a", "b", "c", "d"])
    monkeypatch.setattr(psi, "MAX_ITEMS", 10)
    asked = psi.client_request([f"{i}.example" for i in range(5)])
    monkeypatch.setattr(psi, "MAX_ITEMS", 4)
    with pytest.raises(ValidationError, match="between 1 and 4"):
        psi.inspect_request(asked.request)


def test_values_are_normalised_and_counted_once() -> None:
    prepared = psi.prepare(
        "domain", ["Example.COM", "example.com.", "  ", "not a domain at all!", "b.example"]
    )
    assert prepared.items == ("example.com", "b.example")
    assert prepared.originals == ("Example.COM", "b.example")
    assert [p for p, _ in prepared.rejected] == [2, 3]
    handles = psi.prepare("handle", ["twitter:@Name_1", "x:name_1"])
    assert handles.items == ("x:name_1",)


def test_personal_identifiers_are_compared_as_the_forums_keyed_hashes() -> None:
    def keyed(value: str) -> str:
        return policy.pseudonymise(KEY, "account_id", value)

    digest = policy.pseudonymise(KEY, "account_id", "x:12345")
    prepared = psi.prepare("account_id", ["Twitter:12345", digest.upper(), "x:999"], pseudonymise=keyed)
    assert prepared.items == (digest, keyed("x:999"))
    # Someone holding only the forum's keyed hashes meets someone holding the clear ids.
    asked = psi.client_request(prepared.items)
    answer = psi.server_answer([digest], asked.request, reveal_intersection=True)
    result = psi.client_result(asked.key, answer.setup, answer.response, reveal_intersection=True)
    assert result.values(prepared.originals) == ["Twitter:12345"]
    assert (
        psi.prepare("account_id", ["12345"], pseudonymise=keyed).rejected[0][1].startswith("write an account")
    )
    email = psi.prepare(
        "email", ["Someone@Example.org"], pseudonymise=lambda v: policy.pseudonymise(KEY, "email", v)
    )
    assert email.items == (policy.pseudonymise(KEY, "email", "someone@example.org"),)


def test_clear_personal_identifiers_need_a_key() -> None:
    with pytest.raises(ValidationError, match="name the forum"):
        psi.prepare("phone", ["+33 6 12 34 56 78"])
    digest = "ab" * 32
    assert psi.prepare(SignalKind.PHONE, [digest]).items == (digest,)


@pytest.mark.parametrize("kind", ["pdq", "text", "nonsense"])
def test_kinds_matched_by_similarity_are_refused(kind: str) -> None:
    with pytest.raises(ValidationError, match="must be one of"):
        psi.prepare(kind, ["x"])


def test_a_missing_library_gives_the_clear_message(monkeypatch: pytest.MonkeyPatch) -> None:
    asked = psi.client_request(["a.example"])
    monkeypatch.setitem(sys.modules, "private_set_intersection.python", None)
    assert not psi.available()
    for call in (
        lambda: psi.client_request(["a.example"]),
        lambda: psi.inspect_request(asked.request),
        lambda: psi.server_answer(["a.example"], asked.request, reveal_intersection=True),
    ):
        with pytest.raises(ValidationError) as caught:
            call()
        assert caught.value.errors == [
            ("psi", "private matching needs openmined-psi: pip install 'fimihub[psi]'")
        ]
    monkeypatch.undo()
    assert psi.available()
