"""The TAXII 2.1 endpoints: each one reads the HTTP request, calls the hub, and writes the TAXII resource.

Every endpoint answers with ``application/taxii+json;version=2.1`` and turns every failure into a TAXII error
resource. Who may see or change what is the hub's (and its access policy's) business, never decided here.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from fimihub import jsontext
from fimihub.errors import FimihubError, PayloadTooLarge, PermissionDenied, ValidationError
from fimihub.exchange.media import STIX_MEDIA_TYPE, TAXII_MEDIA_TYPE
from fimihub.http.credentials import TAXII_SCHEMES, token_from_header
from fimihub.http.state import hub_of
from fimihub.http.taxii.errors import (
    TaxiiRefusal,
    error_response,
    refusal_response,
    unexpected_response,
)
from fimihub.http.taxii.media import check_accept, check_content_type
from fimihub.hub import Caller, Hub
from fimihub.hub.taxii import StixCollection, StixFilters, StixPage, stix_timestamp

__all__ = ["API_ROOT", "taxii_routes"]

log = logging.getLogger("fimihub.taxii")

#: The one API root, under the server's ``/taxii2/``.
API_ROOT = "exchange"

Handler = Callable[[Request, Hub, Caller], Awaitable[Response]]


def taxii_routes() -> list[BaseRoute]:
    """The routes of the TAXII server, relative to where it is mounted (``/taxii2``)."""
    root = f"/{API_ROOT}"
    collection = f"{root}/collections/{{collection_id}}"
    obj = f"{collection}/objects/{{object_id}}"
    routes: list[BaseRoute] = [Route("/", _endpoint(_discovery), methods=["GET"])]
    for path, handler, methods in [
        (root, _api_root, ["GET"]),
        (f"{root}/collections", _collections, ["GET"]),
        (collection, _collection, ["GET"]),
        (f"{collection}/objects", _objects, ["GET", "POST"]),
        (obj, _object, ["GET", "DELETE"]),
        (f"{obj}/versions", _versions, ["GET"]),
        (f"{collection}/manifest", _manifest, ["GET"]),
        (f"{root}/status/{{status_id}}", _status, ["GET"]),
    ]:
        # Both spellings answer directly: a redirect would make some clients drop the credentials or the body.
        routes.append(Route(f"{path}/", _endpoint(handler), methods=methods))
        routes.append(Route(path, _endpoint(handler), methods=methods))
    return routes


def _endpoint(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """Authenticate, negotiate the media type, run ``handler``; whatever goes wrong becomes a TAXII error."""

    async def endpoint(request: Request) -> Response:
        hub = hub_of(request)
        try:
            secret = token_from_header(request.headers.get("authorization"), TAXII_SCHEMES)
            by = await run_in_threadpool(hub.admin.authenticate, secret)
            check_accept(request.headers.get("accept"))
            return await handler(request, hub, by)
        except TaxiiRefusal as refusal:
            return refusal_response(refusal)
        except FimihubError as error:
            return error_response(error)
        except Exception:
            log.exception("unexpected error on %s %s", request.method, request.url.path)
            return unexpected_response()

    return endpoint


# -- server information --------------------------------------------------------------------------------------


async def _discovery(request: Request, hub: Hub, by: Caller) -> Response:
    root = _api_root_url(request)
    return _taxii(
        {
            "title": hub.settings.hub_name,
            "description": "Exchange about covert influence operations: one collection per forum.",
            "default": root,
            "api_roots": [root],
        }
    )


async def _api_root(request: Request, hub: Hub, by: Caller) -> Response:
    return _taxii(
        {
            "title": f"{hub.settings.hub_name} exchange",
            "description": "The forums of this hub, as TAXII collections.",
            "versions": [TAXII_MEDIA_TYPE],
            "max_content_length": hub.settings.max_content_length,
        }
    )


async def _status(request: Request, hub: Hub, by: Caller) -> Response:
    status = await run_in_threadpool(hub.taxii.status, by, request.path_params["status_id"])
    return _taxii(status.resource())


# -- collections ---------------------------------------------------------------------------------------------


async def _collections(request: Request, hub: Hub, by: Caller) -> Response:
    found = await run_in_threadpool(hub.taxii.collections, by)
    return _taxii({"collections": [_collection_resource(c) for c in found]} if found else {})


async def _collection(request: Request, hub: Hub, by: Caller) -> Response:
    found = await run_in_threadpool(hub.taxii.collection, by, request.path_params["collection_id"])
    return _taxii(_collection_resource(found))


def _collection_resource(collection: StixCollection) -> dict[str, Any]:
    data: dict[str, Any] = {"id": collection.id, "title": collection.title}
    if collection.description:
        data["description"] = collection.description
    data.update(
        can_read=collection.can_read, can_write=collection.can_write, media_types=list(collection.media_types)
    )
    return data


# -- objects -------------------------------------------------------------------------------------------------


async def _objects(request: Request, hub: Hub, by: Caller) -> Response:
    collection_id = request.path_params["collection_id"]
    if request.method == "POST":
        return await _add_objects(request, hub, by, collection_id)
    page = await run_in_threadpool(hub.taxii.objects, by, collection_id, _filters(request))
    return _page(page, "objects", [e.body for e in page.entries])


async def _add_objects(request: Request, hub: Hub, by: Caller, collection_id: str) -> Response:
    collection = await run_in_threadpool(hub.taxii.collection, by, collection_id)
    if not collection.can_write:
        raise PermissionDenied(f"you may not add objects to collection {collection_id}")
    check_content_type(request.headers.get("content-type"))
    body = await _body(request, hub.settings.max_content_length)
    try:
        envelope = jsontext.loads_limited(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise TaxiiRefusal(400, f"the body is not JSON: {error}") from None
    except jsontext.JsonRefused as refused:
        # Deeper than any envelope needs, a number no STIX property holds, text no store can keep.
        raise ValidationError(refused.field, refused.reason) from None
    if not isinstance(envelope, dict) or not isinstance(envelope.get("objects"), list):
        raise TaxiiRefusal(422, "the body must be a TAXII envelope: a JSON object with an `objects` list")
    status = await run_in_threadpool(hub.taxii.add, by, collection_id, envelope["objects"])
    return _taxii(status.resource(), status_code=202)


async def _object(request: Request, hub: Hub, by: Caller) -> Response:
    collection_id, object_id = request.path_params["collection_id"], request.path_params["object_id"]
    if request.method == "DELETE":
        filters = _filters(request)
        await run_in_threadpool(
            lambda: hub.taxii.delete(
                by, collection_id, object_id, versions=filters.versions, spec_versions=filters.spec_versions
            )
        )
        return Response(status_code=200, media_type=TAXII_MEDIA_TYPE)
    page = await run_in_threadpool(hub.taxii.object, by, collection_id, object_id, _filters(request))
    return _page(page, "objects", [e.body for e in page.entries])


async def _versions(request: Request, hub: Hub, by: Caller) -> Response:
    collection_id, object_id = request.path_params["collection_id"], request.path_params["object_id"]
    page = await run_in_threadpool(hub.taxii.versions, by, collection_id, object_id, _filters(request))
    return _page(page, "versions", [e.version for e in page.entries])


async def _manifest(request: Request, hub: Hub, by: Caller) -> Response:
    page = await run_in_threadpool(
        hub.taxii.manifest, by, request.path_params["collection_id"], _filters(request)
    )
    records = [
        {
            "id": e.stix_id,
            "date_added": stix_timestamp(e.added_us),
            "version": e.version,
            "media_type": STIX_MEDIA_TYPE,
        }
        for e in page.entries
    ]
    return _page(page, "objects", records)


# -- helpers -------------------------------------------------------------------------------------------------


def _filters(request: Request) -> StixFilters:
    """The TAXII filters of the query string; ``match[…]`` values may be repeated or comma-separated."""
    query = request.query_params
    raw_limit = query.get("limit")
    limit: int | None = None
    if raw_limit is not None:
        try:
            limit = int(raw_limit)
        except ValueError:
            raise ValidationError("limit", "must be a positive integer") from None

    def listed(name: str) -> tuple[str, ...]:
        return tuple(v.strip() for value in query.getlist(name) for v in value.split(",") if v.strip())

    return StixFilters(
        added_after=query.get("added_after"),
        limit=limit,
        next=query.get("next"),
        ids=listed("match[id]"),
        types=listed("match[type]"),
        versions=listed("match[version]"),
        spec_versions=listed("match[spec_version]"),
    )


async def _body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it is known to be above ``limit`` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"the envelope is above max_content_length ({limit} bytes)")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"the envelope is above max_content_length ({limit} bytes)")
        chunks.append(chunk)
    return b"".join(chunks)


def _page(page: StixPage, key: str, items: list[Any]) -> Response:
    """An envelope, manifest or versions resource, with the ``date_added`` range of the page in headers."""
    data: dict[str, Any] = {"more": page.more}
    if page.next is not None:
        data["next"] = page.next
    if items:
        data[key] = items
    headers: dict[str, str] = {}
    if page.entries:
        headers["X-TAXII-Date-Added-First"] = page.date_added_first or ""
        headers["X-TAXII-Date-Added-Last"] = page.date_added_last or ""
    return _taxii(data, headers=headers)


def _taxii(
    data: dict[str, Any], *, status_code: int = 200, headers: dict[str, str] | None = None
) -> Response:
    content = jsontext.dumps(data).encode("utf-8")
    return Response(content, status_code=status_code, media_type=TAXII_MEDIA_TYPE, headers=headers)


def _api_root_url(request: Request) -> str:
    """The API root's absolute URL: the hub's base URL, where this server is mounted, and the root's name."""
    mounted = str(request.scope.get("root_path", "")).removeprefix(
        str(request.scope.get("app_root_path", ""))
    )
    return f"{str(request.base_url).rstrip('/')}{mounted}/{API_ROOT}/"
