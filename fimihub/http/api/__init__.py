"""The REST API under ``/api/v1``: thin routes over :class:`fimihub.Hub`, one error envelope."""

from __future__ import annotations

from fastapi import APIRouter

from fimihub.http.api.admin import admin_router
from fimihub.http.api.coordination import coordination_router
from fimihub.http.api.errors import ERROR_RESPONSES, envelope, install_error_handlers
from fimihub.http.api.matching import matching_router
from fimihub.http.api.privacy import privacy_router
from fimihub.http.api.psi import psi_router
from fimihub.http.api.records import record_routers
from fimihub.http.api.safeguards import safeguards_router

__all__ = ["api_router", "envelope", "install_error_handlers"]


def api_router() -> APIRouter:
    """All REST routes, to be mounted at ``/api/v1``; each documents the error envelope of its failures."""
    router = APIRouter(responses=ERROR_RESPONSES)
    router.include_router(admin_router())
    router.include_router(matching_router())
    router.include_router(coordination_router())
    router.include_router(privacy_router())
    router.include_router(psi_router())
    router.include_router(safeguards_router())
    for sub in record_routers():
        router.include_router(sub)
    return router
