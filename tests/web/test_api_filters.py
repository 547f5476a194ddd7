"""The ``filter=`` parser alone: what SQL it writes (only column expressions, operators and
parameter names) and what it refuses."""

from __future__ import annotations

from datetime import datetime

import pytest

from ladder.errors import InputError
from web.api.filters import Field, parse

FIELDS = {
    "modified_date": Field("COALESCE(s.updated_at, s.created_at)", "date"),
    "email_address": Field("s.email", "email", nullable=True),
}


def test_no_filter_is_everything() -> None:
    assert parse(None, FIELDS).sql == "1 = 1"
    assert parse("  ", FIELDS).params == []


def test_values_are_bound_never_written_into_the_sql() -> None:
    condition = parse("email_address eq 'a'' OR 1=1 --' or email_address ne 'B@x'", FIELDS)
    assert condition.sql == "(s.email = :_f0 OR (s.email IS NULL OR s.email <> :_f1))"
    assert [p.value for p in condition.params] == ["a' or 1=1 --", "b@x"]


def test_and_binds_tighter_than_or_and_parentheses_group() -> None:
    sql = parse("email_address eq 'a' or email_address eq 'b' and email_address eq 'c'", FIELDS).sql
    assert sql == "(s.email = :_f0 OR s.email = :_f1 AND s.email = :_f2)"
    sql = parse("(email_address eq 'a' OR email_address eq 'b') and email_address eq 'c'", FIELDS)
    assert sql.sql == "((s.email = :_f0 OR s.email = :_f1) AND s.email = :_f2)"


def test_a_date_alone_is_the_whole_day_and_a_moment_is_utc() -> None:
    column = "COALESCE(s.updated_at, s.created_at)"
    eq = parse("modified_date eq '2026-01-31'", FIELDS)
    assert eq.sql == f"(({column} >= :_f0 AND {column} < :_f1))"
    assert [p.value for p in eq.params] == [datetime(2026, 1, 31), datetime(2026, 2, 1)]
    gt = parse("modified_date gt '2026-01-31'", FIELDS)
    assert gt.sql == f"({column} >= :_f0)" and gt.params[0].value == datetime(2026, 2, 1)
    le = parse("modified_date le '2026-01-31'", FIELDS)
    assert le.sql == f"({column} < :_f0)" and le.params[0].value == datetime(2026, 2, 1)
    moment = parse("modified_date lt '2026-01-31T10:00:00+02:00'", FIELDS)
    assert moment.sql == f"({column} < :_f0)"
    assert moment.params[0].value == datetime(2026, 1, 31, 8)


@pytest.mark.parametrize(
    "given",
    ["name eq 'a'", "email_address is 'a'", "email_address eq", "email_address eq 'a' or",
     "(email_address eq 'a'", "email_address eq 'a' email_address eq 'b'", "'a' eq email_address",
     "email_address eq 'a' ; drop", "modified_date gt '31/01/2026'", "email_address eq 3"],
)  # fmt: skip
def test_refusals_say_what_is_accepted(given: str) -> None:
    with pytest.raises(InputError, match=r"^filter: .*(and/or|modified_date)"):
        parse(given, FIELDS)


def test_a_collection_without_fields_takes_no_filter() -> None:
    with pytest.raises(InputError, match="cannot be filtered"):
        parse("email_address eq 'a'", {})
