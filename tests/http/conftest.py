"""An HTTP client over the hub's ASGI app, in-process (same code path as a real server)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from fimihub.app import create_app
from tests.conftest import Cast


@pytest.fixture
def client(cast: Cast) -> Iterator[TestClient]:
    with TestClient(create_app(hub=cast.hub), raise_server_exceptions=False) as c:
        yield c


def bearer(cast: Cast, member_id: str, **kwargs: object) -> dict[str, str]:
    issued = cast.hub.admin.issue_token(cast.hub.operator(), member_id, **kwargs)  # type: ignore[arg-type]
    return {"Authorization": f"Bearer {issued.secret}"}
