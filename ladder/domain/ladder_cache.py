"""The checked ladder file, kept between runs: JSON in the user's cache, keyed by content.

The key is a SHA-256 of the ladder file's bytes, of the source of the code that checks it and
builds the dataclasses (:data:`CODE`), of Python's major.minor and of pydantic's version file
(its ``VERSION`` and the pydantic-core it pins), so an edited file, an upgraded ladder or an
upgraded pydantic or Python never reads a stale entry: it misses, and the file is checked
again. The cache is an optimisation only: a missing, unreadable, unwritable or corrupt cache
is a miss, never an error.

Where: ``$XDG_CACHE_HOME/ladder/ladder-files``, else ``~/.cache/ladder/ladder-files``.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Any

FORMAT = b"ladder-file-cache 1\n"
KEEP = 32  # entries kept (one per ladder file and version of the code: a few kilobytes each)
_HERE = Path(__file__).parent
# the modules whose source decides what a file checks to: any change to them is a new key
CODE = (
    _HERE / "ladder_cache.py",
    _HERE / "ladder_schema.py",
    _HERE / "ladderfile.py",
    _HERE / "rules.py",
    _HERE / "invitations.py",
    _HERE / "text.py",
    _HERE.parent / "settings.py",
)
PYTHON = sys.version_info[:2]  # a new minor may parse or compare differently: a new key
_code_digest: bytes | None = None


def folder(kind: str = "ladder-files") -> Path | None:
    """The cache folder of ``kind`` (not created here), None when there is no home to put it
    in. :mod:`ladder.storage.stored` keeps its entries beside the ladder files'."""
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    try:
        root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".cache"
    except RuntimeError:  # no home directory
        return None
    return root / "ladder" / kind


def key(content: bytes) -> str | None:
    """The entry's name for a ladder file's bytes; None when the code's source or pydantic's
    version file is unreadable (then nothing is cached: a key that ignored them could outlive
    a change to them)."""
    global _code_digest
    if _code_digest is None:
        pydantic = _pydantic_version_file()
        if pydantic is None:
            return None
        _code_digest = source_digest(FORMAT, [*CODE, pydantic])
        if _code_digest is None:
            return None
    return hashlib.sha256(_code_digest + content).hexdigest()


def source_digest(header: bytes, files: list[Path]) -> bytes | None:
    """SHA-256 of ``header``, Python's major.minor and the bytes of ``files`` (the code whose
    change must make a new key); None when one is unreadable."""
    digest = hashlib.sha256(header)
    digest.update(b"python %d.%d\n" % PYTHON)
    try:
        for path in files:
            digest.update(path.read_bytes())
    except OSError:
        return None
    return digest.digest()


def _pydantic_version_file() -> Path | None:
    """pydantic's ``version.py``, found without importing pydantic (a cache hit must not:
    that import is most of what the cache saves; ``importlib.metadata`` would cost ~20 ms)."""
    from importlib.util import find_spec

    try:
        spec = find_spec("pydantic")
    except (ImportError, ValueError):
        return None
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).with_name("version.py")


def read(content: bytes) -> dict[str, Any] | None:
    """The checked data kept for these bytes, or None."""
    name = key(content)
    return None if name is None else read_entry(folder(), name)


def write(content: bytes, data: dict[str, Any]) -> None:
    """Keep the checked data for these bytes; nothing happens when the cache cannot be
    written."""
    name = key(content)
    if name is not None:
        write_entry(folder(), name, data)


def read_entry(where: Path | None, name: str) -> dict[str, Any] | None:
    """The JSON object kept as ``name`` in ``where``, or None (missing, unreadable, corrupt)."""
    if where is None:
        return None
    try:
        data = json.loads((where / f"{name}.json").read_bytes())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def write_entry(
    where: Path | None, name: str, data: dict[str, Any], keep: int | None = None
) -> None:
    """Keep ``data`` as ``name`` in ``where`` (written aside, then renamed: a reader sees all
    of it or none), then only the newest ``keep`` entries (:data:`KEEP`); nothing happens when
    the folder cannot be written."""
    import tempfile

    if where is None:
        return
    try:
        where.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=where, suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(data, file)
        os.replace(temporary, where / f"{name}.json")
    except OSError:
        Path(temporary).unlink(missing_ok=True)
        return
    _prune(where, KEEP if keep is None else keep)


def _prune(where: Path, keep: int) -> None:
    """Keep the newest entries (another process may be pruning too)."""
    try:
        entries = sorted(where.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[keep:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass
