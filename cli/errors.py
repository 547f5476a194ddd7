"""The one place where ladder's exceptions become click errors.

Failures exit 1 with one line on stderr; misuse exits 2; nobody sees a traceback.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click
from sqlalchemy.exc import SQLAlchemyError

from ladder.errors import AmbiguousError, LadderError, MisuseError


@contextmanager
def translated_errors() -> Iterator[None]:
    try:
        yield
    except MisuseError as exc:
        raise click.UsageError(str(exc)) from None
    except AmbiguousError as exc:
        lines = [str(exc), *(f"  {c}" for c in exc.candidates)]
        raise click.ClickException("\n".join(lines)) from None
    except LadderError as exc:
        raise click.ClickException(str(exc)) from None
    except SQLAlchemyError as exc:
        raise click.ClickException(f"database error: {_first_line(exc)}") from None


def _first_line(exc: SQLAlchemyError) -> str:
    original = getattr(exc, "orig", None) or exc
    text = str(original).strip().splitlines()
    return text[0] if text else type(original).__name__


class Interrupted(click.ClickException):
    exit_code = 130  # 128 + SIGINT, as shells report Ctrl-C


def interrupted(saved: int) -> click.ClickException:
    """What Ctrl-C did, instead of click's bare "Aborted!" (exit 1): Python delivers it after
    a commit returns, so the work may be saved. ``saved``: commits of the command so far."""
    if saved:
        message = "interrupted after the changes were saved (nothing lost): check the result"
    else:
        message = "interrupted: nothing was changed"
    return Interrupted(message)
