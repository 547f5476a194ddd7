"""``ladder report html`` and ``/report``: the whole report as one self-contained HTML page.

No external URL: styles inline, charts inline SVG (:mod:`web.html_report.charts`), no
script; a Content-Security-Policy in the page forbids loading anything. Deterministic: the same
data and window give the same bytes (no time of generation, charts without dates or random
ids). Sections (:mod:`web.html_report.sections`) each read their data in a few grouped
queries; the page is put together with Jinja2 (autoescaped: the movement's names are text).
"""

from __future__ import annotations

import importlib
from datetime import tzinfo

from jinja2 import Environment, PackageLoader, StrictUndefined
from sqlalchemy import Connection

from ladder.clock import to_local
from ladder.domain.ladderfile import LadderFile
from ladder.progress import SILENT, Progress
from ladder.reports.window import Window
from web.html_report.section import Context, Section
from web.html_report.words import Words

# the page's sections, in order (modules of web.html_report.sections)
SECTIONS = (
    "headline",
    "funnel",
    "cohorts",
    "events",
    "partners",
    "campaigns",
    "recruiters",
    "groups",
)


def html_report(
    connection: Connection,
    ladder: LadderFile,
    window: Window,
    zone: tzinfo,
    lang: str = "en",
    progress: Progress = SILENT,
) -> str:
    """The report page for ``window``, in ``lang`` (``en`` or ``fr``); dates in ``zone``."""
    words = Words(lang)
    context = Context(connection, ladder, window, zone, words, templates())
    progress.start("Report", total=len(SECTIONS))
    sections: list[Section] = []
    for name in SECTIONS:
        module = importlib.import_module(f"web.html_report.sections.{name}")
        found = module.build(context)
        if found is not None:
            sections.append(found)
        progress.advance()
    page = context.templates.get_template("page.html").render(
        w=words, lang=lang, title=words("title"), scope=scope(window, zone, words),
        sections=sections,
    )  # fmt: skip
    progress.finish()
    return page


def scope(window: Window, zone: tzinfo, words: Words) -> str:
    """What the report covers, in words: its dates and its group."""
    last_day = window.last_day(zone)
    if window.since is None:
        when = words("up_to", until=words.day(last_day))
    else:
        first_day = to_local(window.since, zone).date()
        when = words("from_to", since=words.day(first_day), until=words.day(last_day))
    where = (
        words("everywhere") if window.group_name is None else words("group", name=window.group_name)
    )
    return f"{when} · {where}"


def templates() -> Environment:
    return Environment(
        loader=PackageLoader("web.html_report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
