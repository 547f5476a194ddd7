"""Every command, every parameter, absurd values: one line and a plain exit, never a traceback.

The walk covers the whole click tree, lazily loaded groups included. Each run puts one absurd
value in one parameter (the other required ones get ordinary values, so the command gets as
far as it can), on a real initialised database with a person and an event in it. A refusal
leaves the database as it was.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import click
import pytest
from sqlalchemy import Engine, MetaData, select

from cli.main import COMMANDS, cli
from ladder.domain.ladderfile import default_ladder_path
from tests.factories import add_event, add_person, write

BIG = 2**63
NUMBERS = [str(BIG), f"#{BIG}", str(10**30), str(-BIG - 1), "-1", "0"]
DATES = ["0001-01-01", "9999-12-31 23:59", "99999999999d"]
TEXTS = [
    "a\x00b",
    "\x1b[31mred\x1b]0;title\x07",
    "\x9b31m",
    "x" * 10_000,
    "%",
    "\\",
    "²",
]
ABSURD = NUMBERS + DATES + TEXTS


def _values_for(param: click.Parameter) -> list[str]:
    """The absurd values worth trying on a parameter: all of them on text (ids, names, dates
    and paths are text), the numbers and a few others where click already checks the type."""
    if isinstance(param.type, click.Choice):
        return ["\x1b[31m", "x" * 10_000]
    if isinstance(param.type, click.types._NumberParamTypeBase):
        return [*NUMBERS, "a\x00b", "x" * 10_000]
    return ABSURD


CSV = "first name,last name,email\nAwa,Diallo,awa@example.org\n"


def _commands() -> dict[str, click.Command]:
    """Every leaf command by its full name ("people add"), lazily loaded groups included."""
    found: dict[str, click.Command] = {}

    def walk(command: click.Command, path: list[str]) -> None:
        if isinstance(command, click.Group):
            context = click.Context(command)
            for name in command.list_commands(context):
                sub = command.get_command(context, name)
                assert sub is not None, name
                walk(sub, [*path, name])
        else:
            found[" ".join(path)] = command

    walk(cli, [])
    return found


COMMAND_TREE = _commands()


def test_the_walk_reaches_every_top_level_command():
    assert {name.split()[0] for name in COMMAND_TREE} == set(COMMANDS)
    assert len(COMMAND_TREE) > 35


def _ordinary(name: str, param: click.Parameter, files: dict[str, str]) -> list[str]:
    """An ordinary value for a required parameter, so the command gets to the absurd one."""
    if param.name == "file":
        return [files["ladder" if name.startswith("rules") else "csv"]]
    values = {
        "event": "#1",
        "person": "#1",
        "keep": "#1",
        "other": "#2",
        "recruiter": "#2",
        "people": "#1",
        "tags": "volunteer",
        "rung": "attend",
        "old": "attend",
        "new": "attending",
        "title": "Forum",
        "starts_at": "2026-12-05 18:00",
    }
    return [values.get(param.name or "", "1")]


def _args(name: str, command: click.Command, target: click.Parameter, value: str, files):
    args = name.split()
    for param in command.params:
        if param is not target and not param.required:
            continue
        given = [value] if param is target else _ordinary(name, param, files)
        if isinstance(param, click.Option):
            args.append(param.opts[0])
        args.extend(given)
    if name in ("seed", "demo") and target.name != "people":
        args += ["--people", "1"]
    return args


def _absurd_params(command: click.Command) -> list[click.Parameter]:
    return [
        p
        for p in command.params
        if not (isinstance(p, click.Option) and (p.is_flag or p.count)) and p.name != "help"
    ]


@pytest.mark.slow  # every command x every parameter x every absurd value: minutes, not seconds
@pytest.mark.parametrize("name", sorted(COMMAND_TREE))
def test_absurd_values_get_one_line_never_a_traceback(
    name, ladder_cli, engine, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)  # `ladder demo` writes ./ladder-demo.db
    if name == "serve":  # a value it accepts would start a real server and never return
        monkeypatch.setattr("uvicorn.run", lambda *_args, **_kwargs: None)
    add_person(engine, "Awa", "Diallo", email="awa@example.org")
    add_person(engine, "Jean", "Wamytan", email="jean@example.org")
    add_event(engine, "Forum", starts_in=timedelta(hours=-1))
    files = {"csv": write(tmp_path, "people.csv", CSV), "ladder": str(default_ladder_path())}
    command = COMMAND_TREE[name]
    tables = MetaData()
    tables.reflect(engine)

    def dump() -> dict[str, list[tuple[object, ...]]]:  # tests.factories.dump, reflected once
        return _dump(engine, tables)

    before = dump()
    for param in _absurd_params(command):
        for value in _values_for(param):
            args = _args(name, command, param, value, files)
            result = ladder_cli(*args)
            shown = f"ladder {' '.join(a[:40] for a in args)!r}:\n{result.output[:2000]}"
            assert result.exception is None or isinstance(result.exception, SystemExit), shown
            assert "Traceback" not in result.output, shown
            assert result.exit_code in (0, 1, 2), shown
            assert "\x00" not in result.output and "\x1b" not in result.output, shown
            assert "\x9b" not in result.output, shown
            if result.exit_code != 0:
                errors = [line for line in result.stderr.splitlines() if line.startswith("Error")]
                assert len(errors) == 1, shown
                assert dump() == before, shown
            else:
                before = dump()
            _cleanup(tmp_path, files)


def _cleanup(tmp_path: Path, files: dict[str, str]) -> None:
    """Remove what a successful run left in the folder (an export file, a rejected file)."""
    keep = {Path(p).name for p in files.values()} | {"ladder-demo.db"}
    for path in tmp_path.iterdir():
        if path.is_file() and path.name not in keep and not path.name.startswith("ladder"):
            path.unlink()


def _dump(engine: Engine, metadata: MetaData) -> dict[str, list[tuple[object, ...]]]:
    with engine.connect() as connection:
        return {
            name: [tuple(r) for r in connection.execute(select(table).order_by(*table.primary_key))]
            for name, table in metadata.tables.items()
        }


@pytest.mark.parametrize("option", ["--db", "--ladder-file"])
def test_absurd_root_options_get_one_line_never_a_traceback(option, ladder_cli, tmp_path):
    from click.testing import CliRunner

    for value in [*ABSURD, "postgresql://u:pw@127.0.0.1:notaport/x", "sqlite:///\x00"]:
        args = [option, value, "people", "list"]
        if option == "--ladder-file":
            args = ["--db", ladder_cli.db_url, *args]
        result = CliRunner().invoke(cli, args, env={"LADDER_TZ": "UTC"})
        shown = f"ladder {' '.join(a[:40] for a in args)!r}:\n{result.output[:2000]}"
        assert result.exception is None or isinstance(result.exception, SystemExit), shown
        assert result.exit_code in (0, 1, 2), shown
        assert "\x00" not in result.output and "\x1b" not in result.output, shown
        errors = [line for line in result.stderr.splitlines() if line.startswith("Error")]
        assert len(errors) == (result.exit_code != 0), shown


# --- the messages themselves, for the values the issue names ---------------------------------

ERROR_LINES = {
    ("people", "show", f"#{BIG}"): f"Error: no person matches '#{BIG}': give an id, email or phone",
    ("people", "show", str(BIG)): f"Error: no person matches '{BIG}': give an id, email or phone",
    ("events", "show", f"#{BIG}"): (
        f"Error: no event matches '#{BIG}': give its id (see `ladder events list`)"
    ),
    ("recruiters", "top", "--since", "99999999999d"): (
        "Error: Invalid value for '--since': 99999999999d goes back before 1900-01-01: "
        "give fewer days"
    ),
    ("promote", "--as-of", "0001-01-01"): (
        "Error: Invalid value for '--as-of': 0001-01-01 is out of range: give a date between "
        "1900-01-01 and 2999-12-31"
    ),
    ("events", "list", "--to", "9999-12-31"): (
        "Error: Invalid value for '--to': 9999-12-31 is out of range: give a date between "
        "1900-01-01 and 2999-12-31"
    ),
    ("events", "list", "--limit", str(BIG)): (
        f"Error: Invalid value for '--limit': {BIG} is not in the range 1<=x<=2147483647."
    ),
    ("events", "edit", "#1", "--capacity", str(2**40)): (
        f"Error: Invalid value for '--capacity': {2**40} is not in the range 0<=x<=2147483647."
    ),
}


@pytest.mark.parametrize("args", list(ERROR_LINES), ids=" ".join)
def test_the_values_the_issue_names_get_a_clear_line(args, ladder_cli, engine):
    add_event(engine, "Forum", starts_in=timedelta(hours=-1))
    before = _dump(engine, _reflected(engine))
    result = ladder_cli(*args)
    assert result.exit_code in (1, 2)
    assert [line for line in result.stderr.splitlines() if line.startswith("Error")] == [
        ERROR_LINES[args]
    ]
    assert _dump(engine, _reflected(engine)) == before


def test_an_id_column_or_recruiter_of_2_63_is_a_rejected_row(ladder_cli, engine, tmp_path):
    content = (
        "id,first name,last name,email,recruited by\n"
        f"{BIG},Awa,Diallo,awa@example.org,\n"
        f",Jean,Wamytan,jean@example.org,#{BIG}\n"
    )
    result = ladder_cli("people", "import", write(tmp_path, "people.csv", content))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert (
        f"line 2, column 'id': no database holds an id above {BIG - 1}: "
        "leave the id blank for a new person" in result.output
    )
    assert f"line 3, column 'recruited by': recruited by '#{BIG}': no person #{BIG}" in (
        result.output
    )
    assert _dump(engine, _reflected(engine))["supporters"] == []


def test_a_value_the_database_refuses_is_one_line_not_a_traceback():
    """The safety net, for whatever a check misses: a driver's data error becomes one line."""
    from sqlalchemy.exc import DataError

    from cli.errors import translated_errors

    with pytest.raises(click.ClickException) as caught, translated_errors():
        raise DataError("INSERT ...", {}, Exception("value too long for type character(254)\nx"))
    assert caught.value.message == (
        "the database refused a value: value too long for type character(254): "
        "check the values given"
    )


def _reflected(engine: Engine) -> MetaData:
    metadata = MetaData()
    metadata.reflect(engine)
    return metadata
