"""Running the web face: the app under uvicorn on one address (what ``ladder serve`` calls).

The one module that imports uvicorn, so that the CLI names no web package: ``ladder serve``
imports this module when it runs, and says what to install when it cannot.
"""

from __future__ import annotations

import uvicorn

from ladder.workspace import Workspace
from web.app import ServeOptions, create_app


def run_server(workspace: Workspace, host: str, port: int, options: ServeOptions) -> None:
    """Serve until Ctrl-C (uvicorn's own logging quiet: no request line holds personal data)."""
    uvicorn.run(create_app(workspace, options), host=host, port=port, log_level="warning")
