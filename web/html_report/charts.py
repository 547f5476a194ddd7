"""The report's charts: matplotlib's SVG backend, inlined in the page.

matplotlib is imported here, inside the functions, and only the report commands call them
(importing it costs about half a second). Every chart is deterministic: a fixed hash salt for
the ids matplotlib makes, no date in the metadata, chart text kept as real ``<text>`` (the
browser's font draws it, the page's text search and a screen reader find it). Each SVG's ids
are prefixed with the chart's name, so several charts live in one page without clashing; the
fixed width and height are dropped (the viewBox stays) so a chart scales to a phone's width.
Charts are drawn one at a time (a lock): matplotlib's style is global, and sections may be
built in threads.
"""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from markupsafe import Markup, escape

WIDTH = 4.8  # inches: at a phone's width the text keeps about its size
PALETTE = ("#2b6cb0", "#dd6b20", "#38a169", "#805ad5", "#d53f8c", "#319795", "#718096")
STYLE: dict[str, Any] = {
    "svg.hashsalt": "ladder-report",
    "svg.fonttype": "none",
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica"],
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#888888",
}
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.DOTALL)
_ID = re.compile(r'\bid="([^"]+)"')
_REF = re.compile(r"url\(#([^)]+)\)|href=\"#([^\"]+)\"")
Number = Callable[[float], str]
_DRAWING = threading.Lock()  # one chart at a time: the style (rcParams) is matplotlib's global


def _figure(width: float, height: float) -> Any:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), layout="constrained")
    return figure


def _svg(figure: Any, name: str, title: str) -> Markup:
    """The figure as inline SVG: no XML prolog, ids prefixed, responsive, titled."""
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    buffer = io.StringIO()
    FigureCanvasSVG(figure).print_svg(buffer, metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    text = _METADATA.sub("", text)  # RDF about the file: namespaces, version; useless inline
    text = _ID.sub(lambda m: f'id="{name}-{m.group(1)}"', text)
    text = _REF.sub(
        lambda m: f"url(#{name}-{m.group(1)})" if m.group(1) else f'href="#{name}-{m.group(2)}"',
        text,
    )
    head_end = text.index(">")
    head = re.sub(r'\s(width|height)="[^"]*"', "", text[:head_end])
    head += f' role="img" aria-labelledby="{name}-title" class="chart"'
    text = f'{head}>\n<title id="{name}-title">{escape(title)}</title>{text[head_end + 1 :]}'
    return Markup(text.strip())


@contextmanager
def _styled() -> Iterator[None]:
    """The report's style, while this chart alone is drawn."""
    import matplotlib
    from cycler import cycler

    style: Any = {**STYLE, "axes.prop_cycle": cycler(color=PALETTE)}
    with _DRAWING, matplotlib.rc_context(style):
        yield


def hbars(
    name: str,
    title: str,
    labels: Sequence[str],
    values: Sequence[float],
    number: Number,
    *,
    limit_line: float | None = None,
    shown: Sequence[str] | None = None,
) -> Markup:
    """Horizontal bars, the first label on top, each bar's value written at its end
    (``shown`` overrides the written text)."""
    with _styled():
        figure = _figure(WIDTH, 0.5 + 0.32 * max(1, len(labels)))
        axes = figure.add_subplot()
        positions = list(range(len(labels)))[::-1]
        axes.barh(positions, values, color=PALETTE[0], height=0.6)
        axes.set_yticks(positions, labels=list(labels))
        top = max([*values, limit_line or 0, 1])
        axes.set_xlim(0, top * 1.18)
        axes.xaxis.set_major_formatter(_formatter(number))
        texts = shown if shown is not None else [number(v) for v in values]
        for position, value, text in zip(positions, values, texts, strict=True):
            axes.text(value + top * 0.01, position, text, va="center", fontsize=9)
        if limit_line is not None:
            axes.axvline(limit_line, color="#555555", linewidth=0.8, linestyle="--")
        axes.tick_params(axis="y", length=0)
        return _svg(figure, name, title)


def stacked_hbars(
    name: str,
    title: str,
    labels: Sequence[str],
    series: dict[str, Sequence[float]],
    number: Number,
) -> Markup:
    """Horizontal bars stacked by series (one colour each, in order), with a legend."""
    with _styled():
        figure = _figure(WIDTH, 0.9 + 0.32 * max(1, len(labels)))
        axes = figure.add_subplot()
        positions = list(range(len(labels)))[::-1]
        left = [0.0] * len(labels)
        for index, (serie, values) in enumerate(series.items()):
            color = PALETTE[index % len(PALETTE)]
            axes.barh(positions, values, left=left, color=color, height=0.6, label=serie)
            left = [a + b for a, b in zip(left, values, strict=True)]
        axes.set_yticks(positions, labels=list(labels))
        axes.xaxis.set_major_formatter(_formatter(number))
        axes.tick_params(axis="y", length=0)
        axes.legend(
            loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=min(4, len(series)), frameon=False
        )
        return _svg(figure, name, title)


def lines(
    name: str,
    title: str,
    x_labels: Sequence[str],
    series: dict[str, Sequence[float | None]],
    number: Number,
) -> Markup:
    """One line per series over the same x labels (at most about 12 labels written)."""
    with _styled():
        figure = _figure(WIDTH, 3.2)
        axes = figure.add_subplot()
        positions = list(range(len(x_labels)))
        for index, (serie, values) in enumerate(series.items()):
            color = PALETTE[index % len(PALETTE)]
            ys = [float("nan") if v is None else v for v in values]
            axes.plot(positions, ys, color=color, linewidth=1.6, label=serie, marker=".")
        step = max(1, len(x_labels) // 10)
        ticks = positions[::step]
        axes.set_xticks(ticks, labels=[x_labels[i] for i in ticks], rotation=45, ha="right")
        axes.yaxis.set_major_formatter(_formatter(number))
        axes.set_ylim(bottom=0)
        axes.grid(axis="y", color="#e2e2e2", linewidth=0.6)
        if len(series) > 1:
            axes.legend(frameon=False, fontsize=8)
        return _svg(figure, name, title)


def _formatter(number: Number) -> Any:
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda value, _position: number(value))
