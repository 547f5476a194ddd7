"""The ASGI application: one FastAPI app over one workspace (database + ladder file).

``create_app`` is what ``ladder serve`` runs under uvicorn and what tests drive through httpx.
Errors become one-line JSON bodies here, once: a ladder error keeps its message (it is written
for users), anything else is a bare 500 with no trace and no SQL.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from ladder.errors import (
    AccessError,
    AmbiguousError,
    ConflictError,
    InputError,
    LadderError,
    MisuseError,
    NotFoundError,
)
from ladder.workspace import Workspace
from web.deps import TOKEN_HEADER
from web.limits import RateLimiter, RateLimitMiddleware

log = logging.getLogger("ladder.web")
STATIC = Path(__file__).resolve().parent / "static"


@dataclass(frozen=True)
class ServeOptions:
    """What ``ladder serve`` was asked for beyond the workspace."""

    id_namespace: str = "ladder"  # OSDI identifiers: "ladder:12" (or "action_network:12")
    base_url: str = "http://127.0.0.1:8000"  # for links in API responses and check-in URLs
    rate_per_minute: int = 600  # requests per token or link per minute before 429


def create_app(workspace: Workspace, options: ServeOptions | None = None) -> FastAPI:
    app = FastAPI(
        title="ladder",
        docs_url=None,  # no page that loads scripts from a CDN
        redoc_url=None,
        openapi_url="/api/v2/openapi.json",
    )
    app.state.workspace = workspace
    app.state.options = options or ServeOptions()
    _install_error_handlers(app)
    _install_rate_limit(app, app.state.options.rate_per_minute)
    _include_routers(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


def _install_rate_limit(app: FastAPI, per_minute: int) -> None:
    """``rate_per_minute`` requests per token or check-in link, then 429 with Retry-After."""
    app.state.limiter = RateLimiter(per_minute)
    app.add_middleware(RateLimitMiddleware, limiter=app.state.limiter, header=TOKEN_HEADER)


def _include_routers(app: FastAPI) -> None:
    from web import api, checkin, report

    app.include_router(api.router)
    app.include_router(checkin.router)
    app.include_router(report.router)


def status_of(error: LadderError) -> int:
    if isinstance(error, AccessError):
        return 403 if error.forbidden else 401
    if isinstance(error, NotFoundError):
        return 404
    if isinstance(error, ConflictError):
        return 409
    if isinstance(error, (InputError, MisuseError, AmbiguousError)):
        return 400
    return 400


def _page_request(request: Request) -> bool:
    """A check-in page request from a browser (not its JSON endpoints, not the API)."""
    path = request.url.path
    return (
        path.startswith("/checkin/")
        and not path.endswith(".json")
        and "application/json" not in request.headers.get("accept", "")
    )


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(LadderError)
    async def _ladder_error(request: Request, error: LadderError) -> Response:
        if _page_request(request):  # a volunteer's phone: a page, not JSON
            from web.checkin import error_page

            return error_page(request, str(error), status_of(error))
        return JSONResponse({"error": str(error)}, status_code=status_of(error))

    @app.exception_handler(RequestValidationError)
    async def _bad_body(_request: Request, error: RequestValidationError) -> JSONResponse:
        first = error.errors()[0] if error.errors() else {}
        where = ".".join(str(part) for part in first.get("loc", ()) if part != "body")
        message = f"{where}: {first.get('msg', 'invalid')}" if where else "invalid request body"
        return JSONResponse({"error": message}, status_code=400)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, error: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(
            {"error": str(error.detail)}, status_code=error.status_code, headers=error.headers
        )

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, error: Exception) -> JSONResponse:
        log.error("unexpected error: %s", type(error).__name__)  # no values: they may be personal
        return JSONResponse({"error": "internal error"}, status_code=500)
