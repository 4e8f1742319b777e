"""Private matching: private set intersection (PSI) between two members, on top of OpenMined's PSI library.

Two members each hold a set of values of one kind (domains, URLs, handles, keyed hashes of account ids …).
The *client* (who asks) learns which of its values are also in the *server*'s set — or, in cardinality-only
mode, only how many — and the server's set size; the server learns only the size of the client's set. No
value outside the intersection leaves either side, and whoever relays the messages (the hub) learns the
sizes and nothing else.

The protocol is OpenMined's ECDH-PSI (``openmined-psi``, import name ``private_set_intersection.python``):

1. the client blinds each of its values with a secret key and sends them (:func:`client_request`);
2. the server blinds them again with its own secret key, and sends them back with a *setup message*, a
   compressed filter (Golomb-compressed set) of its own values blinded with its key (:func:`server_answer`);
3. the client removes its blinding and looks its values up in the filter (:func:`client_result`).

The filter has a false-positive rate (``fpr``, over the whole query): a value outside the server's set
wrongly reported as in it, with probability ``fpr``; the default (:data:`DEFAULT_FPR`) makes that
negligible.

Both sides must feed the protocol the same form of each value: :func:`prepare` normalises them as the
signal kind does (:mod:`fimihub.matching.kinds`), and turns personal identifiers (account ids, e-mail
addresses, phone numbers) into the keyed hash a forum shares them as, through the ``pseudonymise``
function the caller passes (:func:`fimihub.policy.pseudonymise` with the forum's key): so a member's clear
identifiers meet the other's keyed hashes.

The library is an optional extra (``pip install 'fimihub[psi]'``); without it every function here that
runs the protocol raises :class:`~fimihub.errors.ValidationError` with :data:`MISSING_MESSAGE`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from fimihub.errors import ValidationError
from fimihub.model import SignalKind
from fimihub.vocab import platform as platform_slug

__all__ = [
    "DEFAULT_FPR",
    "MAX_ITEMS",
    "MISSING_MESSAGE",
    "PSI_KINDS",
    "Answer",
    "ClientRequest",
    "Prepared",
    "RequestInfo",
    "Result",
    "answer_items",
    "available",
    "client_request",
    "client_result",
    "inspect_request",
    "prepare",
    "server_answer",
]

#: Most values one side may put into one exchange.
MAX_ITEMS = 1_000_000
#: The probability that a query reports a value the server does not hold (the setup filter's error).
DEFAULT_FPR = 1e-9
#: What a member is told when the PSI library is not installed.
MISSING_MESSAGE = "private matching needs openmined-psi: pip install 'fimihub[psi]'"
#: The kinds compared by equality, and so by private set intersection; PDQ hashes and texts match by
#: similarity, which an intersection cannot express.
PSI_KINDS = frozenset(
    {
        SignalKind.DOMAIN,
        SignalKind.URL,
        SignalKind.HANDLE,
        SignalKind.HASHTAG,
        SignalKind.PHRASE,
        SignalKind.ACCOUNT_ID,
        SignalKind.EMAIL,
        SignalKind.PHONE,
        SignalKind.MD5,
        SignalKind.SHA256,
    }
)

_KEYED = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True, slots=True)
class Prepared:
    """A member's values ready for the protocol: ``items`` (normalised, keyed where personal, each once, in
    the order first seen) and, for each, the first ``originals`` value it came from; ``rejected`` lists
    ``(position, reason)`` for the inputs that are not a valid value of the kind."""

    kind: SignalKind
    items: tuple[str, ...]
    originals: tuple[str, ...]
    rejected: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True, slots=True)
class ClientRequest:
    """What the client sends (``request``) and what it keeps to read the answer: ``key``, its secret
    blinding key (never send it), and whether it asked for the intersection or only its size."""

    request: bytes
    key: bytes
    reveal_intersection: bool
    items: int


@dataclass(frozen=True, slots=True)
class RequestInfo:
    """What anyone holding a request can see in it: how many values it holds and which mode it asks for."""

    items: int
    reveal_intersection: bool


@dataclass(frozen=True, slots=True)
class Answer:
    """The server's answer to one request: its setup message (the filter of its own set) and the response
    (the client's values blinded once more)."""

    setup: bytes
    response: bytes


@dataclass(frozen=True, slots=True)
class Result:
    """What the client learns: ``size`` of the intersection, and in full mode the positions (``indices``,
    ascending, into the items it asked with) of its values that are in it; ``None`` in cardinality mode."""

    size: int
    indices: tuple[int, ...] | None

    def values(self, items: Sequence[str]) -> list[str]:
        """The values of ``items`` (as asked with) in the intersection; empty in cardinality mode."""
        return [items[i] for i in self.indices or ()]


def available() -> bool:
    """Whether the PSI library can be imported."""
    try:
        _library()
    except ValidationError:
        return False
    return True


def prepare(
    kind: SignalKind | str,
    values: Iterable[str],
    *,
    pseudonymise: Callable[[str], str] | None = None,
) -> Prepared:
    """``values`` as both sides feed them to the protocol for ``kind``.

    Each value is normalised as the signal kind does (a URL canonical, a handle ``platform:handle`` folded
    …). A personal identifier (``account_id``, ``email``, ``phone``) is compared as its keyed hash: 64 hex
    digits are taken as one already; a value in clear goes through ``pseudonymise`` (the forum key's
    :func:`fimihub.policy.pseudonymise` for this kind), an account id first written ``platform:id`` with the
    platform's canonical slug, as the hub hashes it. Values that are not valid for the kind are left out and
    listed in ``rejected``; duplicates count once. Raises ``ValidationError`` for a kind the protocol cannot
    compare, more than :data:`MAX_ITEMS` distinct values, or a clear personal identifier without
    ``pseudonymise``.
    """
    signal_kind = psi_kind(kind)
    normalise = _normaliser(signal_kind, pseudonymise)
    items: dict[str, str] = {}
    rejected: list[tuple[int, str]] = []
    for position, value in enumerate(values):
        try:
            item = normalise(value)
        except ValueError as exc:
            rejected.append((position, str(exc) or "not a valid value"))
            continue
        if item not in items:
            items[item] = value
            if len(items) > MAX_ITEMS:
                raise ValidationError("values", f"at most {MAX_ITEMS:,} distinct values per exchange")
    return Prepared(signal_kind, tuple(items), tuple(items.values()), tuple(rejected))


def psi_kind(kind: SignalKind | str) -> SignalKind:
    """``kind`` as a signal kind private matching compares, or ``ValidationError``."""
    try:
        signal_kind = SignalKind(kind)
    except ValueError:
        signal_kind = None
    if signal_kind is None or signal_kind not in PSI_KINDS:
        raise ValidationError("kind", f"must be one of {sorted(k.value for k in PSI_KINDS)}")
    return signal_kind


def client_request(items: Sequence[str], *, reveal_intersection: bool = True) -> ClientRequest:
    """The client's request over its prepared ``items`` (at least one, at most :data:`MAX_ITEMS`), with a
    fresh secret key. ``reveal_intersection=False`` asks only for the size of the intersection: the server's
    answer then lets the client count its values in the server's set, but not tell which they are."""
    _check_items(items, "items", minimum=1)
    psi = _library()
    client = psi.client.CreateWithNewKey(reveal_intersection)
    request = client.CreateRequest(list(items))
    return ClientRequest(
        request=request.SerializeToString(),
        key=bytes(client.GetPrivateKeyBytes()),
        reveal_intersection=reveal_intersection,
        items=len(items),
    )


def inspect_request(request: bytes) -> RequestInfo:
    """How many values ``request`` holds and whether it asks for the intersection or only its size;
    ``ValidationError`` when it is not a PSI request, is empty or holds more than :data:`MAX_ITEMS`."""
    psi = _library()
    message = _parse(psi.Request, request, "request")
    count = len(message.encrypted_elements)
    if not 0 < count <= MAX_ITEMS:
        raise ValidationError("request", f"a request holds between 1 and {MAX_ITEMS:,} values, not {count:,}")
    return RequestInfo(items=count, reveal_intersection=bool(message.reveal_intersection))


def answer_items(setup: bytes, response: bytes) -> int:
    """How many blinded values ``response`` holds (one per value of the request it answers), after checking
    that ``setup`` is a PSI setup message; ``ValidationError`` otherwise."""
    psi = _library()
    parsed = _parse(psi.ServerSetup, setup, "setup")
    if parsed.WhichOneof("data_structure") is None:
        raise ValidationError("setup", "not a PSI setup message")
    return len(_parse(psi.Response, response, "response").encrypted_elements)


def server_answer(
    items: Sequence[str], request: bytes, *, reveal_intersection: bool, fpr: float = DEFAULT_FPR
) -> Answer:
    """The server's answer, over its prepared ``items``, to a client's ``request``, with a fresh secret key
    (so answers to different requests cannot be combined). ``reveal_intersection`` is the mode the server
    agreed to: a request asking for another is refused, so a client that was granted the size only cannot
    learn the values."""
    _check_items(items, "items", minimum=0)
    if not 0 < fpr < 1:
        raise ValidationError("fpr", "must be between 0 and 1")
    info = inspect_request(request)
    if info.reveal_intersection != reveal_intersection:
        wanted = "the intersection" if info.reveal_intersection else "its size only"
        raise ValidationError("request", f"the request asks for {wanted}, not what was agreed")
    psi = _library()
    server = psi.server.CreateWithNewKey(reveal_intersection)
    parsed = _parse(psi.Request, request, "request")
    try:
        setup = server.CreateSetupMessage(fpr, info.items, list(items))
        response = server.ProcessRequest(parsed)
    except RuntimeError as exc:
        raise ValidationError("request", f"cannot answer this request: {exc}") from None
    return Answer(setup=setup.SerializeToString(), response=response.SerializeToString())


def client_result(
    key: bytes, setup: bytes, response: bytes, *, reveal_intersection: bool, items: int | None = None
) -> Result:
    """What the client learns from the server's answer, with the ``key`` its request was made with.
    ``items``, when given, is how many values the request held: a response of another length is refused."""
    psi = _library()
    parsed_setup = _parse(psi.ServerSetup, setup, "setup")
    parsed_response = _parse(psi.Response, response, "response")
    if items is not None and len(parsed_response.encrypted_elements) != items:
        raise ValidationError("response", "the response does not answer the request (another length)")
    try:
        client = psi.client.CreateFromKey(key, reveal_intersection)
        if not reveal_intersection:
            return Result(size=int(client.GetIntersectionSize(parsed_setup, parsed_response)), indices=None)
        indices = tuple(sorted(int(i) for i in client.GetIntersection(parsed_setup, parsed_response)))
    except RuntimeError as exc:
        raise ValidationError("response", f"cannot read the answer: {exc}") from None
    return Result(size=len(indices), indices=indices)


# -- internals --------------------------------------------------------------------------------------------


def _library() -> Any:
    """The PSI library's Python module, or ``ValidationError`` saying how to install it."""
    try:
        import private_set_intersection.python as library
    except ImportError:
        raise ValidationError("psi", MISSING_MESSAGE) from None
    return library


def _parse(message_type: Any, data: bytes, field: str) -> Any:
    if not isinstance(data, bytes | bytearray) or not data:
        raise ValidationError(field, "must be a non-empty PSI message")
    message = message_type()
    try:
        message.ParseFromString(bytes(data))
    except Exception:  # google.protobuf.message.DecodeError: the library's own error type, not imported here
        raise ValidationError(field, f"not a PSI {field} message") from None
    return message


def _check_items(items: Sequence[str], field: str, *, minimum: int) -> None:
    if isinstance(items, str) or not all(isinstance(i, str) for i in items):
        raise ValidationError(field, "must be a sequence of strings")
    if not minimum <= len(items) <= MAX_ITEMS:
        raise ValidationError(field, f"between {minimum} and {MAX_ITEMS:,} values")


def _normaliser(kind: SignalKind, pseudonymise: Callable[[str], str] | None) -> Callable[[str], str]:
    if kind.personal:
        return lambda value: _keyed(kind, value, pseudonymise)
    from fimihub.matching.kinds import SIGNAL_TYPES

    signal_type = SIGNAL_TYPES[kind]
    return signal_type.normalise


def _keyed(kind: SignalKind, value: str, pseudonymise: Callable[[str], str] | None) -> str:
    if not isinstance(value, str):
        raise ValueError("not text")
    text = value.strip()
    if _KEYED.match(text.lower()):
        return text.lower()  # already the keyed hash a forum shares
    if not text:
        raise ValueError("empty")
    if pseudonymise is None:
        raise ValidationError(
            "forum",
            f"{kind.value} values in clear are compared as keyed hashes: name the forum whose key to use",
        )
    if kind is SignalKind.ACCOUNT_ID:
        platform, sep, account = text.partition(":")
        if not sep or not account.strip():
            raise ValueError("write an account id as platform:id (e.g. facebook:100042)")
        text = f"{platform_slug(platform)}:{account.strip()}"
    try:
        return pseudonymise(text)
    except ValidationError as exc:
        raise ValueError(exc.message) from None
