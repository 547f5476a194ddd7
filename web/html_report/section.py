"""What every section of the HTML report gets and gives.

A section is a small module of :mod:`web.html_report.sections`: ``build(context)`` reads
its data (a few grouped queries), draws its chart (:mod:`web.html_report.charts`) and fills
its template block (``templates/<key>.html``), and returns a :class:`Section`, or None when it
has nothing to show.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from typing import Any

from jinja2 import Environment
from markupsafe import Markup
from sqlalchemy import Connection

from ladder.domain.ladderfile import LadderFile
from ladder.reports.window import Window
from web.html_report.words import Words


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

    def section(self, key: str, **values: Any) -> Section:
        """The section ``key`` with its template filled with ``values`` (and ``w``, the words)."""
        template = self.templates.get_template(f"{key}.html")
        body = Markup(template.render(w=self.words, **values))
        return Section(key, self.words(key), body)
