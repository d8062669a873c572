"""The FastAPI app: middleware, error handlers and routers. What runs behind it (the embedded worker, or Celery
workers through Redis) is decided by the process's assembly (easel/assembly.py), which passes `assemble`."""

from __future__ import annotations

import re
import time
import uuid
from contextlib import asynccontextmanager
from typing import Callable, Protocol

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware

from api.context import AppContext
from api.errors import error_response, install_error_handlers, unexpected_error
from api.metrics import install_metrics
from api.routes import admin, files, health, images, jobs, models, studio
from core.config import Settings
from core.errors import APIError
from core.logs import request_id_var


RATELIMIT_HEADERS = [
    f"x-ratelimit-{what}-{name}"
    for name in ("requests", "images", "images-day", "images-month")
    for what in ("limit", "remaining", "reset")
]
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


class Background(Protocol):
    """What runs beside the API in its process: the embedded worker, or the distributed mode's re-dispatcher."""

    def start(self) -> None: ...

    def stop(self) -> None: ...


def create_app(settings: Settings, assemble: Callable[[Settings], tuple[AppContext, Background]]) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        context, background = assemble(settings)
        app.state.context = context
        try:
            background.start()
            yield
        finally:
            background.stop()
            context.services.close()

    app = FastAPI(
        title="Easel",
        version="0.1.0",
        description="Self-hosted image generation behind the DALL·E 2 Images API.",
        lifespan=lifespan,
        redirect_slashes=False,  # "/v1/images/generations/" is a 404 naming the URL, as at OpenAI, not a redirect
    )
    install_error_handlers(app)

    @app.middleware("http")
    async def request_id(request: Request, call_next):
        started = time.perf_counter()
        incoming = request.headers.get("x-request-id", "")
        rid = incoming if _REQUEST_ID.match(incoming) else f"req_{uuid.uuid4().hex}"
        request.state.request_id = rid
        token = request_id_var.set(rid)
        try:
            if "\x00" in request.url.path or "%00" in request.url.query:
                # PostgreSQL text cannot hold NUL: an id or cursor with one is a bad request, not a server error.
                response = error_response(APIError(400, "The URL must not contain NUL characters.", code="invalid_value"))
            else:
                response = await call_next(request)
        except Exception as exc:  # answered here, not by Starlette's outer handler, so it keeps its x-request-id
            response = error_response(unexpected_error(exc))
        finally:
            request_id_var.reset(token)
        response.headers["x-request-id"] = rid
        # The key's x-ratelimit-* figures, on its accepted requests and its refusals alike (a refusal's own win).
        for name, value in getattr(request.state, "ratelimit_headers", {}).items():
            response.headers.setdefault(name, value)
        # As OpenAI's responses do: clients and proxies log it. A stream's counts until its headers go out.
        response.headers["openai-processing-ms"] = str(round((time.perf_counter() - started) * 1000))
        return response

    for module in (images, jobs, files, models, health, studio, admin):
        app.include_router(module.router)
    install_metrics(app)
    if settings.cors_origins:
        # Added last, so outermost: error responses carry the headers too, and the browser shows their message.
        # API keys travel in a header, never in cookies, so no credentials mode is needed.
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["*"],
            allow_headers=["*"],
            expose_headers=["x-request-id", "retry-after", *RATELIMIT_HEADERS],
        )
    return app
