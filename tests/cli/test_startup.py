"""Start-up: help listings and usage errors import no command module, nor SQLAlchemy nor
pydantic; the listed one-line helps are the commands' own (they never drift)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest

from cli.lazy import LazyGroup
from cli.main import COMMANDS, cli

ROOT = Path(__file__).resolve().parents[2]


def _lazy_groups() -> list[tuple[str, LazyGroup]]:
    """The root and every lazy group under it (`ladder people`, `ladder report`...)."""
    found: list[tuple[str, LazyGroup]] = []
    pending: list[tuple[str, click.Command]] = [("ladder", cli)]
    while pending:
        path, command = pending.pop()
        if isinstance(command, LazyGroup):
            found.append((path, command))
            ctx = click.Context(command)
            for name in command.lazy:
                sub = command.get_command(ctx, name)
                assert sub is not None
                pending.append((f"{path} {name}", sub))
    return found


GROUPS = _lazy_groups()


def test_every_lazy_group_is_found() -> None:
    paths = {path for path, _ in GROUPS}
    assert {"ladder", "ladder people", "ladder report"} <= paths


@pytest.mark.parametrize(("path", "group"), GROUPS, ids=[path for path, _ in GROUPS])
def test_listed_help_is_the_commands_own(path: str, group: LazyGroup) -> None:
    ctx = click.Context(group)
    assert set(group.summaries) == set(group.lazy), f"{path}: a command without its summary"
    for name, summary in group.summaries.items():
        command = group.get_command(ctx, name)
        assert command is not None and not command.hidden and not command.deprecated
        assert summary == command.get_short_help_str(10**6), f"{path} {name}"


@pytest.mark.parametrize("width", [60, 80, 100, 200])
@pytest.mark.parametrize(("path", "group"), GROUPS, ids=[path for path, _ in GROUPS])
def test_listing_reads_as_clicks_own(path: str, group: LazyGroup, width: int) -> None:
    """The listing from the summaries is the one click writes from the imported commands."""
    ctx = click.Context(group, max_content_width=width, terminal_width=width)
    ours, clicks = click.HelpFormatter(width=width), click.HelpFormatter(width=width)
    group.format_commands(ctx, ours)
    click.Group.format_commands(group, ctx, clicks)
    assert ours.getvalue() == clicks.getvalue()
    assert all(name in ours.getvalue() for name in group.lazy)


def test_a_command_without_summary_is_still_listed() -> None:
    group = LazyGroup("g", lazy={"checkin": COMMANDS["checkin"], "next": COMMANDS["next"]})
    group.summaries = {"next": "Listed without importing."}
    formatter = click.HelpFormatter(width=100)
    group.format_commands(click.Context(group), formatter)
    text = formatter.getvalue()
    assert "Listed without importing." in text
    assert "Check a person in to an event" in text  # imported, as click does


_PROBE = """
import json, sys
from cli.main import cli
try:
    cli(sys.argv[1:], prog_name="ladder")
except SystemExit as exit:
    code = exit.code
