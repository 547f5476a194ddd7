"""`ladder serve`: the web face (check-in page and OSDI API) on this database."""

from __future__ import annotations

import click

from cli.context import pass_workspace
from ladder.workspace import Workspace

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
@pass_workspace
def serve(workspace: Workspace, host: str, port: int, id_namespace: str) -> None:
    """Serve the check-in page and the OSDI API on this database and ladder file.

    Example: ladder serve --port 8000
    """
    try:
        import uvicorn

        from web.app import ServeOptions, create_app
    except ImportError:
        raise click.ClickException(MISSING) from None
    workspace.engine  # noqa: B018  (refuse a missing or outdated database before listening)
    base_url = f"http://{host}:{port}"
    app = create_app(workspace, ServeOptions(id_namespace=id_namespace, base_url=base_url))
    click.echo(f"ladder serving {workspace.describe_database()} on {base_url} (Ctrl-C stops)")
    uvicorn.run(app, host=host, port=port, log_level="warning")
