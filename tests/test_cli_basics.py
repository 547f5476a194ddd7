"""The root command: version, help with an example, misuse exits 2."""

from click.testing import CliRunner

from cli.main import COMMANDS, cli
from ladder import __version__


def test_version():
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.stdout


def test_every_command_has_help_with_an_example():
    runner = CliRunner()
    for name in COMMANDS:
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0, (name, result.output)
        group = cli.get_command(None, name)  # type: ignore[arg-type]
        commands = getattr(group, "commands", {name: group})
        for sub in commands.values():
            assert "Example" in (sub.help or "") + (sub.epilog or ""), f"{name} {sub.name}"


def test_a_bad_option_value_is_misuse_exit_2(tmp_path):
    result = CliRunner().invoke(cli, ["ladder", "show", "--format", "xml"])
    assert result.exit_code == 2
    assert "Invalid value for '--format'" in result.stderr
