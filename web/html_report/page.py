"""``ladder report html`` and ``/report``: the whole report as one self-contained HTML page.

No external URL: styles inline, charts inline SVG (:mod:`web.html_report.charts`), no
script; a Content-Security-Policy in the page forbids loading anything. Deterministic: the same
data and window give the same bytes (no time of generation, charts without dates or random
ids). Sections (:mod:`web.html_report.sections`) each read their data in a few grouped
queries; the page is put together with Jinja2 (autoescaped: the movement's names are text).

The sections are built ``WORKERS`` at a time, in threads, each on its own connection: they are
independent reads, and a database statement runs without Python's lock (SQLite's and
psycopg's both release it), so two cores read two sections at once. The connections see the
same data (:func:`ladder.storage.engine.readers_alike`; else the page is built on the one
connection given, one section after the other); the page lists the sections in their order
whatever order they finish in, so the same data still give the same bytes.
"""

from __future__ import annotations

import importlib
import queue
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import replace
from datetime import tzinfo
from types import ModuleType

from jinja2 import Environment, PackageLoader, StrictUndefined
from sqlalchemy import Connection

from ladder.clock import to_local
from ladder.domain.ladderfile import LadderFile
from ladder.progress import SILENT, Progress
from ladder.reports.window import Window
from ladder.storage.engine import readers_alike
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
WORKERS = 2  # sections built at once (the machines it runs on have two cores or more)


def html_report(
    connection: Connection,
    ladder: LadderFile,
    window: Window,
    zone: tzinfo,
    lang: str = "en",
    progress: Progress = SILENT,
    workers: int = WORKERS,
) -> str:
    """The report page for ``window``, in ``lang`` (``en`` or ``fr``); dates in ``zone``;
    ``workers`` sections built at once (1: one after the other on ``connection``)."""
    words = Words(lang)
    context = Context(connection, ladder, window, zone, words, templates())
    modules = [importlib.import_module(f"web.html_report.sections.{name}") for name in SECTIONS]
    progress.start("Report", total=len(SECTIONS))
    with readers_alike(connection, workers) as connections:
        built = _built(context, modules, connections, progress)
    sections = [section for section in built if section is not None]
    page = context.templates.get_template("page.html").render(
        w=words, lang=lang, title=words("title"), scope=scope(window, zone, words),
        sections=sections,
    )  # fmt: skip
    progress.finish()
    return page


def _built(
    context: Context,
    modules: Sequence[ModuleType],
    connections: list[Connection],
    progress: Progress,
) -> list[Section | None]:
    """Each module's section, in order; built in as many threads as there are connections,
    a connection to each section being built (the progress advanced as each is done)."""
    free: queue.SimpleQueue[Connection] = queue.SimpleQueue()
    for connection in connections:
        free.put(connection)

    def build(module: ModuleType) -> Section | None:
        connection = free.get()
        try:
            found: Section | None = module.build(replace(context, connection=connection))
            return found
        finally:
            free.put(connection)

    if len(connections) == 1:
        done = []
        for module in modules:
            done.append(build(module))
            progress.advance()
        return done
    with ThreadPoolExecutor(len(connections), thread_name_prefix="report") as pool:
        futures = [pool.submit(build, module) for module in modules]
        try:
            for future in as_completed(futures):
                future.result()  # the first failure, raised here
                progress.advance()
        except BaseException:
            for future in futures:
                future.cancel()
            raise
    return [future.result() for future in futures]


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
