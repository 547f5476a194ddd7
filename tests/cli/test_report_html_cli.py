"""`ladder report html` on a seeded movement, on SQLite and PostgreSQL: every section, the
headline figures equal `report summary --format json`'s, the same --until gives the same bytes
(to a file or to standard output), the language from --lang or the locale, and bad inputs
refused in one line with nothing written."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from tests.factories import dump
from web.html_report.page import SECTIONS

AS_OF = "2026-06-30"
UNTIL = "2026-06-01"


@pytest.fixture
def seeded(ladder_cli):
    result = ladder_cli("seed", "--people", "250", "--seed", "11", "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    return ladder_cli


def _figures(page: str) -> dict[str, int]:
    found = re.findall(r'data-figure="([^"]+)"><span class="value">([^<]+)</span>', page)
    return {figure: int(re.sub(r"\D", "", value)) for figure, value in found}


def test_the_report_has_every_section_and_the_summarys_figures(seeded, tmp_path):
    target = tmp_path / "report.html"
    window = ("--since", "2026-01-01", "--until", UNTIL)
    result = seeded("report", "html", *window, "--lang", "en", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert result.stderr == f"Wrote the report to {target}.\n"
    page = target.read_text(encoding="utf-8")
    for key in SECTIONS:
        assert f'<section id="{key}">' in page
    summary = seeded("report", "summary", *window, "--format", "json")
    expected = {row["figure"]: row["value"] for row in json.loads(summary.stdout)}
    assert _figures(page) == expected
    assert expected["people"] > 0 and expected["events_held"] > 0
    assert "Ambassadeurs" in page or "Pétition" in page  # the seed's campaigns
    assert target.stat().st_mode & 0o777 == 0o600


def test_a_groups_report_equals_that_groups_summary(seeded, tmp_path):
    summary = seeded("report", "summary", "--until", UNTIL, "--format", "json")
    groups = re.findall(r"<tr><td>([^<(]+)</td>", seeded("report", "html", "--until", UNTIL,
                                                         "-o", "-").stdout)  # fmt: skip
    group = groups[-1]  # the smallest of the table (most people first)
    page = seeded("report", "html", "--until", UNTIL, "--group", group, "-o", "-").stdout
    alone = seeded("report", "summary", "--until", UNTIL, "--group", group, "--format", "json")
    expected = {row["figure"]: row["value"] for row in json.loads(alone.stdout)}
    assert _figures(page) == expected
    assert expected != {row["figure"]: row["value"] for row in json.loads(summary.stdout)}


def test_same_until_same_bytes_to_a_file_and_to_standard_output(seeded, tmp_path):
    one, two = tmp_path / "one.html", tmp_path / "two.html"
    assert seeded("report", "html", "--until", UNTIL, "-o", str(one)).exit_code == 0
    assert seeded("report", "html", "--until", UNTIL, "-o", str(two)).exit_code == 0
    assert one.read_bytes() == two.read_bytes()
    out = seeded("report", "html", "--until", UNTIL, "-o", "-")
    assert out.stdout_bytes == one.read_bytes()
    assert out.stderr == ""


def test_the_language_from_lang_or_the_locale(seeded, monkeypatch):
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    french = seeded("report", "html", "--until", UNTIL, "-o", "-").stdout
    assert '<html lang="fr">' in french and "Chiffres clés" in french
    people = _figures(french)["people"]
    english = seeded("report", "html", "--until", UNTIL, "--lang", "en", "-o", "-").stdout
    assert '<html lang="en">' in english and "Headline figures" in english
    assert _figures(english)["people"] == people
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    assert '<html lang="en">' in seeded("report", "html", "--until", UNTIL, "-o", "-").stdout


def test_an_existing_file_is_kept_without_force(seeded, tmp_path, engine):
    target = tmp_path / "report.html"
    target.write_text("mine")
    before = dump(engine)
    result = seeded("report", "html", "-o", str(target))
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {target} already exists: pass --force to replace it, or name another file "
        "with --output\n"
    )
    assert target.read_text() == "mine"
    assert seeded("report", "html", "-o", str(target), "--force").exit_code == 0
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert dump(engine) == before


def test_an_unwritable_output_is_refused_before_any_work(seeded, tmp_path):
    target = tmp_path / "missing" / "report.html"
    result = seeded("report", "html", "-o", str(target))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: cannot write {target}: ")
    assert len(result.stderr.splitlines()) == 1
    assert not target.parent.exists()


def test_an_unknown_group_is_one_line_and_nothing_written(seeded, tmp_path):
    target = tmp_path / "report.html"
    result = seeded("report", "html", "--group", "Atlantis", "-o", str(target))
    assert result.exit_code != 0
    assert len(result.stderr.splitlines()) == 1
    assert "Atlantis" in result.stderr
    assert not target.exists()


def test_a_window_that_ends_before_it_starts_is_refused(seeded, tmp_path):
    target = tmp_path / "report.html"
    result = seeded("report", "html", "--since", UNTIL, "--until", "2026-01-01", "-o", str(target))
    assert result.exit_code == 2
    assert "--since must be before the report's end" in result.stderr
    assert not target.exists()


@pytest.mark.slow  # two processes
def test_same_bytes_from_two_processes_with_different_hash_seeds(seeded, db_url):
    def run(seed: str) -> bytes:
        argv = [sys.executable, "-m", "cli.main", "--db", db_url, "report", "html",
                "--until", UNTIL, "--lang", "fr", "-o", "-"]  # fmt: skip
        env = {**os.environ, "PYTHONHASHSEED": seed, "LADDER_TZ": "UTC"}
        return subprocess.run(argv, capture_output=True, check=True, env=env).stdout

    first = run("1")
    assert first == run("2")
    assert (
        first == seeded("report", "html", "--until", UNTIL, "--lang", "fr", "-o", "-").stdout_bytes
    )


def test_without_the_web_extra_it_says_what_to_install(ladder_cli, monkeypatch, tmp_path):
    from cli.report.html import MISSING

    monkeypatch.setitem(sys.modules, "jinja2", None)  # import jinja2 -> ImportError
    # the modules that import jinja2 are imported afresh (and fail); their package stays, so
    # later tests find it whole
    for name in ("web.html_report.page", "web.html_report.section"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    result = ladder_cli("report", "html", "-o", str(tmp_path / "r.html"))
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: {MISSING}"
    assert not (tmp_path / "r.html").exists()
