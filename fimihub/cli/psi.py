"""``fimihub psi``: private matching with another organisation over a hub's REST API.

The member's values are read from a file on this machine and never leave it: what goes to the hub is the
blinded request (``ask``) or the blinded answer (``answer``) of :mod:`fimihub.matching.psi`, and the
intersection is computed here (``result``) with the secret key ``ask`` kept in a state file.

    fimihub psi ask domains.txt --to ORG --kind domain --hub https://hub.example --token-file token
    fimihub psi list --role responder --hub … --token-file …          # on the other side
    fimihub psi answer SESSION our-domains.txt --hub … --token-file …
    fimihub psi result SESSION --hub … --token-file …
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import click
import httpx

from fimihub import policy
from fimihub.cli.common import EXISTING_FILE, FILE, echo_json, json_option
from fimihub.errors import (
    AuthenticationError,
    Conflict,
    FimihubError,
    NotFound,
    PayloadTooLarge,
    PermissionDenied,
    RateLimited,
    ValidationError,
)
from fimihub.matching import psi as engine
from fimihub.matching.reading import read_csv_table
from fimihub.model import SignalKind

__all__ = ["psi", "read_values"]

_API = "/api/v1"
_STATE_FORMAT = "fimihub-psi-state"
_TIMEOUT = 300.0
_ERRORS: dict[int, type[FimihubError]] = {
    401: AuthenticationError,
    403: PermissionDenied,
    404: NotFound,
    409: Conflict,
    413: PayloadTooLarge,
}


def _http_client(hub_url: str, token: str) -> httpx.Client:
    """The HTTP client that talks to the hub (the tests put an in-process one here)."""
    return httpx.Client(
        base_url=hub_url,
        headers={"Authorization": f"Bearer {token}"},
        timeout=_TIMEOUT,
        follow_redirects=False,
    )


@contextmanager
def _hub(hub_url: str, token_file: Path) -> Iterator[Callable[..., Any]]:
    """A function ``call(method, path, json=None)`` answering the JSON of a hub's REST route, its errors as
    fimihub's own."""
    token = token_file.read_text(encoding="utf-8").strip()
    if not token:
        raise ValidationError("token_file", f"{token_file} holds no token")
    with _http_client(hub_url, token) as client:

        def call(method: str, path: str, body: Any = None, params: dict[str, Any] | None = None) -> Any:
            try:
                answer = client.request(method, _API + path, json=body, params=params)
            except httpx.HTTPError as exc:
                raise FimihubError(f"cannot reach the hub at {hub_url}: {exc}") from None
            if answer.status_code >= 400:
                raise _error(answer.status_code, answer)
            return answer.json()

        yield call


def _error(status: int, answer: Any) -> FimihubError:
    try:
        detail = answer.json().get("error", {})
    except ValueError:
        detail = {}
    message = str(detail.get("message") or f"the hub answered {status}")
    if status == 400:
        return ValidationError(str(detail.get("field") or "request"), message.split(": ", 1)[-1])
    if status == 429:
        return RateLimited(message, retry_after=int(answer.headers.get("retry-after", "60") or 60))
    return _ERRORS.get(status, FimihubError)(message)


def read_values(path: Path, *, column: str | None = None, kind: SignalKind | None = None) -> list[str]:
    """A member's values: one per line of a text file, or a column of a CSV (with a header) or Parquet file.
    For handles and account ids written without their platform, a ``platform`` column of the same file
    names it (as in a platform export)."""
    if column is None:
        if path.suffix.lower() == ".parquet":
            raise ValidationError("column", "name the column of the Parquet file that holds the values")
        with path.open(encoding="utf-8-sig") as lines:
            return [line.strip() for line in lines if line.strip()]
    rows = _rows(path, column)
    prefix = kind in (SignalKind.HANDLE, SignalKind.ACCOUNT_ID)
    values: list[str] = []
    for value, platform in rows:
        text = "" if value is None else str(value).strip()
        if not text:
            continue
        if prefix and platform and ":" not in text:
            text = f"{platform}:{text}"
        values.append(text)
    return values


