"""recruiters_first (the order new people are written in) is the plain chain walk it replaced:
each person once, after their recruiter when the recruiter is new too."""

from collections.abc import Iterator

from hypothesis import given, settings
from hypothesis import strategies as st

from ladder.people.importing.newpeople import NewPeople
from ladder.people.importing.write import recruiters_first


def _plain(new: dict[int, None], recruiters: dict[int, int]) -> Iterator[int]:
    written: set[int] = set()
    for key in new:
        chain = []
        while key in new and key not in written:
            chain.append(key)
            written.add(key)
            key = recruiters.get(key, 0)
        yield from reversed(chain)


KEYS = st.lists(st.integers(-40, -1), unique=True, max_size=30)


@settings(max_examples=300, deadline=None)
@given(KEYS, st.data())
def test_recruiters_first_is_the_plain_walk(keys: list[int], data: st.DataObject) -> None:
    new = dict.fromkeys(keys)
    # recruiters: new people (cycles too), known people (positive ids), and missing keys
    targets = st.one_of(st.sampled_from(keys), st.integers(-45, 45)) if keys else st.integers(1, 9)
    recruiters = data.draw(st.dictionaries(st.sampled_from(keys), targets) if keys else st.just({}))
    got = list(recruiters_first(new, recruiters))
    assert got == list(_plain(new, recruiters))
    assert sorted(got) == sorted(keys)


@settings(max_examples=300, deadline=None)
@given(KEYS, st.data())
def test_recruiters_first_of_planned_people_is_the_plain_walk(
    keys: list[int], data: st.DataObject
) -> None:
    # the plan's new people: in file order (by line), some refused after being planned
    new = NewPeople()
    for key in sorted(keys, reverse=True):
        new.add(-key, "Awa", "Diallo", None, None, None, None)
    refused = data.draw(st.sets(st.sampled_from(keys)) if keys else st.just(set()))
    for key in refused:
        new.pop(key)
    live = [k for k in sorted(keys, reverse=True) if k not in refused]
    targets = st.one_of(st.sampled_from(keys), st.integers(-45, 45)) if keys else st.integers(1, 9)
    recruiters = data.draw(st.dictionaries(st.sampled_from(keys), targets) if keys else st.just({}))
    got = list(recruiters_first(new, recruiters))
    assert got == list(_plain(dict.fromkeys(live), recruiters))
    assert sorted(got) == sorted(live)
