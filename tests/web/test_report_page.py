"""``GET /report`` through the ASGI app (httpx), on SQLite and PostgreSQL: organiser and
coordinator tokens (Bearer, or the API's header) get the very bytes `ladder report html` writes
for the same window; no token is 401 and bad parameters are 400, as JSON like the API."""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest

from ladder.access.tokens import create_token, revoke_token
from tests.conftest import Cli
from tests.factories import add_group, person
from web.app import ServeOptions, create_app

UNTIL = "2026-06-01"


@pytest.fixture
def client(workspace, db_url):
    result = Cli(db_url)("seed", "--people", "120", "--seed", "3", "--as-of", "2026-06-30")
    assert result.exit_code == 0, result.output
    loop = asyncio.new_event_loop()
    app = create_app(workspace)
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")

    def get(path: str, **headers: str) -> httpx.Response:
        return loop.run_until_complete(http.get(path, headers=headers))

    yield get
    loop.run_until_complete(http.aclose())
    loop.close()


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def test_the_page_is_the_commands_file_for_both_roles(client, workspace, db_url):
    organiser, _ = create_token(workspace.engine, "organiser", "ana", by="test")
    coordinator, _ = create_token(workspace.engine, "coordinator", "bea", by="test")
    cli = Cli(db_url)
    for lang in ("en", "fr"):
        written = cli("report", "html", "--until", UNTIL, "--since", "2026-01-01",
                      "--lang", lang, "-o", "-").stdout_bytes  # fmt: skip
        for secret in (organiser, coordinator):
            response = client(
                f"/report?until={UNTIL}&since=2026-01-01&lang={lang}", **_bearer(secret)
            )
            assert response.status_code == 200, response.text
            assert response.headers["content-type"] == "text/html; charset=utf-8"
            assert response.headers["cache-control"] == "no-store"
            assert response.content == written
    by_header = client(f"/report?until={UNTIL}", **{"OSDI-API-Token": coordinator})
    assert by_header.content == cli("report", "html", "--until", UNTIL, "--lang", "en",
                                    "-o", "-").stdout_bytes  # fmt: skip


def test_the_language_follows_the_browser_without_lang(client, workspace):
    secret, _ = create_token(workspace.engine, "coordinator", "bea", by="test")
    page = client(f"/report?until={UNTIL}", **_bearer(secret), **{"Accept-Language": "fr-FR"})
    assert '<html lang="fr">' in page.text


def test_a_group(client, workspace, db_url):
    secret, _ = create_token(workspace.engine, "coordinator", "bea", by="test")
    nouvelle = add_group(workspace.engine, "Île des Pins")
    person(workspace.engine, first_name="Zoé", last_name="Kanak", local_group_id=nouvelle)
    page = client("/report?until=2999-01-01&group=ile%20des%20pins", **_bearer(secret)).text
    people = re.search(r'data-figure="people"><span class="value">([^<]+)<', page)
    assert people is not None and people.group(1) == "1"
    assert "local group Île des Pins" in page


def test_no_token_a_revoked_one_and_bad_parameters(client, workspace):
    secret, token = create_token(workspace.engine, "coordinator", "bea", by="test")
    missing = client("/report")
    assert missing.status_code == 401
    assert missing.json() == {
        "error": "missing or malformed API token: send the OSDI-API-Token header"
    }
    assert client("/report", Authorization="Basic abc").status_code == 401
    for query, status, message in [
        ("since=yesterday", 400, "since: 'yesterday' is not a date (2026-01-01) or a number"),
        ("until=90d", 400, "until: '90d' is not a date (2026-01-01)"),
        ("since=2026-06-01&until=2026-01-01", 400, "--since must be before the report's end"),
        ("lang=de", 400, "unknown language 'de': use one of en, fr"),
        ("group=Atlantis", 404, "Atlantis"),
    ]:
        response = client(f"/report?{query}", **_bearer(secret))
        assert response.status_code == status, query
        assert message in response.json()["error"]
    revoke_token(workspace.engine, token.prefix, by="test")
    assert client("/report", **_bearer(secret)).status_code == 401


def test_bearer_requests_spend_the_tokens_rate_budget(workspace):
    secret, _ = create_token(workspace.engine, "coordinator", "bea", by="test")
    app = create_app(workspace, ServeOptions(rate_per_minute=2))
    loop = asyncio.new_event_loop()
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
    try:
        codes = [
            loop.run_until_complete(http.get("/report?lang=de", headers=_bearer(secret)))
            for _ in range(3)
        ]
        assert [c.status_code for c in codes] == [400, 400, 429]
        assert codes[-1].headers["retry-after"]
    finally:
        loop.run_until_complete(http.aclose())
        loop.close()