def _rows(path: Path, column: str) -> list[tuple[object, str | None]]:
    if path.suffix.lower() == ".parquet":
        import pyarrow.parquet as pq

        names = pq.read_schema(path).names
        if column not in names:
            raise ValidationError("column", f"{path.name} has no column {column!r}")
        columns = [column, *(["platform"] if "platform" in names and column != "platform" else [])]
        table = pq.read_table(path, columns=columns).to_pydict()
        platforms = table.get("platform") if column != "platform" else None
        return [
            (v, str(platforms[i]) if platforms and platforms[i] else None)
            for i, v in enumerate(table[column])
        ]
    # Any encoding, short rows and stray quotes: what cannot be read is skipped and said, never a traceback.
    read = read_csv_table(path, what="values")
    for message in read.report.messages():
        click.echo(f"warning: {message}", err=True)
    names = read.table.column_names
    if column not in names:
        raise ValidationError("column", f"{path.name} has no column {column!r}")
    values = read.table.column(column).to_pylist()
    platforms = (
        read.table.column("platform").to_pylist() if "platform" in names and column != "platform" else None
    )
    return [(v, str(platforms[i]) if platforms and platforms[i] else None) for i, v in enumerate(values)]


def _prepared(
    call: Callable[..., Any], kind: SignalKind, values: list[str], forum_id: str | None
) -> tuple[engine.Prepared, str | None]:
    """The values as the protocol takes them, and the id of the forum key personal ones were hashed with."""
    hasher = None
    key_id = None
    if kind.personal and forum_id is not None:
        key = call("GET", f"/forums/{forum_id}/key")
        key_id = str(key["key_id"])
        hasher = partial(policy.pseudonymise, bytes.fromhex(str(key["key"])), kind.value)
    prepared = engine.prepare(kind, values, pseudonymise=hasher)
    if prepared.rejected:
        position, reason = prepared.rejected[0]
        click.echo(
            f"left out {len(prepared.rejected)} value(s) that are not a valid {kind.value} "
            f"(the first, value {position + 1}: {reason})",
            err=True,
        )
    return prepared, key_id


def _write_state(path: Path, state: dict[str, Any]) -> None:
    """The state file: the request's secret key and the values asked with, readable by this user only."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        json.dump(state, file)


def _read_state(path: Path, session_id: str) -> dict[str, Any]:
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NotFound(f"no state file {path}: it is written by `fimihub psi ask`") from None
    except ValueError:
        raise ValidationError("state", f"{path} is not a state file of `fimihub psi ask`") from None
    if not isinstance(state, dict) or state.get("format") != _STATE_FORMAT:
        raise ValidationError("state", f"{path} is not a state file of `fimihub psi ask`")
    if state.get("session") != session_id:
        raise ValidationError(
            "state", f"{path} belongs to session {state.get('session')!r}, not {session_id!r}"
        )
    return state


def _default_state(session_id: str) -> Path:
    return Path(f"{session_id}.psi-state.json")


hub_option = click.option(
    "--hub",
    "hub_url",
    required=True,
    metavar="URL",
    help="The hub's address, e.g. https://hub.example (its REST API is under /api/v1).",
)
token_option = click.option(
    "--token-file",
    required=True,
    type=EXISTING_FILE,
    help="A file holding your API token (read and write scopes).",
)
values_argument = click.argument("values_path", metavar="VALUES", type=EXISTING_FILE)
column_option = click.option(
    "--column",
    help="Read the values from this column of a CSV (with a header) or Parquet file; without it, VALUES has "
    "one value per line.",
)


def state_option(help: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The ``--state`` file of a session, which ``help`` describes (its default said after it)."""
    return click.option(
        "--state", "state_path", type=FILE, help=f"{help} (default: ./SESSION.psi-state.json)."
    )


@click.group()
def psi() -> None:
    """Private matching: test your values against another organisation's set through a hub, without either
    side revealing the values the other does not hold (private set intersection)."""


