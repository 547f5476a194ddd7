"""The people new in an imported file, kept in columns until they are written.

A new person's placeholder key is minus the file line naming them, so everything the plan
keeps about them is indexed by line: a list slot a column, a byte for "planned" and one for
"still accepted". A million new people took ~300 bytes each as a tuple under their key in
three dicts (the plan's, the matching indexes' and the lines'); here ~50.
"""

from __future__ import annotations

import heapq
from array import array
from collections.abc import ItemsView, Iterator, Mapping, MutableMapping, ValuesView
from itertools import compress, repeat
from operator import is_not
from typing import Any, NamedTuple, TypeVar, cast

V = TypeVar("V")


class NewPerson(NamedTuple):
    """A person new in the file: what matching, messages and the insert need."""

    first_name: str | None
    last_name: str | None
    email: str | None
    phone: str | None
    postcode: str | None
    group: int | str | None = None  # a local group's id, or the folded name of a new one


class NewPeople(Mapping[int, NewPerson]):
    """The accepted new people by placeholder key (``-line``), in file order: ``key in new``,
    ``new[key]``, iteration, ``len`` and :meth:`pop` (refusing one). :meth:`person` also
    answers for the refused (messages still name them)."""

    def __init__(self) -> None:
        # first names, last names and postcodes, each text once (a file repeats them): the
        # columns hold their positions here, 4 bytes a line where a list held 8
        self.texts: list[str | None] = [None]
        self._codes: dict[str, int] = {}
        self.firsts, self.lasts, self.postcodes = array("I"), array("I"), array("I")  # by line
        self.emails: list[str | None] = []  # by line
        self.phones: list[str | None] = []
        self.groups: list[int | str | None] | None = None  # by line, once a row names one
        self.planned = bytearray()  # by line: 1 when the line planned a new person
        self.live = bytearray()  # by line: 1 while that person is accepted
        self._count = 0

    def add(
        self,
        line: int,
        first: str | None,
        last: str | None,
        email: str | None,
        phone: str | None,
        postcode: str | None,
        group: int | str | None,
    ) -> int:
        """Plan the new person of ``line`` (lines come in increasing order); returns their
        key."""
        planned = self.planned
        gap = line - len(planned)
        if gap < 0:
            raise ValueError(f"line {line} comes after line {len(planned) - 1}")
        if gap:
            self._skip(gap)
        code = self._codes.get
        self.firsts.append((code(first) or self._code(first)) if first else 0)
        self.lasts.append((code(last) or self._code(last)) if last else 0)
        self.postcodes.append((code(postcode) or self._code(postcode)) if postcode else 0)
        self.emails.append(email)
        self.phones.append(phone)
        if group is not None and self.groups is None:
            self.groups = [None] * len(planned)
        if self.groups is not None:
            self.groups.append(group)
        planned.append(1)
        self.live.append(1)
        self._count += 1
        return -line

    def _code(self, text: str) -> int:
        self.texts.append(text)
        self._codes[text] = code = len(self.texts) - 1
        return code

    def _skip(self, lines: int) -> None:
        """Lines that plan nobody new."""
        for codes in (self.firsts, self.lasts, self.postcodes):
            codes.frombytes(bytes(codes.itemsize * lines))
        blanks: list[None] = [None] * lines
        self.emails.extend(blanks)
        self.phones.extend(blanks)
        if self.groups is not None:
            self.groups.extend(blanks)
        self.planned.extend(bytes(lines))
        self.live.extend(bytes(lines))

    def __contains__(self, key: object) -> bool:
        return isinstance(key, int) and 0 < -key < len(self.live) and self.live[-key] == 1

    def __getitem__(self, key: int) -> NewPerson:
        if key not in self:
            raise KeyError(key)
        return self.person(key)

    def __iter__(self) -> Iterator[int]:
        return compress(range(0, -len(self.live), -1), self.live)

    def __len__(self) -> int:
        return self._count

    def pop(self, key: int, default: NewPerson | None = None) -> NewPerson | None:
        """Refuse ``key``'s person (kept for :meth:`person`); None when they were not."""
        if key not in self:
            return default
        self.live[-key] = 0
        self._count -= 1
        return self.person(key)

    def was_planned(self, key: int) -> bool:
        """True when ``key`` names a new person, accepted or refused."""
        return 0 < -key < len(self.planned) and self.planned[-key] == 1

    def person(self, key: int) -> NewPerson:
        """The new person under ``key``, accepted or refused."""
        if not self.was_planned(key):
            raise KeyError(key)
        line, texts = -key, self.texts
        return NewPerson(
            texts[self.firsts[line]],
            texts[self.lasts[line]],
            self.emails[line],
            self.phones[line],
            texts[self.postcodes[line]],
            None if self.groups is None else self.groups[line],
        )

    def everyone(self) -> Iterator[tuple[int, NewPerson]]:
        """Every new person, accepted or refused, with their key."""
        for key in compress(range(0, -len(self.planned), -1), self.planned):
            yield key, self.person(key)


