"""Two volunteers, two processes, one event: no lost check-in, no 'database is locked'."""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from ladder.clock import utcnow
from ladder.storage.models import Action, Attendance, Supporter
from tests.factories import add_event

pytestmark = pytest.mark.slow  # long: run by CI and the full suite, not the inner loop

PER_VOLUNTEER = 500

VOLUNTEER = textwrap.dedent(
    """
    import sys
    from ladder.settings import Settings
    from ladder.workspace import Workspace
    from ladder.events.checkin import check_in_by_ref
    from ladder.domain.ladderfile import default_ladder_path

    url, event, first, count, name, shared = sys.argv[1:]
    ws = Workspace(Settings(database_url=url, user=name), default_ladder_path())
    for person in range(int(first), int(first) + int(count)):
        check_in_by_ref(ws.engine, ws.ladder, event, f"#{person}", name)
    # both volunteers also check in the same person: still one attendance
    check_in_by_ref(ws.engine, ws.ladder, event, f"#{shared}", name)
    ws.close()
    """
)


def test_two_volunteers_checking_in_at_once_lose_nothing(engine, db_url):
    now = utcnow()
    rows = [
        {"first_name": f"Visitor{i}", "rung": "follow", "rung_since": now, "created_at": now}
        for i in range(2 * PER_VOLUNTEER)
    ]
    with engine.begin() as connection:
        connection.execute(insert(Supporter), rows)
        ids = connection.execute(select(Supporter.id).order_by(Supporter.id)).scalars().all()
    event = add_event(engine, "Journée #ZéroTolérance")
    root = Path(__file__).resolve().parents[2]
    volunteers = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                VOLUNTEER,
                db_url,
                str(event),
                str(first),
                str(PER_VOLUNTEER),
                who,
                str(ids[0]),
            ],
            cwd=root,
            stderr=subprocess.PIPE,
            text=True,
        )
        for first, who in ((ids[0], "Léa"), (ids[PER_VOLUNTEER], "Marc"))
    ]
    errors = [v.communicate(timeout=300)[1] for v in volunteers]
    assert [v.returncode for v in volunteers] == [0, 0], errors
    with engine.connect() as connection:
        attended = connection.execute(
            select(func.count()).select_from(Attendance).where(Attendance.presence == "attended")
        ).scalar_one()
        actions = connection.execute(select(func.count()).select_from(Action)).scalar_one()
    assert attended == 2 * PER_VOLUNTEER
    assert actions == 2 * PER_VOLUNTEER
