"""The HTML report and the groups compared, on known data, on SQLite and PostgreSQL: each
group's figures against a hand count and against the headline asked for that group alone;
the page's headline figures equal `report summary`'s rows; same data, same bytes; no URL."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from ladder.campaigns.manage import CampaignInput, add_campaign
from ladder.errors import MisuseError
from ladder.orgs.affiliations import affiliate
from ladder.orgs.manage import OrgInput, add_org
from ladder.reports.groups import groups_compared
from ladder.reports.headline import figure_values, headline
from ladder.reports.window import Window
from ladder.storage.models import Action, ActionKind, Attendance
from tests.factories import add_event, add_group, add_person
from web.html_report.page import SECTIONS, html_report

UNTIL = datetime(2026, 11, 1)
SINCE = datetime(2026, 10, 1)
IN = datetime(2026, 10, 15, 18)
BEFORE = datetime(2026, 9, 1)


@pytest.fixture
def movement(workspace):
    """Nord: Awa (follow, acted in the window), Bea (attend, came to Nord's event), Cy
    (mobilise, no-show), Dan (lapsed, joined after the window). Sud: Eli (follow, came to
    Nord's event), Fay (attend, quiet). Gus has no group; Hal is erased (never counted).
    Events: Nord's in the window (Bea and Eli came, Cy did not), Sud's cancelled one, and
    Nord's before the window (Fay came)."""
    engine = workspace.engine
    nord, sud = add_group(engine, "Nord"), add_group(engine, "Sud")
    joined = {"created_at": BEFORE - timedelta(days=30)}
    ids = {
        "awa": add_person(engine, "Awa", "A", local_group_id=nord, **joined),
        "bea": add_person(engine, "Bea", "B", local_group_id=nord, rung="attend", **joined),
        "cy": add_person(engine, "Cy", "C", local_group_id=nord, rung="mobilise", **joined),
        "dan": add_person(
            engine, "Dan", "D", local_group_id=nord, status="lapsed", created_at=UNTIL
        ),
        "eli": add_person(engine, "Eli", "E", local_group_id=sud, **joined),
        "fay": add_person(engine, "Fay", "F", local_group_id=sud, rung="attend", **joined),
        "gus": add_person(engine, "Gus", "G", **joined),
        "hal": add_person(engine, None, None, local_group_id=sud, status="erased", **joined),
    }
    held = add_event(engine, "Forum", local_group_id=nord, starts_at=IN)
    cancelled = add_event(engine, "Marche", local_group_id=sud, starts_at=IN, status="cancelled")
    earlier = add_event(engine, "Atelier", local_group_id=nord, starts_at=BEFORE)
    presences = [
        (held, ids["bea"], "attended"),
        (held, ids["eli"], "attended"),
        (held, ids["cy"], "no_show"),
        (held, ids["hal"], "attended"),  # erased: the event still had them
        (cancelled, ids["fay"], "attended"),  # a cancelled event: nobody engaged by it
        (earlier, ids["fay"], "attended"),
    ]
    with engine.begin() as connection:
        kind = connection.scalar(select(ActionKind.id).where(ActionKind.name == "petition"))
        connection.execute(
            insert(Attendance),
            [{"event_id": e, "supporter_id": s, "presence": p} for e, s, p in presences],
        )
        connection.execute(
            insert(Action),
            [
                {"supporter_id": ids["awa"], "action_kind_id": kind, "occurred_at": IN,
                 "created_at": IN},
                {"supporter_id": ids["gus"], "action_kind_id": kind, "occurred_at": BEFORE,
                 "created_at": BEFORE},
            ],
        )  # fmt: skip
    add_campaign(
        engine, workspace.ladder, CampaignInput("Pétition", 10, ["petition"], False), by="test"
    )
    add_org(engine, OrgInput(name="Mairie du Nord", member=True), by="test")  # Bea, Eli came
    add_org(engine, OrgInput(name="École du Sud", member=False), by="test")  # Fay: not then
    for who, org in (("bea", "Mairie du Nord"), ("eli", "Mairie du Nord"), ("fay", "École")):
        affiliate(engine, f"#{ids[who]}", org if who != "fay" else "École du Sud", by="test")
    return {"nord": nord, "sud": sud, **ids}


def _window(**kw) -> Window:
    return Window(UNTIL, SINCE, **kw)


def test_each_group_counted_by_hand(workspace, movement):
    with workspace.reading() as connection:
        rows = groups_compared(connection, workspace.ladder, _window())
    by_name = {row["group"]: row for row in rows}
    figures = ["people", "engaged", "rung:follow", "rung:attend", "rung:mobilise"]
    figures += ["events_held", "attended"]
    assert {name: tuple(row[f] for f in figures) for name, row in by_name.items()} == {
        # people joined by the end (not Dan); engaged: Awa acted, Bea came; rungs today
        # (Dan is lapsed); Nord's event held with Bea, Eli and erased Hal present
        "Nord": (3, 2, 1, 1, 1, 1, 3),
        "Sud": (2, 1, 1, 1, 0, 0, 0),  # Eli came (to Nord's event); the cancelled one: no
        None: (1, 0, 1, 0, 0, 0, 0),  # Gus acted before the window
    }
    assert [row["group"] for row in rows] == ["Nord", "Sud", None]  # most people first


def test_a_groups_row_is_the_headline_of_that_group_alone(workspace, movement):
    with workspace.reading() as connection:
        rows = groups_compared(connection, workspace.ladder, _window())
        for row in rows:
            if row["group_id"] is None:
                continue
            alone = _window(group_id=row["group_id"], group_name=row["group"])
            expected = figure_values(headline(connection, workspace.ladder, alone))
            assert {k: row[k] for k in expected if k in row} == {
                k: v for k, v in expected.items() if k in row
            }
            only = groups_compared(connection, workspace.ladder, alone)
            assert only == [row]


def _page(workspace, lang="en", **window) -> str:
    with workspace.reading() as connection:
        return html_report(connection, workspace.ladder, _window(**window), UTC, lang)


def _figures_on(page: str) -> dict[str, int]:
    found = re.findall(r'data-figure="([^"]+)"><span class="value">([^<]+)</span>', page)
    return {figure: int(re.sub(r"\D", "", value)) for figure, value in found}


def test_the_page_shows_every_section_and_the_summarys_figures(workspace, movement):
    page = _page(workspace)
    for key in SECTIONS:
        assert f'<section id="{key}">' in page
    with workspace.reading() as connection:
        rows = headline(connection, workspace.ladder, _window())
    assert _figures_on(page) == figure_values(rows)
    assert "Pétition" in page and "Nord" in page and "Awa A" not in page  # no recruiter yet
    for chart in ("rungs", "campaigns", "groups"):
        assert f'<title id="{chart}-title">' in page
    assert 'id="recruiters-title"' not in page  # nobody recruited: no chart


def test_which_partners_came_members_or_not(workspace, movement):
    page = _page(workspace)
    section = page.split('<section id="partners">')[1].split("</section>")[0]
    rows = re.findall(
        r"<tr><td>([^<]+)</td><td>([^<]*)</td>((?:<td[^>]*>[^<]*</td>)+)</tr>", section
    )
    cells = {name: (member, re.findall(r">([^<]*)</td>", rest)) for name, member, rest in rows}
    # people, came, presences, events, co-organised
    assert cells == {
        "Mairie du Nord": ("yes", ["2", "2", "2", "1", "0"]),
        "École du Sud": ("no", ["1", "0", "0", "0", "0"]),
    }
    assert "Members: 1 of 1 had people there (2 presences)." in section
    assert "Non-members or not said: 0 of 1 had people there (0 presences)." in section


def test_no_partner_organisation_no_partners_section(workspace):
    assert '<section id="partners">' not in _page(workspace)
    assert '<section id="headline">' in _page(workspace)


def test_a_group_report_counts_that_group(workspace, movement):
    page = _page(workspace, group_id=movement["sud"], group_name="Sud")
    with workspace.reading() as connection:
        alone = _window(group_id=movement["sud"], group_name="Sud")
        expected = figure_values(headline(connection, workspace.ladder, alone))
    assert _figures_on(page) == expected
    assert "local group Sud" in page


def test_same_data_same_bytes_and_nothing_to_fetch(workspace, movement):
    first, second = _page(workspace, "fr"), _page(workspace, "fr")
    assert first == second
    assert '<html lang="fr">' in first and "Chiffres clés" in first
    # the only URLs are SVG's XML namespaces (names, never fetched)
    urls = set(re.findall(r"""(?:https?:)?//[^\s"'<>)]+""", first))
    assert urls <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
    assert not re.search(r"<(script|img|link(?![^>]*href=\"data:)|iframe)\b", first)
    assert re.findall(r'\bid="([^"]+)"', first) == list(dict.fromkeys(
        re.findall(r'\bid="([^"]+)"', first)
    )), "an id appears twice"  # fmt: skip


def test_recruiters_by_reach_with_their_tree_sizes(workspace, movement):
    engine = workspace.engine
    joined = {"created_at": SINCE + timedelta(days=1)}
    ana = movement["awa"]
    kid = add_person(engine, "Kim", "K", recruiter_id=ana, **joined)
    add_person(engine, "Lou", "L", recruiter_id=kid, **joined)
    add_person(engine, "Max", "M", recruiter_id=kid, **joined)
    page = _page(workspace)
    rows = re.findall(r'<tr><td class="n">(\d+)</td><td>([^<]+)</td><td class="n">(\d+)</td>', page)
    assert rows == [("1", "Awa A", "3"), ("2", "Kim K", "2")]


class Recorded:
    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def start(self, label: str, total: int) -> None:
        self.calls.append(("start", total))

    def advance(self, steps: int = 1) -> None:
        self.calls.append(("advance", steps))

    def finish(self) -> None:
        self.calls.append(("finish",))


def test_progress_advances_once_per_section(workspace, movement):
    recorded = Recorded()
    with workspace.reading() as connection:
        html_report(connection, workspace.ladder, _window(), UTC, "en", progress=recorded)
    n = len(SECTIONS)
    assert recorded.calls == [("start", n), *[("advance", 1)] * n, ("finish",)]


def test_a_groups_report_shows_its_campaigns_and_the_movements(workspace, movement):
    add_campaign(
        engine := workspace.engine,
        workspace.ladder,
        CampaignInput("Marche du Sud", 20, ["petition"], False, group="Sud"),
        by="test",
    )
    add_campaign(
        engine, workspace.ladder, CampaignInput("Fête du Nord", 5, [], False, group="Nord"), by="t"
    )

    def campaigns(page: str) -> str:
        found = re.search(r'<section id="campaigns">.*?</section>', page, re.S)
        assert found is not None
        return found.group(0)

    everywhere = campaigns(_page(workspace))
    sud = campaigns(_page(workspace, group_id=movement["sud"], group_name="Sud"))
    assert all(name in everywhere for name in ("Pétition", "Marche du Sud", "Fête du Nord"))
    assert "Pétition" in sud and "Marche du Sud" in sud and "Fête du Nord" not in sud


def test_only_the_largest_groups_are_listed(workspace, movement, monkeypatch):
    monkeypatch.setattr("web.html_report.sections.groups.CHARTED", 1)
    monkeypatch.setattr("web.html_report.sections.groups.TABLED", 2)
    found = re.search(r'<section id="groups">.*?</section>', _page(workspace), re.S)
    assert found is not None
    names = re.findall(r"<tr><td>([^<]+)</td>", found.group(0))
    assert names == ["Nord", "Sud"]  # the group-less row (one person) is third
    assert "The largest groups: 1 in the chart, 2 in the table, of 3." in found.group(0)


def test_sections_built_at_once_give_the_bytes_built_one_after_the_other(workspace, movement):
    pages = []
    for workers in (1, 2, 3):
        with workspace.reading() as connection:
            window = _window()
            pages.append(html_report(connection, workspace.ladder, window, UTC, workers=workers))
    assert pages[0] == pages[1] == pages[2]


def test_a_section_that_fails_fails_the_page_with_its_own_error(workspace, movement, monkeypatch):
    def broken(context):
        raise MisuseError("the events cannot be read")

    monkeypatch.setattr("web.html_report.sections.events.build", broken)
    for workers in (1, 2):
        with workspace.reading() as connection, pytest.raises(MisuseError, match="cannot be read"):
            html_report(connection, workspace.ladder, _window(), UTC, workers=workers)
