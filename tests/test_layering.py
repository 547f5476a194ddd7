"""The library stays free of the command line and opens nothing at import time."""

import pkgutil
import subprocess
import sys

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
