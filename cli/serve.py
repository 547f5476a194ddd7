"""`ladder serve`: the web face (check-in page and OSDI API) on this database."""

from __future__ import annotations

import ipaddress
import re
import socket

import click

from cli.context import pass_workspace
from ladder.workspace import Workspace

HOSTNAME = re.compile(r"[A-Za-z0-9.:-]{1,253}")
MISSING = "the web face needs its extra: pip install -e '.[web]' (FastAPI, Jinja2, uvicorn)"


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on; "
              "0.0.0.0 opens it to the network and must be asked for.")  # fmt: skip
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option(
    "--id-namespace",
    default="ladder",
    show_default=True,
    help="The OSDI identifier namespace (action_network for clients that expect it).",
)
@click.option(
    "--rate",
    type=click.IntRange(1, 1_000_000),
    default=600,
    show_default=True,
    help="Requests per minute per API token or check-in link, then 429 with Retry-After.",
)
@pass_workspace
def serve(workspace: Workspace, host: str, port: int, id_namespace: str, rate: int) -> None:
    """Serve the check-in page and the OSDI API on this database and ladder file.

    It listens on this machine only (127.0.0.1) unless --host says otherwise.

    Example: ladder serve --port 8000
    """
    try:
        from web.app import ServeOptions
        from web.server import run_server
    except ImportError:
        raise click.ClickException(MISSING) from None
    workspace.engine  # noqa: B018  (refuse a missing or outdated database before listening)
    _can_listen(host, port)
    base_url = f"http://{_url_host(host)}:{port}"
    options = ServeOptions(id_namespace=id_namespace, base_url=base_url, rate_per_minute=rate)
    if not _loopback(host):
        click.echo(
            f"warning: listening on {host}: anyone on the network can reach this server "
            "(check-in links and tokens travel unencrypted without a TLS proxy)",
            err=True,
        )
    click.echo(f"ladder serving {workspace.describe_database()} on {base_url} (Ctrl-C stops)")
    run_server(workspace, host, port, options)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _can_listen(host: str, port: int) -> None:
    """One line instead of uvicorn's exit 3 when the address is wrong or taken."""
    if not HOSTNAME.fullmatch(host):
        raise click.BadParameter("give an address (127.0.0.1, 0.0.0.0, ::1)", param_hint="--host")
    try:
        family, kind, proto, _name, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM
        )[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except (OSError, UnicodeError) as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        raise click.ClickException(
            f"cannot listen on {host}:{port}: {reason}: choose another --host or --port"
        ) from None
