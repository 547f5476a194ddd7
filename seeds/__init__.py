"""Demo data: the default ladder file and the fake-movement generator."""

from importlib import resources
from pathlib import Path


def default_ladder_path() -> Path:
    """The built-in 350.org-style ladder (follow, attend, mobilise)."""
    return Path(str(resources.files(__package__).joinpath("default_ladder.toml")))
