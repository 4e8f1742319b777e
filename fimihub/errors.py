"""The one error tree of fimihub.

Every error the package raises on purpose is a :class:`FimihubError`. The core never thinks in HTTP status
codes or exit codes; the edges (``http.api``, ``http.taxii``, ``http.console``, ``cli``) translate with
:func:`http_status` and :func:`exit_code`, which read the two class attributes below.

    FimihubError
    ├── ValidationError        input that breaks a rule; names the field (400 / exit 2)
    ├── AuthenticationError    no credentials, unknown, expired or revoked token (401 / exit 5)
    ├── PermissionDenied       a known member asked for something its role, organisation,
    │                          forum membership or the record's markings do not allow (403 / exit 6)
    ├── NotFound               no such record, or none the caller may see (404 / exit 3)
    ├── Conflict               the record exists already or changed underneath (409 / exit 7)
    ├── PayloadTooLarge        a body or file above the configured limit (413 / exit 2)
    ├── RateLimited            a credential sent more requests than its rate allows (429 / exit 9)
    ├── StoreError             the store could not be reached or migrated (503 / exit 8)
    └── IntegrityError         a tamper-evident structure does not verify, e.g. the audit chain (500 / exit 4)
"""

from __future__ import annotations

__all__ = [
    "AuthenticationError",
    "Conflict",
    "FimihubError",
    "IntegrityError",
    "NotFound",
    "PayloadTooLarge",
    "PermissionDenied",
    "RateLimited",
    "StoreError",
    "ValidationError",
    "exit_code",
    "http_status",
]


class FimihubError(Exception):
    """Base of every error fimihub raises on purpose."""

    http_status: int = 500
    exit_code: int = 1
    code: str = "error"

    def __init_subclass__(
        cls, *, http_status: int | None = None, exit_code: int | None = None, code: str | None = None
    ) -> None:
        """A kind of error names its HTTP status, exit code and ``code`` in its class statement; what it
        leaves out it inherits."""
        super().__init_subclass__()
        cls.http_status = cls.http_status if http_status is None else http_status
        cls.exit_code = cls.exit_code if exit_code is None else exit_code
        cls.code = cls.code if code is None else code

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def to_dict(self) -> dict[str, object]:
        """The error as the API envelope's ``error`` member."""
        return {"code": self.code, "message": self.message}


class ValidationError(FimihubError, http_status=400, exit_code=2, code="invalid"):
    """Raised when input breaks a rule. ``field`` names what is wrong (dotted path, e.g. ``marking.tlp``)."""

    def __init__(self, field: str, message: str, *, errors: list[tuple[str, str]] | None = None) -> None:
        self.field = field
        self.errors = errors if errors is not None else [(field, message)]
        text = "; ".join(f"{f}: {m}" for f, m in self.errors)
        super().__init__(text)

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "message": self.message,
            "field": self.field,
            "errors": [{"field": f, "message": m} for f, m in self.errors],
        }


class AuthenticationError(FimihubError, http_status=401, exit_code=5, code="unauthenticated"):
    """Raised when a request carries no credentials, or a token that is unknown, expired or revoked."""


class PermissionDenied(FimihubError, http_status=403, exit_code=6, code="forbidden"):
    """Raised when the caller is known but its role, organisation, forums or the markings forbid the act."""


class NotFound(FimihubError, http_status=404, exit_code=3, code="not_found"):
    """Raised when a record does not exist, or exists but the caller may not know it does."""


class Conflict(FimihubError, http_status=409, exit_code=7, code="conflict"):
    """Raised when a record with that identity exists already, or was changed by someone else."""


class PayloadTooLarge(FimihubError, http_status=413, exit_code=2, code="too_large"):
    """Raised when a body, field or file is above its configured limit."""


class RateLimited(FimihubError, http_status=429, exit_code=9, code="rate_limited"):
    """Raised when a credential (a token, or a client address without one) is over its request rate;
    ``retry_after`` is how many seconds until the next request would be accepted."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class StoreError(FimihubError, http_status=503, exit_code=8, code="store_unavailable"):
    """Raised when the store cannot be opened, reached or migrated."""


class IntegrityError(FimihubError, http_status=500, exit_code=4, code="integrity"):
    """Raised when a tamper-evident structure (the audit chain, a signature) does not verify."""


def http_status(error: FimihubError) -> int:
    """The HTTP status an edge answers with for ``error``."""
    return error.http_status


def exit_code(error: FimihubError) -> int:
    """The process exit code the CLI ends with for ``error``."""
    return error.exit_code
