"""The import plan's new people, lines, recruiters, tool ids and consents, kept by line
(newpeople.py), answer as the dicts they replace; the cycle search walks only the edges
that end in a cycle, and finds the same cycles, in the same order, as over every edge."""

from hypothesis import given, settings
from hypothesis import strategies as st

from ladder.people.importing.known import Known
from ladder.people.importing.newpeople import ByLine, Lines, NewPeople, NewPerson, Recruiters
from ladder.people.importing.recruiters import _reaching_cycles
from ladder.recruitment.cycles import find_new_cycles

NAMES = st.sampled_from([None, "Awa", "Zoé", "Kofi"])
GROUPS = st.sampled_from([None, None, 3, "brest nord"])
# a row: how many lines it skips, whether it is refused later, its values
ROWS = st.lists(
    st.tuples(st.integers(1, 3), st.booleans(), NAMES, NAMES, NAMES, GROUPS), max_size=25
)


@settings(max_examples=300, deadline=None)
@given(ROWS)
def test_new_people_answer_as_a_dict_of_tuples(rows: list[tuple]) -> None:
    new, everyone, accepted = NewPeople(), {}, {}
    line = 1
    for skip, refused, first, last, postcode, group in rows:
        line += skip
        email = f"{first or 'x'}.{line}@example.org".lower() if first else None
        phone = f"+3361234{line:04d}" if last else None
        key = new.add(line, first, last, email, phone, postcode, group)
        assert key == -line
        everyone[key] = accepted[key] = NewPerson(first, last, email, phone, postcode, group)
        if refused:
            assert new.pop(key) == accepted.pop(key)
            assert new.pop(key) is None  # once
    assert list(new) == list(accepted)
    assert len(new) == len(accepted)
    assert dict(new.items()) == accepted
    assert all(new.person(key) == person for key, person in everyone.items())
    assert dict(new.everyone()) == everyone
    assert [k for k in range(-line - 2, 3) if k in new] == sorted(accepted)
    lines = Lines(new)
    lines[7_000] = 2  # a known person's
    assert dict(lines) == {7_000: 2, **{key: -key for key in everyone}}
    assert all(lines[key] == -key for key in everyone) and 0 not in lines


@st.composite
def recruitments(draw: st.DrawFn) -> tuple[Recruiters, dict[int, int], Known]:
    """Rows naming new people (keys -line) or known ones (ids), in file order, each with a
    recruiter or not; known people have recruiters in the database (cycles there too)."""
    count = draw(st.integers(0, 14))
    ids = list(range(1, 7))
    known = Known()
    for person_id in ids:
        parent = draw(st.sampled_from([None, *ids]))
        known.people[person_id] = (person_id, *([None] * 9), parent)
    new = NewPeople()
    lines = Lines(new)
    named: list[int] = []
    unused = list(ids)
    for line in range(2, 2 + count):
        if unused and draw(st.booleans()):
            key = unused.pop(draw(st.integers(0, len(unused) - 1)))
            lines[key] = line
        else:
            key = new.add(line, "Awa", None, None, None, None, None)
        named.append(key)
    recruiters, reference = Recruiters(lines), {}
    for key in named:
        if draw(st.booleans()):
            recruiter = draw(st.sampled_from([*named, *ids]))
            recruiters[key] = reference[key] = recruiter
    return recruiters, reference, known


@settings(max_examples=500, deadline=None)
@given(recruitments())
def test_the_cycles_are_found_as_over_every_edge(
    drawn: tuple[Recruiters, dict[int, int], Known],
) -> None:
    recruiters, reference, known = drawn
    assert list(recruiters) == list(reference)  # the order they were set in
    assert dict(recruiters.items()) == reference
    found = find_new_cycles(_reaching_cycles(recruiters, known), known.parent)
    assert found == find_new_cycles(reference, known.parent)


@settings(max_examples=300, deadline=None)
@given(recruitments(), st.data())
def test_values_by_line_answer_as_a_dict(
    drawn: tuple[Recruiters, dict[int, int], Known], data: st.DataObject
) -> None:
    recruiters, _reference, _known = drawn
    keys = list(recruiters.lines)  # everyone the rows named
    keys.sort(key=recruiters.lines.__getitem__)  # in file order, as the planner sets them
    tool_ids, reference = ByLine[str](recruiters.lines), {}
    for key in keys:
        if data.draw(st.booleans()):
            value = f"nb-{key}"
            assert tool_ids.setdefault(key, value) == reference.setdefault(key, value)
            assert tool_ids.setdefault(key, "other") == value  # the first stays
    for key in data.draw(st.lists(st.sampled_from(keys))) if keys else []:
        assert tool_ids.pop(key, None) == reference.pop(key, None)
    assert list(tool_ids) == list(reference)
    assert list(tool_ids.items()) == list(reference.items())
    assert list(tool_ids.values()) == list(reference.values())
    assert len(tool_ids) == len(reference) and bool(tool_ids) == bool(reference)
    assert all(tool_ids.get(key) == reference.get(key) for key in [*keys, -999, 999])
