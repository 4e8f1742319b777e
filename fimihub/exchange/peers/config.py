"""What a peer is: another hub, or any TAXII 2.1 server, that this hub pulls objects from or pushes them to.

A peer has a name (the hub's own handle for it), the URL of the remote *API root*, and links between remote
collections and local forums: objects pulled from the remote collection are stored in the forum's
collection, and objects of the forum's collection are pushed to the remote one. ``direction`` says which of
the two happen. Objects pulled from a peer are owned, in this hub, by ``owner_org``: the local organisation
that stands for the peer (so the access policy decides who reads them, as for anything a member posts).

Credentials are an API token (sent as ``Authorization: Bearer``), a user name and password (HTTP Basic), or
nothing. The secret is either kept in the store or named by an environment variable read at sync time.
"""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from fimihub.errors import ValidationError

__all__ = ["DEFAULT_PAGE_SIZE", "CollectionLink", "Credentials", "Direction", "Peer"]

#: Objects asked for per page when the peer's configuration names no page size.
DEFAULT_PAGE_SIZE = 500
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,62}$")
_ENV = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class Direction(StrEnum):
    """Which way objects travel between this hub and a peer."""

    PULL = "pull"
    PUSH = "push"
    BOTH = "both"

    @property
    def pulls(self) -> bool:
        return self is not Direction.PUSH

    @property
    def pushes(self) -> bool:
        return self is not Direction.PULL


