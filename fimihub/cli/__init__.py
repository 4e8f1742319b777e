"""The ``fimihub`` command: option parsing over :class:`fimihub.Hub`, errors mapped to exit codes here."""

from __future__ import annotations

import click

from fimihub.cli.admin import forum, member, org, token
from fimihub.cli.common import cli
from fimihub.cli.coordination import coordination
from fimihub.cli.demo import demo
from fimihub.cli.gov_requests import gov_request
from fimihub.cli.importing import disclosure, import_group
from fimihub.cli.ops import audit, db, retention
from fimihub.cli.pdq import pdq
from fimihub.cli.peer import peer
from fimihub.cli.privacy import privacy
from fimihub.cli.psi import psi
from fimihub.cli.report import report
from fimihub.cli.resurgence import resurgence
from fimihub.cli.review import review
from fimihub.cli.scan import matches, scan
from fimihub.cli.serve import serve
from fimihub.cli.sim import sim
from fimihub.cli.workflows import case, lead, operation
from fimihub.errors import FimihubError, ValidationError, exit_code

__all__ = ["cli", "main"]

for command in (
    serve,
    demo,
    db,
    org,
    member,
    forum,
    token,
    audit,
    privacy,
    gov_request,
    psi,
    report,
    retention,
    scan,
    matches,
    review,
    lead,
    case,
    operation,
    pdq,
    coordination,
    resurgence,
    sim,
    peer,
    import_group,
    disclosure,
):
    cli.add_command(command)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 on success)."""
    try:
        cli.main(args=argv, prog_name="fimihub", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return 130
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except FimihubError as exc:
        prefix = (
            f"error: {exc.field}: "
            if isinstance(exc, ValidationError) and len(exc.errors) == 1
            else "error: "
        )
        text = exc.errors[0][1] if isinstance(exc, ValidationError) and len(exc.errors) == 1 else exc.message
        click.echo(prefix + text, err=True)
        return exit_code(exc)
    return 0
