"""One small cache for statements built once per process: rule plans, progress statements and
ranking queries, each keyed by what shapes it (the ladder file, a scope, a request's shape)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

V = TypeVar("V")


class BuiltOnce(Generic[V]):
    """Least recently used first out, at most ``size`` entries: ``cache.get(key, build)``."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, V] = OrderedDict()

    def get(self, key: Hashable, build: Callable[[], V]) -> V:
        if key in self._items:
            self._items.move_to_end(key)
            return self._items[key]
        value = self._items[key] = build()
        if len(self._items) > self.size:
            self._items.popitem(last=False)
        return value


_PER_OBJECT: dict[tuple[int, str], tuple[Any, Any]] = {}
PER_OBJECT_SIZE = 256  # a process holds a ladder or two; tests build hundreds


def per_object(owner: Any, name: str, build: Callable[[], V]) -> V:
    """``build()`` once per ``owner`` object (a loaded ladder file, immutable) and ``name``.

    Keyed by identity, checked: the entry keeps ``owner`` alive, so its id is never reused
    for another object while the entry lasts. For what a call would otherwise recompute from
    the whole ladder each time (its JSON as a cache key, the days its rules look back).
    """
    key = (id(owner), name)
    found = _PER_OBJECT.get(key)
    if found is None or found[0] is not owner:
        if len(_PER_OBJECT) >= PER_OBJECT_SIZE:
            _PER_OBJECT.clear()
        found = _PER_OBJECT[key] = (owner, build())
    value: V = found[1]
    return value


def ladder_key(ladder: Any) -> str:
    """The ladder file's JSON, the key of the statements built for it (computed once)."""
    return per_object(ladder, "json", ladder.model_dump_json)
