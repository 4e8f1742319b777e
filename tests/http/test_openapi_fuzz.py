"""Schemathesis over the REST API, in-process: whatever the OpenAPI description admits — and a few things it
does not — the hub never answers with a 5xx. A bounded number of examples per operation, derandomised, so
that it runs in well under a minute and fails the same way twice.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable

from fimihub.app import create_app
from tests.conftest import Cast

schemathesis = pytest.importorskip("schemathesis")

from schemathesis import GenerationMode  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402

#: Examples per operation, for data the description admits and for data it does not.
_EXAMPLES = {GenerationMode.POSITIVE: 12, GenerationMode.NEGATIVE: 6}


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_no_operation_answers_with_a_server_error(cast: Cast) -> None:
    cast.hub.settings = cast.hub.settings.replace(rate_limit_per_minute=0)  # a 429 would hide the rest
    secret = cast.hub.admin.issue_token(cast.hub.operator(), cast.admin_o.member.id).secret
    headers = {"Authorization": f"Bearer {secret}"}
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(hub=cast.hub))
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode, examples in _EXAMPLES.items():

            @settings(
                max_examples=examples,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(mode))
            def run(case: Any) -> None:
                case.call_and_validate(headers=headers, checks=[not_a_server_error])

            try:
                run()
            except Unsatisfiable:
                pass  # nothing about this operation can be made invalid (a path of plain strings)
            except Exception as failure:  # every failure is reported, not only the first
                failures.append(f"{operation.method.upper()} {operation.path} ({mode.value}): {failure}")
    assert operations > 30
    assert not failures, "\n\n".join(failures)
