"""What every section of the HTML report gets and gives.

A section is a small module of :mod:`web.html_report.sections`: ``build(context)`` reads
its data (a few grouped queries), draws its chart (:mod:`web.html_report.charts`) and fills
its template block (``templates/<key>.html``), and returns a :class:`Section`, or None when it
has nothing to show. Sections that need the same data (the headline and the groups, the funnel
and the cohorts) read it through :meth:`Context.read`, once for the page.
"""

from __future__ import annotations

from collections.abc import Callable
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


@dataclass(frozen=True)
class Context:
    connection: Connection
    ladder: LadderFile
    window: Window
    zone: tzinfo
    words: Words
    templates: Environment
    reads: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)

    def read(self, reader: Callable[[Context], T]) -> T:
        """``reader(self)``, read once for the page: a section asking again (or another
        section asking the same reader) gets what the first one read."""
        if reader not in self.reads:
            self.reads[reader] = reader(self)
        return self.reads[reader]

    def section(self, key: str, **values: Any) -> Section:
        """The section ``key`` with its template filled with ``values`` (and ``w``, the words)."""
        template = self.templates.get_template(f"{key}.html")
        body = Markup(template.render(w=self.words, **values))
        return Section(key, self.words(key), body)
