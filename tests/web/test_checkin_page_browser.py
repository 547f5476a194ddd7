"""The check-in page in a real browser: Debian's chromium driven by Playwright against a real
`ladder serve`, at a phone's 360x640, with JavaScript on and off. Search, check-in, undo and a
walk-in, each checked in the database too.

Never `playwright install` (it downloads browsers): the system's chromium or a skip, except
under CI, where a missing chromium fails (.ci/run installs it).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, insert, select

from ladder.access.links import create_link
from ladder.clock import utcnow
from ladder.storage.models import Attendance, AuditEntry, Supporter
from tests.factories import add_event, person
from tests.web.server import ladder_serve

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
PHONE = {"width": 360, "height": 640}
# the browser is the slow part; the storage under it is covered on both databases elsewhere
pytestmark = [pytest.mark.parametrize("db_url", ["sqlite"], indirect=True), pytest.mark.slow]


def chromium_path() -> str:
    found = shutil.which("chromium") or (
        "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None
    )
    if found is None:
        message = "Debian's chromium is not installed (apt-get install -y chromium)"
        if IN_CI:
            pytest.fail(f"{message}: CI requires it", pytrace=False)
        pytest.skip(message)
    return found


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    path = chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path)
        yield launched
        launched.close()


@pytest.fixture
def served(db_url: str, engine: Engine) -> Iterator[tuple[str, int, Engine]]:
    event = add_event(engine, "Forum des associations")
    awa = person(
        engine, first_name="Awa", last_name="Diallo", email="awa@example.org", phone="+33612345678"
    )
    person(engine, first_name="Bob", last_name="Awanui", email="bob@example.org")
    with engine.begin() as connection:
        connection.execute(
            insert(Attendance).values(
                event_id=event, supporter_id=awa, rsvp="accepted", invited_at=utcnow()
            )
        )
    secret = create_link(engine, event, "organiser")
    with ladder_serve(db_url) as base:
        yield f"{base}/checkin/{secret}", event, engine


def _presence(engine: Engine, event: int, email: str) -> str | None:
    with engine.connect() as connection:
        return connection.execute(
            select(Attendance.presence)
            .join(Supporter, Supporter.id == Attendance.supporter_id)
            .where(Attendance.event_id == event, Supporter.email == email)
        ).scalar()


def _link_audit(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return list(
            connection.execute(
                select(AuditEntry.command)
                .where(AuditEntry.actor.like("link:event #%"))
                .order_by(AuditEntry.id)
            ).scalars()
        )


def _fits_the_phone(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways ({width}px)"


def test_with_javascript_search_check_in_undo_walk_in_without_reloads(browser, served) -> None:
    url, event, engine = served
    context = browser.new_context(viewport=PHONE, locale="en-GB")
    page = context.new_page()
    try:
        page.goto(url)
        page.evaluate("window.sameDocument = true")
        counter = page.locator("#counter")
        assert counter.inner_text() == "checked in: 0 of 1 accepted"
        _fits_the_phone(page)

        page.locator("#q").press_sequentially("aw", delay=30)  # no Enter: as-you-type
        first = page.locator("#results li").first
        first.locator(".name").wait_for()
        assert first.locator(".name").inner_text() == "Awa Diallo"  # accepted: first
        assert "a•••@example.org" in first.inner_text()
        assert "awa@example.org" not in page.content()

        first.locator("button").click()
        page.locator("#message .ok").filter(has_text="Awa Diallo is checked in.").wait_for()
        page.wait_for_function(
            "document.getElementById('counter').textContent.startsWith('checked in: 1 ')"
        )
        assert _presence(engine, event, "awa@example.org") == "attended"

        page.locator("#undo").click()
        page.locator("#message .ok").filter(has_text="Check-in undone.").wait_for()
        page.wait_for_function(
            "document.getElementById('counter').textContent.startsWith('checked in: 0 ')"
        )
        assert _presence(engine, event, "awa@example.org") == "unknown"

        page.locator("#walk-in-box summary").click()
        for box in ("consent_email", "consent_sms", "consent_photo"):
            assert not page.locator(f"input[name={box}]").is_checked()  # unticked by default
        page.fill("#first_name", "Léo")
        page.fill("#last_name", "Kaouma")
        page.fill("#contact", "leo@example.nc")
        page.fill("#postcode", "98800")
        page.fill("#brought_by", "awa@example.org")
        page.locator("#sign-up").click()
        page.locator("#message .ok").filter(has_text="Léo Kaouma is checked in.").wait_for()
        assert page.evaluate("window.sameDocument") is True  # no reload all along
        assert _presence(engine, event, "leo@example.nc") == "attended"
        assert _link_audit(engine) == ["checkin", "checkin undo", "checkin walk-in"]
        _fits_the_phone(page)
    finally:
        context.close()


def test_without_javascript_the_plain_forms_do_it_all(browser, served) -> None:
    url, event, engine = served
    context = browser.new_context(viewport=PHONE, java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    try:
        page.goto(url)
        assert page.locator("#counter").inner_text() == "checked in: 0 of 1 accepted"
        page.fill("#q", "aw")
        page.locator("#search-button").click()
        page.wait_for_url("**?q=aw")
        names = page.locator("#results .name").all_inner_texts()
        assert names == ["Awa Diallo", "Bob Awanui"]
        _fits_the_phone(page)

        page.locator("#results li").filter(has_text="Bob Awanui").locator("button").click()
        page.wait_for_url("**done=*")
        assert "Bob Awanui is checked in." in page.locator("#message").inner_text()
        assert page.locator("#counter").inner_text() == "checked in: 1 of 1 accepted"
        assert _presence(engine, event, "bob@example.org") == "attended"
        page.reload()  # POST-redirect-GET: a reload repeats nothing
        assert _link_audit(engine) == ["checkin"]

        page.locator("#undo").click()
        page.wait_for_url("**state=undone")
        assert "Check-in undone." in page.locator("#message").inner_text()
        assert _presence(engine, event, "bob@example.org") is None

        page.locator("#walk-in-box summary").click()
        page.fill("#first_name", "Maïa")
        page.fill("#contact", "+687 77 88 99")
        page.locator("#sign-up").click()
        page.wait_for_url("**done=*")
        assert "Maïa is checked in." in page.locator("#message").inner_text()
        assert page.locator("#counter").inner_text() == "checked in: 1 of 1 accepted"
        assert _link_audit(engine) == ["checkin", "checkin undo", "checkin walk-in"]

        page.locator("#walk-in-box summary").click()
        page.fill("#first_name", "Zoé")
        page.locator("#sign-up").click()  # no email or phone: said, nothing written
        assert "Give an email or a phone number." in page.locator("#message").inner_text()
        assert page.locator("#first_name").input_value() == "Zoé"
        assert _link_audit(engine) == ["checkin", "checkin undo", "checkin walk-in"]
    finally:
        context.close()


def test_a_french_phone_gets_the_page_in_french(browser, served) -> None:
    url, _event, _engine = served
    context = browser.new_context(viewport=PHONE, locale="fr-FR")
    page = context.new_page()
    try:
        page.goto(url)
        assert page.locator("#counter").inner_text() == "présents : 0 sur 1 inscrits"
        page.locator("#q").press_sequentially("bo", delay=30)
        button = page.locator("#results li button").first
        button.wait_for()
        assert button.inner_text() == "Enregistrer"
    finally:
        context.close()


def test_a_revoked_link_shows_a_plain_refusal(browser, served) -> None:
    url, event, engine = served
    create_link(engine, event, "organiser")  # the old link is revoked
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    try:
        answer = page.goto(url)
        assert answer is not None and answer.status == 403
        assert "This check-in link cannot be used" in page.inner_text("h1")
        assert "Forum" not in page.content()
    finally:
        context.close()