print("\\n@@" + json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def _python(probe: str, args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """A fresh interpreter running ``probe`` in ``cwd`` (its HOME), nothing else inherited."""
    return subprocess.run(
        [sys.executable, "-c", probe, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "HOME": str(cwd)},
    )


def _run(args: list[str], cwd: Path) -> tuple[int, set[str], str]:
    done = _python(_PROBE, args, cwd)
    payload = json.loads(done.stdout.rsplit("@@", 1)[1])
    return payload["code"], set(payload["modules"]), done.stdout + done.stderr


HEAVY = ("sqlalchemy", "pydantic", "tabulate", "networkx")


@pytest.mark.parametrize(
    ("args", "code", "shown"),
    [
        (["--help"], 0, "checkin"),
        (["-h"], 0, "Who to ask next"),
        (["people", "--help"], 0, "Why PERSON is on their rung"),
        (["report", "--help"], 0, "The ladder funnel over time"),
        (["nosuch"], 2, "No such command 'nosuch'"),
        (["--nosuch"], 2, "No such option '--nosuch'"),
        (["people", "nosuch"], 2, "No such command 'nosuch'"),
    ],
)
def test_help_and_usage_errors_import_no_command(
    args: list[str], code: int, shown: str, tmp_path: Path
) -> None:
    exit_code, modules, output = _run(args, tmp_path)
    assert exit_code == code
    assert shown in output
    heavy = sorted(m for m in modules if m.split(".")[0] in HEAVY)
    assert heavy == [], heavy
    commands = {target.split(":")[0] for target in COMMANDS.values()} - {"cli.people", "cli.report"}
    assert sorted(modules & commands) == []
    assert not (tmp_path / "ladder.db").exists()  # and nothing was created


def test_a_command_still_imports_what_it_uses(tmp_path: Path) -> None:
    """The probe sees imports: a real command (on a missing database) does load SQLAlchemy."""
    exit_code, modules, output = _run(["people", "list"], tmp_path)
    assert exit_code == 1
    assert "sqlalchemy" in modules and "cli.people.listing" in modules


def test_errors_other_than_sqlalchemys_pass_through() -> None:
    """cli/errors.py checks SQLAlchemy errors without importing SQLAlchemy: the rest go on."""
    from sqlalchemy.exc import DataError, OperationalError

    from cli.errors import translated_errors

    with pytest.raises(KeyError), translated_errors():
        raise KeyError("not ours")
    missing = "^database error: no such table: x$"
    with pytest.raises(click.ClickException, match=missing), translated_errors():
        raise OperationalError("SELECT", {}, Exception("no such table: x"))
    refused = "^the database refused a value: too long"
    with pytest.raises(click.ClickException, match=refused), translated_errors():
        raise DataError("INSERT", {}, Exception("too long"))


# what each command must not import: the rules engine's other parts are loaded by name, on use
_RULES_ASIDE = ["ladder.rules.whatif", "ladder.rules.manual", "ladder.rules.rungs"]


@pytest.mark.slow  # real processes
@pytest.mark.parametrize(
    ("args", "unused"),
    [
        (["people", "show", "1"], []),
        (["next", "--limit", "3"], ["ladder.rules.engine", "ladder.orgs.manage", *_RULES_ASIDE]),
        (
            ["checkin", "--late", "1", "2"],
            ["ladder.rules.explain", "ladder.orgs.manage", *_RULES_ASIDE],
        ),
    ],
)
def test_commands_read_the_checked_ladder_file_without_pydantic(
    args: list[str], unused: list[str], tmp_path: Path
) -> None:
    """Once a ladder file was checked (here by `init`), a command reads it from the cache: no
    pydantic, and neither the door loop's nor editing's modules for a plain check-in; nor the
    parts of the rules engine and the organisations' module a command does not use."""
    db = str(tmp_path / "ladder.db")
    for setup in (["--db", db, "init"], ["--db", db, "seed", "--people", "30"]):
        assert _run(setup, tmp_path)[0] == 0
    exit_code, modules, output = _run(["--db", db, *args], tmp_path)
    assert exit_code == 0, output
    assert "sqlalchemy" in modules and "ladder.domain.ladderfile" in modules
    assert "pydantic" not in modules and "ladder.domain.ladder_schema" not in modules
    assert "ladder.people.edit" not in modules and "ladder.events.door" not in modules
    assert sorted(modules & set(unused)) == []


_MAIN_PROBE = """
import atexit, gc, sys
from cli.main import main
atexit.register(lambda: print("@@frozen", gc.get_freeze_count() > 0, flush=True))
sys.argv = ["ladder", *sys.argv[1:]]
main()
"""


@pytest.mark.parametrize(
    ("args", "code", "shown"), [(["--help"], 0, "checkin"), (["nosuch"], 2, "No such command")]
)
def test_the_console_command_freezes_what_lives_at_exit(
    args: list[str], code: int, shown: str, tmp_path: Path
) -> None:
    """`ladder` (main) freezes the objects alive at exit, so the interpreter's last garbage
    collections skip them; the exit code, the output and atexit handlers are as before."""
    done = _python(_MAIN_PROBE, args, tmp_path)
    assert done.returncode == code
    assert shown in done.stdout + done.stderr
    assert done.stdout.rstrip().endswith("@@frozen True")
