"""What every section of the HTML report gets and gives.

A section is a small module of :mod:`web.html_report.sections`: ``build(context)`` reads
its data (a few grouped queries), draws its chart (:mod:`web.html_report.charts`) and fills
its template block (``templates/<key>.html``), and returns a :class:`Section`, or None when it
has nothing to show. Sections that need the same data (the headline and the groups, the funnel
and the cohorts) read it through :meth:`Context.read`, once for the page.

Sections may be built at once in threads, each on its own connection (``Context.connection``;
:func:`web.html_report.page.html_report`): a section touches nothing shared but through
:meth:`Context.read` and the charts (which draw one at a time).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any, TypeVar

from jinja2 import Environment
from markupsafe import Markup
from sqlalchemy import Connection

from ladder.domain.ladderfile import LadderFile
from ladder.reports.window import Window
from web.html_report.words import Words

T = TypeVar("T")


@dataclass(frozen=True)
class Section:
    key: str  # the anchor (#key) and the template's name
    title: str
    body: Markup


class Reads:
    """What readers read for a page, each once, also when threads ask at the same time (the
    first asking reads, the others wait for it)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._found: dict[Any, Future[Any]] = {}

    def once(self, key: Any, read: Callable[[], T]) -> T:
        with self._lock:
            found = self._found.get(key)
            first = found is None
            if found is None:
                found = self._found[key] = Future()
        if first:
            try:
                found.set_result(read())
            except BaseException as exc:
                found.set_exception(exc)
                raise
        return found.result()


@dataclass(frozen=True)
class Context:
    connection: Connection
    ladder: LadderFile
    window: Window
    zone: tzinfo
    words: Words
    templates: Environment
    reads: Reads = field(default_factory=Reads, compare=False, repr=False)

    def read(self, reader: Callable[[Context], T]) -> T:
        """``reader(self)``, read once for the page: a section asking again (or another
        section asking the same reader) gets what the first one read."""
        return self.reads.once(reader, lambda: reader(self))

    def section(self, key: str, **values: Any) -> Section:
        """The section ``key`` with its template filled with ``values`` (and ``w``, the words)."""
        template = self.templates.get_template(f"{key}.html")
        body = Markup(template.render(w=self.words, **values))
        return Section(key, self.words(key), body)
