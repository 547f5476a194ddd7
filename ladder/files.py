"""Files ladder creates hold people's names, emails and phones: readable by their owner only.

Every file ladder creates (the SQLite database, rejected rows, exports written with
``--output``, backups) is created with mode 0600 from its first byte, whatever the umask: a
file created world-readable and narrowed afterwards can be opened in between. SQLite creates
the database's ``-wal`` and ``-shm`` files with the database file's mode, so they follow.

A file that already exists keeps its mode: ladder never changes the permissions of a file it
did not create (a replaced output keeps the mode its owner gave it).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

OWNER_ONLY = 0o600


def create_owner_only(path: str | os.PathLike[str]) -> None:
    """Create ``path`` empty, mode 0600. Raises FileExistsError when it exists (never
    truncates nor changes the mode of someone's file) and OSError when it cannot be created."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_ONLY))


@contextmanager
def replacing(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A new empty file beside ``path`` (mode 0600) to write; renamed over ``path`` when the
    block ends normally, removed when it raises. Readers never see half a file.

    When ``path`` already exists, the new file takes its permission bits.
    """
    target = Path(path)
    descriptor, name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(descriptor)  # mkstemp creates the file 0600
    temporary = Path(name)
    try:
        yield temporary
        with suppress(FileNotFoundError):  # a new file stays owner-only
            os.chmod(temporary, target.stat().st_mode & 0o7777)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_replacing(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` through :func:`replacing`."""
    with replacing(path) as temporary:
        temporary.write_bytes(data)


def check_creatable(path: str | os.PathLike[str]) -> None:
    """Raise OSError unless a new file can be created beside ``path`` (what :func:`replacing`
    needs). Leaves nothing behind."""
    target = Path(path)
    descriptor, name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(descriptor)
    os.unlink(name)
