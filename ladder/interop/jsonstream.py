"""Reading a HAL+JSON document without loading its collections whole.

An OSDI collection is one object whose ``_embedded`` holds arrays (``osdi:people``, ...): the
items of those arrays are decoded one at a time from a buffer refilled in chunks, so a 1M-person
file never exists as one Python list. Everything else in the document is decoded normally.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from ladder.errors import InputError

_CHUNK = 1 << 20
_WHITESPACE = " \t\n\r"
_DECODER = json.JSONDecoder()


@dataclass
class Item:
    """One document: ``collection`` is the ``_embedded`` key it came from ('' for a whole
    file that is one document), ``path`` its JSON path for messages."""

    collection: str
    index: int
    path: str
    document: Any


class _Buffer:
    def __init__(self, stream: IO[str], source: str) -> None:
        self.stream = stream
        self.source = source
        self.text = ""
        self.pos = 0
        self.eof = False

    def _fill(self) -> bool:
        chunk = self.stream.read(_CHUNK)
        if not chunk:
            self.eof = True
            return False
        self.text = self.text[self.pos :] + chunk
        self.pos = 0
        return True

    def peek(self) -> str:
        while True:
            text, pos = self.text, self.pos
            while pos < len(text) and text[pos] in _WHITESPACE:
                pos += 1
            self.pos = pos
            if pos < len(text):
                return text[pos]
            if not self._fill():
                return ""

    def expect(self, char: str, path: str) -> None:
        found = self.peek()
        if found != char:
            shown = repr(found) if found else "the end of the file"
            raise InputError(
                f"{self.source}: {path}: not valid JSON (expected {char!r}, found {shown})"
            )
        self.pos += 1

    def value(self, path: str) -> Any:
        self.peek()
        while True:
            try:
                value, end = _DECODER.raw_decode(self.text, self.pos)
            except json.JSONDecodeError as exc:
                if not self.eof and self._fill():
                    continue
                raise InputError(
                    f"{self.source}: {path}: not valid JSON ({exc.msg}): fix the file, or "
                    "export it again"
                ) from None
            if end >= len(self.text) and not self.eof and self._fill():
                continue  # a number may go on in the next chunk
            self.pos = end
            return value


def read_items(stream: IO[str], source: str) -> Iterator[Item]:
    """The documents of one file: each item of its ``_embedded`` arrays, or the file itself."""
    buffer = _Buffer(stream, source)
    if buffer.peek() != "{":
        value = buffer.value("$")
        raise InputError(
            f"{source}: $: a JSON {type(value).__name__}, not an OSDI document (an object)"
        )
    buffer.expect("{", "$")
    top: dict[str, Any] = {}
    streamed = False
    first = True
    while buffer.peek() != "}":
        if not first:
            buffer.expect(",", "$")
        first = False
        key = buffer.value("$")
        buffer.expect(":", f"$.{key}")
        if key == "_embedded" and buffer.peek() == "{":
            embedded: dict[str, Any] = {}
            arrays: list[str] = []
            yield from _embedded(buffer, embedded, arrays)
            streamed = streamed or bool(arrays)
            top[key] = embedded
        else:
            top[str(key)] = buffer.value(f"$.{key}")
    buffer.expect("}", "$")
    if buffer.peek() != "":
        raise InputError(f"{source}: $: not valid JSON (more text after the document)")
    if not streamed:
        yield Item("", 0, "$", top)


def _embedded(buffer: _Buffer, kept: dict[str, Any], arrays: list[str]) -> Iterator[Item]:
    buffer.expect("{", "$._embedded")
    first = True
    while buffer.peek() != "}":
        if not first:
            buffer.expect(",", "$._embedded")
        first = False
        key = str(buffer.value("$._embedded"))
        where = f"$._embedded[{key!r}]"
        buffer.expect(":", where)
        if buffer.peek() != "[":
            kept[key] = buffer.value(where)
            continue
        buffer.expect("[", where)
        arrays.append(key)
        index = 0
        while buffer.peek() != "]":
            if index:
                buffer.expect(",", f"{where}[{index}]")
            path = f"{where}[{index}]"
            yield Item(key, index, path, buffer.value(path))
            index += 1
        buffer.expect("]", where)
    buffer.expect("}", "$._embedded")
