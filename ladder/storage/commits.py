"""How many transactions this process has committed: to say what an interrupted command did.

Python delivers Ctrl-C (SIGINT) between bytecodes, so one pressed while the database commits
arrives just after the commit returns: the command stops, but its changes are saved. Counting
commits lets a front end say which it was. SQLAlchemy's ``commit`` event fires just before
the driver commits; when anything interrupts the commit (Ctrl-C, a failed commit), the
``handle_error`` event asks the driver whether its transaction is still open: then the commit
did not happen and it is taken off the count.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine, event
from sqlalchemy.engine import ExceptionContext

_COMMITTING = "ladder_committing"
_WROTE = "ladder_wrote"  # the transaction sent a statement that may change something
_READS = ("SELECT", "PRAGMA", "BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "SHOW", "SET ")
_state = {"commits": 0, "watching": False}


def watch_commits() -> None:
    """Start counting the commits of every engine of this process (once; idempotent)."""
    if _state["watching"]:
        return
    event.listen(Engine, "begin", _on_begin)
    event.listen(Engine, "before_cursor_execute", _on_execute)
    event.listen(Engine, "commit", _on_commit)
    event.listen(Engine, "handle_error", _on_error)
    _state["watching"] = True


def commits() -> int:
    """Commits that wrote something, so far in this process (since :func:`watch_commits`)."""
    return int(_state["commits"])


def _on_begin(connection: Connection) -> None:
    connection.info.pop(_COMMITTING, None)  # the previous commit went through
    connection.info.pop(_WROTE, None)


def _on_execute(connection: Connection, _cursor: Any, statement: str, *_args: Any) -> None:
    if not connection.info.get(_WROTE) and _may_write(statement):
        connection.info[_WROTE] = True


def _may_write(statement: str) -> bool:
    head = statement.lstrip()[:10].upper()
    if head.startswith("WITH"):
        upper = statement.upper()
        return any(word in upper for word in ("INSERT ", "UPDATE ", "DELETE "))
    return not head.startswith(_READS)


def _on_commit(connection: Connection) -> None:
    if connection.info.pop(_WROTE, False):  # a commit of nothing saves nothing
        connection.info[_COMMITTING] = True
        _state["commits"] += 1


def _on_error(context: ExceptionContext) -> None:
    connection = context.connection
    if connection is None or context.statement is not None:
        return  # not a commit
    if connection.info.pop(_COMMITTING, False) and _in_transaction(connection):
        _state["commits"] -= 1  # interrupted before the driver committed


def _in_transaction(connection: Connection) -> bool:
    """Is the driver's transaction still open (sqlite3, psycopg 3)? Unknown counts as open."""
    try:
        driver: Any = connection.connection.driver_connection
    except Exception:  # an invalidated connection: the commit cannot have happened
        return True
    if hasattr(driver, "in_transaction"):  # sqlite3
        return bool(driver.in_transaction)
    status = getattr(getattr(driver, "info", None), "transaction_status", None)
    return status is None or int(status) != 0  # psycopg: 0 is IDLE, out of any transaction
