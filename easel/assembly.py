"""Which parts make up a process, for the two ways Easel runs.

- embedded (`easel serve`, no EASEL_BROKER_URL): one process; jobs run on a thread beside the API
  (worker/embedded.py), events stay in memory.
- distributed (`easel api` with EASEL_BROKER_URL): the API node hands job ids to Celery workers through Redis
  (worker/broker.py), follows their events there, and runs the re-dispatcher (worker/redispatcher.py); the
  workers (`easel worker`) assemble their own runner in worker/celery_app.py.
"""

from __future__ import annotations

from fastapi import FastAPI

from api.context import AppContext
from api.main import Background, create_app as create_api
from core.config import Settings, get_settings
from core.events import LocalJobEvents
from core.limits import Limiter
from core.service import JobService
from core.services import Services


def assemble_api_node(settings: Settings) -> tuple[AppContext, Background]:
    """The API's context and what runs beside it: the embedded worker, or with a broker the re-dispatcher."""
    services = Services.from_settings(settings)
    if settings.broker_url:
        from safety import get_policy
        from worker.broker import CeleryDispatcher, RedisJobEvents
        from worker.redispatcher import Redispatcher

        policy = get_policy(settings.policy_file)
        policy.warm_up()  # load the filters' models now, not during someone's first request
        dispatcher, events = CeleryDispatcher(settings), RedisJobEvents(settings.broker_url)
        # Outbox, lease recovery and (on the leader) the retention sweep; no jobs run here.
        background = Redispatcher(services.sessions, dispatcher, settings, services.storage)
    else:
        from worker.embedded import EmbeddedWorker
        from worker.runner import build_runner

        events = LocalJobEvents()
        runner = build_runner(settings, services, events)
        policy = runner.policy  # one loaded policy for the API's checks and the worker's
        # Its recovery thread also runs the retention sweep, at least as often as that asks.
        recovery_interval = min(10.0, settings.retention_sweep_interval_seconds)
        dispatcher = background = EmbeddedWorker(runner, recovery_interval=recovery_interval)
    service = JobService(services, dispatcher, events, policy, Limiter.from_settings(settings))
    return AppContext(services=services, jobs=service), background


def create_app(settings: Settings | None = None) -> FastAPI:
    """The app as `easel serve` and `easel api` run it (and as the tests build it)."""
    return create_api(settings or get_settings(), assemble_api_node)
