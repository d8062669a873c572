"""The FastAPI app: settings → services → routers. `easel serve` runs it with the embedded worker."""

from __future__ import annotations

import re
import uuid
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware

from api.context import AppContext, RateLimiter
from api.errors import APIError, error_response, install_error_handlers, unexpected_error
from api.metrics import install_metrics
from api.routes import files, health, images, jobs, models
from core.config import Settings, get_settings
from core.events import LocalJobEvents
from core.logs import request_id_var
from core.services import Services


_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def build_context(settings: Settings) -> tuple[AppContext, object | None]:
    """Returns the context and the background worker to start: the embedded worker, or with a broker the
    re-dispatcher (jobs then run in `easel worker` processes)."""
    from safety import get_policy

    services = Services.from_settings(settings)
    policy = get_policy(settings.policy_file)
    policy.warm_up()  # load the filters' models now, not during someone's first request
    if settings.broker_url:
        from worker.celery_app import CeleryDispatcher, RedisJobEvents
        from worker.redispatcher import Redispatcher

        dispatcher, events = CeleryDispatcher(settings), RedisJobEvents(settings.broker_url)
        worker = Redispatcher(services.sessions, dispatcher, settings)  # outbox + lease recovery, no jobs run here
    else:
        from models.registry import load_backend
        from worker.embedded import EmbeddedWorker
        from worker.runner import BackendPool, JobRunner

        events = LocalJobEvents()
        runner = JobRunner(
            sessions=services.sessions,
            storage=services.storage,
            backends=BackendPool(lambda name: load_backend(name, settings)),
            policy=policy,
            settings=settings,
            events=events,
        )
        dispatcher = worker = EmbeddedWorker(runner)
    context = AppContext(
        services=services,
        policy=policy,
        events=events,
        dispatcher=dispatcher,
        rate_limiter=RateLimiter(settings.rate_limit_per_minute),
        served_models=list(settings.models),
    )
    return context, worker


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        context, worker = build_context(settings)
        app.state.context = context
        try:
            if worker is not None:
                worker.start()
            yield
        finally:
            if worker is not None:
                worker.stop()
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
        return response

    for module in (images, jobs, files, models, health):
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
            expose_headers=["x-request-id", "retry-after"],
        )
    return app
