"""The REST API under ``/api/v1``: thin routes over :class:`fimihub.Hub`, one error envelope."""

from __future__ import annotations

from fastapi import APIRouter

from fimihub.http.api.admin import admin_router
from fimihub.http.api.cases import cases_router
from fimihub.http.api.coordination import coordination_router
from fimihub.http.api.disclosures import disclosures_router
from fimihub.http.api.errors import ERROR_RESPONSES, envelope, install_error_handlers
from fimihub.http.api.leads import leads_router
from fimihub.http.api.lifecycle import lifecycle_router
from fimihub.http.api.matching import matching_router
from fimihub.http.api.privacy import privacy_router
from fimihub.http.api.psi import psi_router
from fimihub.http.api.records import record_routers
from fimihub.http.api.reports import reports_router
from fimihub.http.api.review import review_router
from fimihub.http.api.safeguards import safeguards_router

__all__ = ["api_router", "envelope", "install_error_handlers"]


def api_router() -> APIRouter:
    """All REST routes, to be mounted at ``/api/v1``; each documents the error envelope of its failures."""
    router = APIRouter(responses=ERROR_RESPONSES)
    router.include_router(admin_router())
    router.include_router(matching_router())
    router.include_router(review_router())
    router.include_router(coordination_router())
    router.include_router(privacy_router())
    router.include_router(psi_router())
    router.include_router(safeguards_router())
    router.include_router(reports_router())
    router.include_router(disclosures_router())
    router.include_router(leads_router())  # before the record routes: /leads/triage is no lead id
    router.include_router(lifecycle_router())
    router.include_router(cases_router())  # before the record routes: POST /cases opens with a checklist
    for sub in record_routers():
        router.include_router(sub)
    return router