class Lines(MutableMapping[int, int]):
    """Person key -> the line of the row that named them: a known person's in :attr:`known`,
    a new person's is minus their key (a dict entry and an int less a row)."""

    def __init__(self, new: NewPeople) -> None:
        self.known: dict[int, int] = {}
        self.new = new

    def __getitem__(self, key: int) -> int:
        if key > 0:
            return self.known[key]
        if self.new.was_planned(key):
            return -key
        raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, int):
            return False
        return key in self.known if key > 0 else self.new.was_planned(key)

    def __setitem__(self, key: int, line: int) -> None:
        if key > 0:
            self.known[key] = line
        elif key != -line or not self.new.was_planned(key):
            raise ValueError(f"a new person's line is minus their key, not {line} for {key}")

    def __delitem__(self, key: int) -> None:
        if key < 0:
            raise KeyError(f"a new person's line stays: {key}")
        del self.known[key]

    def __iter__(self) -> Iterator[int]:
        yield from self.known
        yield from compress(range(0, -len(self.new.planned), -1), self.new.planned)

    def __len__(self) -> int:
        return len(self.known) + self.new.planned.count(1)


class NewIds(Mapping[int, int]):
    """A new person's key -> the id they were written with (ids by line, 0 for none)."""

    def __init__(self, by_line: array[int] | None = None) -> None:
        self.by_line = by_line if by_line is not None else array("q")
        self._count = len(self.by_line) - self.by_line.count(0)

    def __getitem__(self, key: int) -> int:
        if 0 < -key < len(self.by_line) and (found := self.by_line[-key]):
            return found
        raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, int) and 0 < -key < len(self.by_line) and self.by_line[-key] != 0

    def __iter__(self) -> Iterator[int]:
        return compress(range(0, -len(self.by_line), -1), self.by_line)

    def __len__(self) -> int:
        return self._count

    def values(self) -> ValuesView[int]:
        return _Ids(self)


class _Ids(ValuesView[int]):
    """The ids written, without a lookup each."""

    _mapping: NewIds

    def __iter__(self) -> Iterator[int]:
        return filter(None, self._mapping.by_line)