@dataclass(frozen=True, slots=True)
class Credentials:
    """How this hub signs in to a peer: ``scheme`` is ``none``, ``bearer`` (an API token) or ``basic``.

    The secret (token or password) is ``secret``, or read from the environment variable ``secret_env``.
    """

    scheme: str = "none"
    user: str | None = None
    secret: str | None = None
    secret_env: str | None = None

    def __post_init__(self) -> None:
        if self.scheme not in ("none", "bearer", "basic"):
            raise ValidationError("credentials.scheme", "must be none, bearer or basic")
        if self.scheme == "none":
            if self.user or self.secret or self.secret_env:
                raise ValidationError("credentials", "give a token, or a user and password")
            return
        if (self.secret is None) == (self.secret_env is None):
            raise ValidationError("credentials", "give the secret, or the environment variable holding it")
        if self.secret_env is not None and not _ENV.match(self.secret_env):
            raise ValidationError("credentials.secret_env", "must be an environment variable name")
        if self.scheme == "basic" and not self.user:
            raise ValidationError("credentials.user", "HTTP Basic needs a user name")

    def headers(self, environ: Mapping[str, str] | None = None) -> dict[str, str]:
        """The ``Authorization`` header to send (none for ``none``); reads ``secret_env`` now."""
        if self.scheme == "none":
            return {}
        secret = self.secret
        if self.secret_env is not None:
            secret = (os.environ if environ is None else environ).get(self.secret_env)
            if not secret:
                raise ValidationError("credentials", f"the environment variable {self.secret_env} is not set")
        assert secret is not None
        if self.scheme == "bearer":
            return {"Authorization": f"Bearer {secret}"}

        pair = base64.b64encode(f"{self.user}:{secret}".encode()).decode("ascii")
        return {"Authorization": f"Basic {pair}"}

    def describe(self) -> str:
        """What a listing may show: the scheme, the user, and where the secret is — never the secret."""
        if self.scheme == "none":
            return "none"
        where = f"${self.secret_env}" if self.secret_env else "stored"
        who = f" {self.user}" if self.user else ""
        return f"{self.scheme}{who} ({where})"

    def as_json(self) -> dict[str, Any]:
        return {
            k: v
            for k, v in (
                ("scheme", self.scheme),
                ("user", self.user),
                ("secret", self.secret),
                ("secret_env", self.secret_env),
            )
            if v is not None
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Credentials:
        return cls(
            scheme=str(data.get("scheme", "none")),
            user=data.get("user"),
            secret=data.get("secret"),
            secret_env=data.get("secret_env"),
        )


@dataclass(frozen=True, slots=True)
class CollectionLink:
    """A remote collection (by its TAXII id) and the local forum whose collection it syncs with."""

    remote: str
    forum_id: str

    def __post_init__(self) -> None:
        if not self.remote or "/" in self.remote or self.remote != self.remote.strip():
            raise ValidationError("collections", f"{self.remote!r} is not a TAXII collection id")
        if not self.forum_id.startswith("forum--"):
            raise ValidationError("collections", f"{self.forum_id!r} is not a forum id (forum--…)")

    @classmethod
    def parse(cls, text: str) -> CollectionLink:
        """``REMOTE_ID=FORUM_ID``, as the command line takes it."""
        remote, sep, forum_id = text.partition("=")
        if not sep:
            raise ValidationError("collections", f"{text!r}: write REMOTE_COLLECTION_ID=FORUM_ID")
        return cls(remote.strip(), forum_id.strip())

    def __str__(self) -> str:
        return f"{self.remote}={self.forum_id}"


@dataclass(frozen=True, slots=True)
class Peer:
    """A configured peer. ``api_root`` always ends with ``/``."""

    name: str
    api_root: str
    links: tuple[CollectionLink, ...]
    owner_org: str
    direction: Direction = Direction.PULL
    credentials: Credentials = field(default_factory=Credentials)
    page_size: int = DEFAULT_PAGE_SIZE

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ValidationError("name", "must be 1 to 63 characters of a-z, 0-9, '.', '_' and '-'")
        parts = urlsplit(self.api_root)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
            raise ValidationError("api_root", "must be the http(s) URL of a TAXII 2.1 API root")
        if not self.api_root.endswith("/"):
            object.__setattr__(self, "api_root", self.api_root + "/")
        if not self.links:
            raise ValidationError("collections", "link at least one remote collection to a local forum")
        remotes = [link.remote for link in self.links]
        if len(set(remotes)) != len(remotes):
            raise ValidationError("collections", "each remote collection may be linked once")
        if not self.owner_org.startswith("organisation--"):
            raise ValidationError("owner_org", "must be an organisation id (organisation--…)")
        if not 1 <= self.page_size <= 10_000:
            raise ValidationError("page_size", "must be between 1 and 10000")
        object.__setattr__(self, "direction", Direction(self.direction))

    @classmethod
    def build(
        cls,
        name: str,
        api_root: str,
        collections: Sequence[str | CollectionLink],
        *,
        owner_org: str,
        direction: Direction | str = Direction.PULL,
        credentials: Credentials | None = None,
        page_size: int | None = None,
    ) -> Peer:
        """A peer from command-line style values (``collections`` as ``REMOTE_ID=FORUM_ID``)."""
        try:
            chosen = Direction(direction)
        except ValueError:
            raise ValidationError("direction", "must be pull, push or both") from None
        return cls(
            name=name,
            api_root=api_root,
            links=tuple(c if isinstance(c, CollectionLink) else CollectionLink.parse(c) for c in collections),
            owner_org=owner_org,
            direction=chosen,
            credentials=credentials or Credentials(),
            page_size=page_size or DEFAULT_PAGE_SIZE,
        )

    def as_json(self) -> dict[str, Any]:
        """The configuration without the credentials' secret."""
        return {
            "name": self.name,
            "api_root": self.api_root,
            "collections": [{"remote": link.remote, "forum_id": link.forum_id} for link in self.links],
            "owner_org": self.owner_org,
            "direction": self.direction.value,
            "page_size": self.page_size,
            "credentials": self.credentials.describe(),
        }

    @classmethod
    def from_json(cls, body: Mapping[str, Any], credentials: Mapping[str, Any]) -> Peer:
        return cls(
            name=body["name"],
            api_root=body["api_root"],
            links=tuple(CollectionLink(c["remote"], c["forum_id"]) for c in body["collections"]),
            owner_org=body["owner_org"],
            direction=Direction(body["direction"]),
            credentials=Credentials.from_json(credentials),
            page_size=int(body.get("page_size", DEFAULT_PAGE_SIZE)),
        )
