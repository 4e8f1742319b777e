"""The analyst console: server-rendered pages over the hub, signed in with an API token."""

from fimihub.http.console.console import console_router, mount_static

__all__ = ["console_router", "mount_static"]