class Recruiters(MutableMapping[int, int]):
    """Person key -> their new recruiter's key, in the order of the rows naming them: a new
    person's in an array by line (0: none; 8 bytes a line where a dict took ~60 an entry),
    a known person's in :attr:`known`."""

    def __init__(self, lines: Lines) -> None:
        self.by_line = array("q")
        self.known: dict[int, int] = {}
        self.lines = lines
        self._count = 0  # new people with a recruiter

    def __getitem__(self, key: int) -> int:
        if key > 0:
            return self.known[key]
        if 0 < -key < len(self.by_line) and (recruiter := self.by_line[-key]):
            return recruiter
        raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, int):
            return False
        if key > 0:
            return key in self.known
        return 0 < -key < len(self.by_line) and self.by_line[-key] != 0

    def __setitem__(self, key: int, recruiter: int) -> None:
        if key > 0:
            self.known[key] = recruiter
            return
        by_line, line = self.by_line, -key
        if line >= len(by_line):  # a quarter more at a time
            by_line.frombytes(bytes(8 * max(line + 1 - len(by_line), len(by_line) // 4)))
        if not by_line[line]:
            self._count += 1
        by_line[line] = recruiter

    def __delitem__(self, key: int) -> None:
        if key > 0:
            del self.known[key]
        elif key in self:
            self.by_line[-key] = 0
            self._count -= 1
        else:
            raise KeyError(key)

    def __iter__(self) -> Iterator[int]:
        """The keys in the order they were set in, which is their rows' (one row each)."""
        new = compress(range(0, -len(self.by_line), -1), self.by_line)
        if not self.known:
            return new
        return heapq.merge(self.known, new, key=self.lines.__getitem__)

    def __len__(self) -> int:
        return len(self.known) + self._count

    def of_new(self, end: int) -> array[int]:
        """A new person's recruiter by line (0: none), at least ``end`` lines long (made
        that long at once when empty: growing it held a copy on top, at the heaviest
        moment of a big import)."""
        if not self.by_line:
            self.by_line = array("q", [0]) * end
        elif len(self.by_line) < end:
            self.by_line.frombytes(bytes(8 * (end - len(self.by_line))))
        return self.by_line


class ByLine(MutableMapping[int, V]):
    """Person key -> a value the plan keeps (a tool id, the consents a row states), in the
    order they were set in, which is their rows': a new person's in a list by line (None:
    none; 8 bytes a line where a dict took ~60 an entry), a known person's in :attr:`known`."""

    def __init__(self, lines: Lines) -> None:
        self.new: list[V | None] = []
        self.known: dict[int, V] = {}
        self.lines = lines
        self._count = 0  # new people with a value

    def get(self, key: int, default: Any = None) -> Any:
        if key > 0:
            return self.known.get(key, default)
        found = self.new[-key] if -key < len(self.new) else None
        return default if found is None else found

    def __getitem__(self, key: int) -> V:
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return cast(V, found)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, int) and self.get(key) is not None

    def __setitem__(self, key: int, value: V) -> None:
        if key > 0:
            self.known[key] = value
            return
        new, line = self.new, -key
        if line >= len(new):
            new.extend([None] * (line + 1 - len(new)))
        if new[line] is None:
            self._count += 1
        new[line] = value

    def setdefault(self, key: int, default: V) -> V:
        found = self.get(key)
        if found is not None:
            return cast(V, found)
        self[key] = default
        return default

    def __delitem__(self, key: int) -> None:
        if key > 0:
            del self.known[key]
        elif key in self:
            self.new[-key] = None
            self._count -= 1
        else:
            raise KeyError(key)

    def _new_keys(self) -> Iterator[int]:
        return compress(range(0, -len(self.new), -1), map(is_not, self.new, repeat(None)))

    def __iter__(self) -> Iterator[int]:
        """The keys in the order they were set in, which is their rows' (one row each)."""
        if not self.known:
            return self._new_keys()
        return heapq.merge(self.known, self._new_keys(), key=self.lines.__getitem__)

    def __len__(self) -> int:
        return len(self.known) + self._count

    def items(self) -> ItemsView[int, V]:
        return _Items(self)

    def values(self) -> ValuesView[V]:
        return _Values(self)


class _Items(ItemsView[int, V]):
    """(key, value) pairs without a lookup each when only new people have one."""

    _mapping: ByLine[V]

    def __iter__(self) -> Iterator[tuple[int, V]]:
        by_line = self._mapping
        if by_line.known:
            return ((key, by_line[key]) for key in by_line)
        return ((-line, v) for line, v in enumerate(by_line.new) if v is not None)


class _Values(ValuesView[V]):
    _mapping: ByLine[V]

    def __iter__(self) -> Iterator[V]:
        return (value for _key, value in _Items(self._mapping))
