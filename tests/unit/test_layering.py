"""The library stays free of the command line and opens nothing at import time."""

import ast
import pkgutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import ladder


def _library_modules() -> list[str]:
    return [
        info.name
        for info in pkgutil.walk_packages(ladder.__path__, prefix="ladder.")
        if ".migrations" not in info.name
    ]


def test_importing_every_ladder_module_loads_neither_click_nor_tabulate(tmp_path):
    modules = _library_modules()
    assert "ladder.workspace" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "bad = sorted(m for m in ('click', 'tabulate') if m in sys.modules)\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, check=True
    )
    assert result.stdout.strip() == ""


def test_importing_the_library_creates_no_database_file(tmp_path):
    code = "import importlib\n" + "".join(
        f"importlib.import_module({name!r})\n" for name in _library_modules()
    )
    subprocess.run([sys.executable, "-c", code], cwd=tmp_path, check=True)
    assert list(tmp_path.iterdir()) == []


# --- import contracts, read from the source (no import needed) ---------------------------

ROOT = Path(__file__).resolve().parents[2]


def _imports(path: Path) -> set[str]:
    """Every module a file imports, absolute names, at any depth (also inside functions)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _sources(folder: str) -> list[Path]:
    return [p for p in sorted((ROOT / folder).rglob("*.py")) if "migrations" not in p.parts]


def _offenders(folder: str, bad: Callable[[str], bool], skip: str = "") -> list[str]:
    return sorted(
        f"{path.relative_to(ROOT)}: {name}"
        for path in _sources(folder)
        if not (skip and str(path.relative_to(ROOT)).startswith(skip))
        for name in _imports(path)
        if bad(name)
    )


def test_outside_the_rules_engine_only_its_public_face_is_imported():
    inside = ("ladder.rules.",)
    for folder in ("ladder", "cli", "seeds", "bench", "tests"):
        assert _offenders(folder, lambda n: n.startswith(inside), skip="ladder/rules") == []


def test_the_domain_imports_no_sqlalchemy_and_nothing_above_it():
    above = ("sqlalchemy", "ladder.storage", "ladder.rules", "ladder.people", "ladder.events")
    assert _offenders("ladder/domain", lambda n: n.startswith(above)) == []


def test_the_command_line_imports_no_storage_and_builds_no_select():
    assert _offenders("cli", lambda n: n.startswith("ladder.storage")) == []
    # the one exception: cli/errors.py turns a database failure into one line
    assert _offenders("cli", lambda n: n.startswith("sqlalchemy"), skip="cli/errors.py") == []


def test_the_command_line_never_begins_a_transaction():
    begins = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in _sources("cli")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Attribute) and node.attr in ("begin", "begin_nested")
    ]
    assert begins == []


def test_front_ends_and_features_never_import_each_other_upwards():
    # the library never imports a front end; a command module never imports another one
    assert _offenders("ladder", lambda n: n.split(".")[0] in ("cli", "web", "seeds")) == []
    shared = (
        "cli.context",
        "cli.output",
        "cli.options",
        "cli.errors",
        "cli.lazy",
        "cli.when",
        "cli.importing",
        "cli.progress",
        "cli.report.options",
    )
    assert (
        _offenders(
            "cli", lambda n: n.startswith("cli.") and not n.startswith(shared), skip="cli/main.py"
        )
        == []
    )
