"""One small cache for statements built once per process: rule plans, progress statements and
ranking queries, each keyed by what shapes it (the ladder file, a scope, a request's shape)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

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
