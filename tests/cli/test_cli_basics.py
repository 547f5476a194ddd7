"""The root command: version, help with an example, misuse exits 2."""

import click
from click.testing import CliRunner

from cli.main import COMMANDS, cli
from ladder import __version__


def test_version():
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.stdout


def _walk(command: click.Command, path: list[str]):
    yield path, command
    if isinstance(command, click.Group):
        ctx = click.Context(command)
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            assert sub is not None, f"{' '.join(path)} {name} does not load"
            yield from _walk(sub, [*path, name])


def test_every_command_has_help_with_an_example():
    runner = CliRunner()
    seen = 0
    for path, _command in _walk(cli, []):
        if not path:
            continue
        result = runner.invoke(cli, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "Example" in result.stdout, f"`ladder {' '.join(path)} --help` has no example"
        seen += 1
    assert seen >= len(COMMANDS)


def test_a_bad_option_value_is_misuse_exit_2(tmp_path):
    result = CliRunner().invoke(cli, ["ladder", "show", "--format", "xml"])
    assert result.exit_code == 2
    assert "Invalid value for '--format'" in result.stderr
