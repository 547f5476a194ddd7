"""The one exception hierarchy of ladder.

Every error a user can cause is a :class:`LadderError`. The CLI translates them once:
:class:`MisuseError` becomes a usage error (exit 2), every other one a plain failure (exit 1).
Messages are one line and say what to do next.
"""


class LadderError(Exception):
    """Base class: a failure the user can understand and act on."""


class MisuseError(LadderError):
    """The command was called wrongly (a bad option value found after parsing)."""


class ConfigError(LadderError):
    """Settings that cannot work: an unsupported database URL, a missing file."""


class LadderFileError(LadderError):
    """The ladder file is missing, is not valid TOML, or fails validation."""


class DatabaseStateError(LadderError):
    """The database is missing, not initialised, out of date, newer, or foreign."""


class InputError(LadderError):
    """Bad input data: malformed CSV, wrong encoding, invalid rows."""


class NotFoundError(LadderError):
    """A named person, event, rung or group does not exist."""


class AmbiguousError(LadderError):
    """A name matches several records; the message lists the candidates."""

    def __init__(self, message: str, candidates: list[str] | None = None) -> None:
        super().__init__(message)
        self.candidates = candidates or []


class ConflictError(LadderError):
    """The change would break an invariant (duplicate email, recruitment cycle...)."""


class CycleError(ConflictError):
    """A recruiter change would create self-recruitment or a recruitment cycle."""


class AccessError(LadderError):
    """A token or check-in link that is unknown, revoked or expired, or a role that may not do
    this (the web face answers 401 or 403)."""

    def __init__(self, message: str, *, forbidden: bool = False) -> None:
        super().__init__(message)
        self.forbidden = forbidden  # known but not allowed (403), not unknown (401)
