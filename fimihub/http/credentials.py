"""The one reader of ``Authorization`` headers: which API token a request carries, for every edge.

Each edge names the schemes it accepts. REST takes ``Bearer <token>`` and HTTP Basic (any user name, the
token as password); TAXII takes those two and ``Token <token>`` (the OASIS client's ``TokenAuth``). Scheme
names are case-insensitive (RFC 9110). A header in any other form, or HTTP Basic credentials that are not
base64 of UTF-8 text, is refused with :class:`~fimihub.errors.AuthenticationError` (a 401) whose message
never repeats the header: a client that sends a bare token would otherwise see its secret in the answer (and
in logs).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Collection

from fimihub.errors import AuthenticationError

__all__ = ["REST_SCHEMES", "TAXII_SCHEMES", "token_from_header"]

#: The schemes the REST API accepts, lower case.
REST_SCHEMES = frozenset({"basic", "bearer"})
#: The schemes the TAXII server accepts, lower case: what TAXII clients send.
TAXII_SCHEMES = frozenset({"basic", "bearer", "token"})
#: How a refusal names each scheme, in the order it names them.
_NAMES = {"bearer": "Bearer", "basic": "HTTP Basic with the API token as password", "token": "Token"}


def token_from_header(value: str | None, schemes: Collection[str]) -> str:
    """The token secret an ``Authorization`` header ``value`` carries in one of ``schemes`` (lower-case
    names among ``basic``, ``bearer`` and ``token``); ``""`` when there is no header, so that the hub answers
    that a token is missing."""
    if not value:
        return ""
    scheme, _, credentials = value.strip().partition(" ")
    scheme = scheme.lower()
    if scheme not in schemes:
        names = " or ".join(name for s, name in _NAMES.items() if s in schemes)
        raise AuthenticationError(f"unsupported authorization scheme; use {names}")
    if scheme != "basic":
        return credentials.strip()
    try:
        decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise AuthenticationError("malformed HTTP Basic credentials") from None
    return decoded.partition(":")[2]
