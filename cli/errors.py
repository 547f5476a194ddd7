"""The one place where ladder's exceptions become click errors.

Failures exit 1 with one line on stderr; misuse exits 2; nobody sees a traceback, and no
message shows a password (a database URL's is replaced by ``***``).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click

from ladder.domain.text import shown_safely
from ladder.errors import AmbiguousError, LadderError, MisuseError

# user:password@ in a URL, and password=... in a libpq connection string
_URL_PASSWORD = re.compile(r"(?P<keep>[A-Za-z][A-Za-z0-9+.\-]*://[^:/@\s]*:)\S*@")
_KEY_PASSWORD = re.compile(r"(?P<keep>\bpassword\s*=\s*)('[^']*'|\S+)", re.IGNORECASE)


@contextmanager
def translated_errors() -> Iterator[None]:
    try:
        yield
    except click.ClickException as exc:  # click's own (it echoes a bad value as typed)
        lines = exc.message.split("\n")  # a message of several lines keeps them
        exc.message = "\n".join(_shown(line) for line in lines)  # type: ignore[misc]
        raise
    except MisuseError as exc:
        raise click.UsageError(_shown(str(exc))) from None
    except AmbiguousError as exc:
        lines = [_shown(str(exc)), *(f"  {_shown(c)}" for c in exc.candidates)]
        raise click.ClickException("\n".join(lines)) from None
    except LadderError as exc:
        raise click.ClickException(_shown(str(exc))) from None
    except ValueError as exc:
        if not str(exc).startswith("embedded null"):  # Python on a NUL in a path or a name
            raise
        raise click.UsageError(
            "a value given (a file name, an encoding) contains a NUL byte: remove it"
        ) from None
    except BrokenPipeError:  # `ladder people list | head`: the reader has what it wanted
        _quiet_stdout()
        raise click.exceptions.Exit(1) from None
    except OSError as exc:  # a file ladder was pointed at (a name too long for the disk...)
        where = f"{exc.filename}: " if exc.filename else ""
        raise click.ClickException(_shown(f"{where}{exc.strerror or exc}")) from None
    except OverflowError:  # a number or date too large for the database or the calendar
        raise click.ClickException(
            "a number or date given is out of range: check the values given"
        ) from None
    except Exception as exc:  # SQLAlchemy's (no SQLAlchemyError is one of the builtins above)
        problem = _database_problem(exc)
        if problem is None:
            raise
        raise click.ClickException(problem) from None


def _database_problem(exc: Exception) -> str | None:
    """The line for an SQLAlchemy error, None for anything else. SQLAlchemy is not imported
    here (`ladder --help` does without it): if nothing imported it, nothing raised its errors."""
    sqlalchemy_exc = sys.modules.get("sqlalchemy.exc")
    if sqlalchemy_exc is None or not isinstance(exc, sqlalchemy_exc.SQLAlchemyError):
        return None
    if isinstance(exc, sqlalchemy_exc.DataError):  # a value the database refuses: one that
        # no check caught first
        return f"the database refused a value: {_first_line(exc)}: check the values given"
    return f"database error: {_first_line(exc)}"


def _quiet_stdout() -> None:
    """Point stdout at /dev/null, so Python's flush at exit does not fail on the closed pipe
    again (https://docs.python.org/3/library/signal.html#note-on-sigpipe)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def without_passwords(text: str) -> str:
    """``text`` with any password in a URL (``scheme://user:***@``) or a connection string
    (``password=***``) hidden."""
    text = _URL_PASSWORD.sub(r"\g<keep>***@", text)
    return _KEY_PASSWORD.sub(r"\g<keep>***", text)


def _shown(message: str) -> str:
    """A message as one line a terminal can show: no password, control characters (a name's
    stray ESC or NUL, a line break) written as escapes."""
    return shown_safely(without_passwords(message))


def _first_line(exc: Exception) -> str:
    original = getattr(exc, "orig", None) or exc
    text = str(original).strip().splitlines()
    return _shown(text[0] if text else type(original).__name__)


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
