"""One settings object, read after option parsing. Nothing here touches a database."""

from __future__ import annotations

import getpass
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ladder.domain.text import NAME, text_problem
from ladder.errors import ConfigError

DEFAULT_DATABASE_FILE = "ladder.db"
DEFAULT_LADDER_FILE = "ladder.toml"
ENV_DATABASE_URL = "LADDER_DATABASE_URL"
ENV_LADDER_FILE = "LADDER_LADDER_FILE"
ENV_USER = "LADDER_USER"
ENV_TIME_ZONE = "LADDER_TZ"


@dataclass(frozen=True, kw_only=True)
class Settings:
    """Where the data lives, which ladder file is active, who is acting, and (when
    ``$LADDER_TZ`` says so) the movement's time zone.

    A plain dataclass, not a pydantic model: every command makes one, and importing pydantic
    is a fifth of a start-up (`ladder --help` does without it). Change one with
    ``dataclasses.replace``."""

    database_url: str
    ladder_file: Path | None = None
    user: str = "organiser"
    time_zone: str | None = None  # an IANA name; None: the ladder file's, else the machine's

    def __post_init__(self) -> None:
        if isinstance(self.ladder_file, str):  # as pydantic did: a path given as text
            object.__setattr__(self, "ladder_file", Path(self.ladder_file))

    @classmethod
    def resolve(
        cls,
        db: str | None = None,
        ladder_file: str | Path | None = None,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        user: str | None = None,
    ) -> Settings:
        """Build settings from options, then the environment, then defaults.

        The database is ``--db``, else ``LADDER_DATABASE_URL``, else ``./ladder.db``.
        The ladder file is ``--ladder-file``, else ``LADDER_LADDER_FILE``, else
        ``./ladder.toml`` when it exists, else ``None`` (the built-in default ladder).
        The time zone is ``LADDER_TZ`` (checked here), else left to :func:`resolve_zone`.
        Who is acting is ``--as`` (``user``), else ``LADDER_USER``, else the login name.
        """
        env = os.environ if env is None else env
        cwd = cwd or Path.cwd()
        raw_db = db or env.get(ENV_DATABASE_URL) or DEFAULT_DATABASE_FILE
        chosen = ladder_file or env.get(ENV_LADDER_FILE)
        path: Path | None = Path(chosen) if chosen else None
        if path is None and (cwd / DEFAULT_LADDER_FILE).is_file():
            path = cwd / DEFAULT_LADDER_FILE
        where = "--as" if user else ENV_USER
        user = user or env.get(ENV_USER) or _login_name()
        if problem := text_problem(user, NAME):  # who did it is stored with every change
            raise ConfigError(f"{where}: {problem}")
        if not user.strip():
            raise ConfigError(f"{where}: say who is acting (a name, not blank)")
        return cls(
            database_url=normalise_database_url(raw_db),
            ladder_file=path,
            user=user,
            time_zone=_checked_zone(env.get(ENV_TIME_ZONE), ENV_TIME_ZONE),
        )


def default_ladder_path() -> Path:
    """The built-in 350.org-style ladder (follow, attend, mobilise), shipped with the package."""
    return Path(__file__).with_name("default_ladder.toml")  # importlib.resources: +3 ms


def zone_named(name: str, where: str) -> ZoneInfo:
    """The IANA time zone ``name``; a ConfigError naming ``where`` it came from otherwise."""
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{where}: {unknown_zone(name)}") from None


def unknown_zone(name: str) -> str:
    return f"unknown time zone {name!r}: use an IANA name such as Pacific/Noumea or Europe/Paris"


def resolve_zone(setting: str | None, ladder_file_zone: str | None) -> tzinfo:
    """The movement's time zone: ``$LADDER_TZ``, else the ladder file's, else the machine's."""
    if setting:
        return zone_named(setting, ENV_TIME_ZONE)
    if ladder_file_zone:
        return zone_named(ladder_file_zone, "time_zone")
    return machine_zone()


def machine_zone() -> tzinfo:
    """The machine's local zone: ``$TZ`` when it is an IANA name, else /etc/localtime, else UTC."""
    name = os.environ.get("TZ", "").removeprefix(":")
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    target = os.path.realpath("/etc/localtime")
    if "/zoneinfo/" in target:  # a link into the zone database names the zone
        try:
            return ZoneInfo(target.split("/zoneinfo/", 1)[1])
        except (ZoneInfoNotFoundError, ValueError):
            pass
    try:
        with open("/etc/localtime", "rb") as file:
            return ZoneInfo.from_file(file, key="localtime")
    except (OSError, ValueError):
        return UTC


def _checked_zone(name: str | None, where: str) -> str | None:
    if not name or not name.strip():
        return None
    zone_named(name, where)
    return name.strip()


def normalise_database_url(raw: str) -> str:
    """Accept a SQLAlchemy URL or a bare SQLite file path; pick psycopg 3 for PostgreSQL."""
    raw = raw.strip()
    if not raw:
        raise ConfigError("the database URL is empty: pass --db URL or a file path")
    if "://" not in raw:
        return f"sqlite:///{raw}"
    scheme, rest = raw.split("://", 1)
    if scheme in ("postgres", "postgresql"):
        return f"postgresql+psycopg://{rest}"
    if scheme.startswith("postgresql+") and scheme != "postgresql+psycopg":
        raise ConfigError(
            f"unsupported PostgreSQL driver in {scheme}://: use postgresql+psycopg:// (psycopg 3)"
        )
    if not (scheme.startswith("sqlite") or scheme.startswith("postgresql")):
        raise ConfigError(
            f"unsupported database {scheme}://: ladder runs on SQLite (a file path) "
            "or PostgreSQL (postgresql+psycopg://user@host/db)"
        )
    return raw


def _login_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "organiser"