@psi.command("ask")
@values_argument
@click.option("--to", "responder", required=True, metavar="ORG", help="The organisation whose set to test.")
@click.option(
    "--kind",
    required=True,
    type=click.Choice(sorted(k.value for k in engine.PSI_KINDS)),
    help="What the values are.",
)
@column_option
@click.option(
    "--forum",
    "forum_id",
    help="For account ids, e-mails and phones: the forum (of both organisations) whose key hashes them.",
)
@click.option("--size-only", is_flag=True, help="Learn only how many values are in common, not which.")
@click.option("--note", default="", help="Why you ask, for the other organisation to read.")
@state_option("Where to keep the session's secret key and your values")
@hub_option
@token_option
def psi_ask(
    values_path: Path,
    responder: str,
    kind: str,
    column: str | None,
    forum_id: str | None,
    size_only: bool,
    note: str,
    state_path: Path | None,
    hub_url: str,
    token_file: Path,
) -> None:
    """Open a session to ORG with your VALUES, blinded: the hub and ORG see only how many there are. Keeps
    the key to read the answer in a state file (mode 600) that `fimihub psi result` reads."""
    signal_kind = engine.psi_kind(kind)
    if state_path is not None and state_path.exists():
        raise ValidationError("state", f"{state_path} exists already")
    values = read_values(values_path, column=column, kind=signal_kind)
    with _hub(hub_url, token_file) as call:
        prepared, key_id = _prepared(call, signal_kind, values, forum_id)
        if not prepared.items:
            raise ValidationError("values", f"no valid {kind} value in {values_path}")
        request = engine.client_request(prepared.items, reveal_intersection=not size_only)
        body: dict[str, Any] = {
            "responder_org": responder,
            "kind": signal_kind.value,
            "request": base64.b64encode(request.request).decode("ascii"),
            "reveal_intersection": not size_only,
            "note": note,
        }
        if forum_id is not None and signal_kind.personal:
            body["key_forum_id"] = forum_id
        session = call("POST", "/psi/sessions", body)
    if key_id is not None and session.get("key_id") != key_id:
        raise Conflict("the forum's key changed while the session was opened: ask again")
    path = state_path or _default_state(session["id"])
    _write_state(
        path,
        {
            "format": _STATE_FORMAT,
            "session": session["id"],
            "hub": hub_url,
            "kind": signal_kind.value,
            "reveal_intersection": not size_only,
            "key": base64.b64encode(request.key).decode("ascii"),
            "originals": list(prepared.originals),
        },
    )
    click.echo(session["id"])
    click.echo(f"asked {responder} about {len(prepared.items)} value(s); state in {path}", err=True)


@psi.command("list")
@click.option(
    "--role",
    type=click.Choice(["requester", "responder"]),
    help="Only the sessions you opened (requester) or those addressed to you (responder).",
)
@click.option(
    "--status", type=click.Choice(["open", "answered", "declined"]), help="Only sessions in this state."
)
@hub_option
@token_option
@json_option("Print the sessions as JSON.")
def psi_list(role: str | None, status: str | None, hub_url: str, token_file: Path, as_json: bool) -> None:
    """Your organisation's live sessions (without their messages)."""
    items: list[dict[str, Any]] = []
    after: str | None = None
    with _hub(hub_url, token_file) as call:
        while True:
            params = {k: v for k, v in {"role": role, "status": status, "after": after}.items() if v}
            page = call("GET", "/psi/sessions", params=params)
            items.extend(page["items"])
            after = page.get("next")
            if not after:
                break
    if as_json:
        echo_json(items)
        return
    for s in items:
        mode = "values" if s["reveal_intersection"] else "size only"
        click.echo(
            f"{s['id']}\t{s['status']}\t{s['owner_org']} -> {s['responder_org']}\t{s['kind']}\t"
            f"{s['request_items']} value(s)\t{mode}\texpires {s['expires_at']}\t{s.get('note', '')}"
        )


@psi.command("answer")
@click.argument("session_id", metavar="SESSION")
@values_argument
@column_option
@click.option(
    "--fpr",
    type=click.FloatRange(min=0, max=1, min_open=True, max_open=True),
    default=engine.DEFAULT_FPR,
    show_default=True,
    help="The chance that the asker counts a value you do not hold.",
)
@hub_option
@token_option
def psi_answer(
    session_id: str, values_path: Path, column: str | None, fpr: float, hub_url: str, token_file: Path
) -> None:
    """Answer SESSION, addressed to your organisation, with your VALUES, blinded: the asker learns which of
    its values (or only how many) are among yours, and how many you hold; the hub learns neither set."""
    with _hub(hub_url, token_file) as call:
        session = call("GET", f"/psi/sessions/{session_id}")
        kind = engine.psi_kind(session["kind"])
        values = read_values(values_path, column=column, kind=kind)
        prepared, key_id = _prepared(call, kind, values, session.get("key_forum_id"))
        if key_id is not None and key_id != session.get("key_id"):
            raise Conflict("the forum's key changed since the session was opened: the asker must ask again")
        answer = engine.server_answer(
            prepared.items,
            base64.b64decode(session["request"]),
            reveal_intersection=bool(session["reveal_intersection"]),
            fpr=fpr,
        )
        call(
            "POST",
            f"/psi/sessions/{session_id}/answer",
            {
                "setup": base64.b64encode(answer.setup).decode("ascii"),
                "response": base64.b64encode(answer.response).decode("ascii"),
            },
        )
    click.echo(
        f"answered {session_id} from {session['owner_org']} ({session['request_items']} value(s) asked) "
        f"with {len(prepared.items)} value(s)",
        err=True,
    )


@psi.command("decline")
@click.argument("session_id", metavar="SESSION")
@click.option("--reason", default="", help="Why, for the asker to read.")
@hub_option
@token_option
def psi_decline(session_id: str, reason: str, hub_url: str, token_file: Path) -> None:
    """Decline SESSION, addressed to your organisation."""
    with _hub(hub_url, token_file) as call:
        call("POST", f"/psi/sessions/{session_id}/decline", {"reason": reason})
    click.echo(f"declined {session_id}", err=True)


@psi.command("result")
@click.argument("session_id", metavar="SESSION")
@state_option("The state file `fimihub psi ask` wrote")
@click.option("--out", type=FILE, help="Write the values in common here.")
@hub_option
@token_option
@json_option("Print the result as JSON.")
def psi_result(
    session_id: str, state_path: Path | None, out: Path | None, hub_url: str, token_file: Path, as_json: bool
) -> None:
    """Read the answer to SESSION and compute, here, which of your values (or how many) the other
    organisation holds. Exits with status 7 while the session is not answered (or was declined)."""
    state = _read_state(state_path or _default_state(session_id), session_id)
    with _hub(hub_url, token_file) as call:
        session = call("GET", f"/psi/sessions/{session_id}")
    if session["status"] == "declined":
        reason = session.get("decline_reason") or "no reason given"
        raise Conflict(f"{session['responder_org']} declined: {reason}")
    if session["status"] != "answered":
        raise Conflict(
            f"{session['responder_org']} has not answered yet (the session expires {session['expires_at']})"
        )
    originals: list[str] = list(state["originals"])
    result = engine.client_result(
        base64.b64decode(state["key"]),
        base64.b64decode(session["setup"]),
        base64.b64decode(session["response"]),
        reveal_intersection=bool(state["reveal_intersection"]),
        items=len(originals),
    )
    common = result.values(originals) if result.indices is not None else None
    if out is not None and common is not None:
        out.write_text("".join(f"{v}\n" for v in common), encoding="utf-8")
    if as_json:
        echo_json({"session": session_id, "asked": len(originals), "size": result.size, "values": common})
        return
    if common is not None and out is None:
        for value in common:
            click.echo(value)
    click.echo(
        f"{result.size} of your {len(originals)} value(s) are in {session['responder_org']}'s set", err=True
    )
