"""Fixtures shared by the library tests."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from ladder.domain.ladderfile import LadderFile
from ladder.storage.kinds import sync_action_kinds
from tests.rules_reference import BASE


@pytest.fixture
def synced(engine: Engine) -> Engine:
    """The test database with the action kinds of the ladder the rules property tests draw
    their worlds on (:data:`tests.rules_reference.BASE`)."""
    sync_action_kinds(engine, LadderFile.model_validate(BASE))
    return engine
