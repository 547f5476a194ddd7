"""`ladder serve`'s start: where it listens, a warning off this machine, the missing extra.

uvicorn.run is replaced by a recorder: these tests check what the command decides, not a
socket (tests/cli/test_serve_starts.py and the browser tests run a real server)."""

from __future__ import annotations

import sys

import pytest

from cli.serve import MISSING


@pytest.fixture
def ran(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    import uvicorn

    calls: list[dict] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append({"app": app, **kw}))
    return calls


def test_it_listens_on_loopback_by_default(ladder_cli, ran) -> None:
    result = ladder_cli("serve", "--port", "8123", "--rate", "42")
    assert result.exit_code == 0, result.output
    assert "on http://127.0.0.1:8123" in result.output
    assert "warning" not in result.output
    assert (ran[0]["host"], ran[0]["port"]) == ("127.0.0.1", 8123)
    assert ran[0]["app"].state.options.rate_per_minute == 42


def test_the_network_must_be_asked_for_and_is_warned_about(ladder_cli, ran) -> None:
    result = ladder_cli("serve", "--host", "0.0.0.0")
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and "0.0.0.0" in warnings[0] and "network" in warnings[0]
    assert ran[0]["host"] == "0.0.0.0"


def test_without_the_web_extra_it_says_what_to_install(ladder_cli, monkeypatch, ran) -> None:
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # import uvicorn -> ImportError
    monkeypatch.delitem(sys.modules, "web.server", raising=False)  # imported afresh
    result = ladder_cli("serve")
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: {MISSING}"
    assert "pip install -e '.[web]'" in result.output
    assert ran == []


@pytest.mark.parametrize("rate", ["0", "-5", "lots"])
def test_a_bad_rate_is_refused(ladder_cli, ran, rate) -> None:
    result = ladder_cli("serve", "--rate", rate)
    assert result.exit_code == 2 and "--rate" in result.output
    assert ran == []


@pytest.mark.parametrize("host", ["9223372036854775808", "no such host.example", "%", "a\x00b"])
def test_an_address_it_cannot_listen_on_is_one_line(ladder_cli, ran, host) -> None:
    result = ladder_cli("serve", "--host", host)
    assert result.exit_code in (1, 2)
    assert "Traceback" not in result.output
    assert len([line for line in result.output.splitlines() if line.startswith("Error")]) == 1
    assert ran == []


def test_a_port_in_use_is_one_line(ladder_cli, ran) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = ladder_cli("serve", "--port", str(port))
    assert result.exit_code == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.output
    assert ran == []
