"""Prometheus metrics at /metrics.

Request counts are counted here, in each API process. Everything about jobs is read from the database at scrape
time (cached a few seconds): the rows are the truth, they include what workers in other processes did, and
every API node reports the same figures (so aggregate them with max, not sum).
"""

from __future__ import annotations

import threading
import time

from fastapi import FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from sqlalchemy import and_, case, func, select

from core.tables import TERMINAL, Image, Job, JobStatus, PolicyRejection

QUEUE_BUCKETS = (0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600)
RUN_BUCKETS = (0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600, 1800)
CACHE_SECONDS = 5.0


def _seconds(dialect: str, start, end):
    if dialect == "postgresql":
        return func.extract("epoch", end - start)
    return (func.julianday(end) - func.julianday(start)) * 86400.0


class JobsCollector:
    def __init__(self, app: FastAPI):
        self.app = app
        self._lock = threading.Lock()
        self._cached: tuple[float, list] = (0.0, [])

    def collect(self):
        with self._lock:
            at, families = self._cached
            if time.monotonic() - at > CACHE_SECONDS:
                families = self._read()
                self._cached = (time.monotonic(), families)
        return families

    def _histogram(self, session, dialect, name, doc, start, end, buckets, where, labels):
        duration = _seconds(dialect, start, end)
        columns = [Job.model, func.count(), func.coalesce(func.sum(duration), 0.0)]
        columns += [func.sum(case((duration <= b, 1), else_=0)) for b in buckets]
        family = HistogramMetricFamily(name, doc, labels=labels)
        for model, count, total, *cumulative in session.execute(
            select(*columns).where(where).group_by(Job.model)
        ):
            points = [(str(b), int(c or 0)) for b, c in zip(buckets, cumulative)] + [("+Inf", int(count))]
            family.add_metric([model], points, float(total))
        return family

    def _read(self) -> list:
        context = getattr(self.app.state, "context", None)
        if context is None:
            return []
        queued = GaugeMetricFamily("easel_queue_depth", "Jobs waiting for a worker, per model.", labels=["model"])
        undispatched = GaugeMetricFamily(
            "easel_jobs_undispatched",
            "Queued jobs the broker has not taken yet (it was down); the re-dispatcher sends them.",
            labels=["model"],
        )
        running = GaugeMetricFamily("easel_jobs_running", "Jobs running on a worker, per model.", labels=["model"])
        finished = CounterMetricFamily(
            "easel_jobs_finished", "Jobs by final status.", labels=["model", "status"]
        )
        images = CounterMetricFamily("easel_images_generated", "Images stored for succeeded jobs.", labels=["model"])
        rejections = CounterMetricFamily(
            "easel_policy_rejections", "Content policy rejections.", labels=["category", "stage"]
        )
        families = [queued, undispatched, running, finished, images, rejections]
        models = set(context.settings.models)
        with context.services.sessions() as session:
            dialect = session.get_bind().dialect.name
            by_status: dict[tuple[str, str], int] = {}
            undispatched_counts: dict[str, int] = {}
            rows = session.execute(
                select(Job.model, Job.status, func.count(), func.sum(case((Job.dispatched_at.is_(None), 1), else_=0)))
                .group_by(Job.model, Job.status)
            )
            for model, status, count, not_sent in rows:
                models.add(model)
                by_status[(model, status)] = count
                if status == JobStatus.queued.value:
                    undispatched_counts[model] = int(not_sent or 0)
            for model in sorted(models):
                queued.add_metric([model], by_status.get((model, JobStatus.queued.value), 0))
                undispatched.add_metric([model], undispatched_counts.get(model, 0))
                running.add_metric([model], by_status.get((model, JobStatus.running.value), 0))
                for status in TERMINAL:
                    finished.add_metric([model, status.value], by_status.get((model, status.value), 0))
            for model, count in session.execute(
                select(Job.model, func.count(Image.id)).join(Image, Image.job_id == Job.id).group_by(Job.model)
            ):
                images.add_metric([model], count)
            for category, stage, count in session.execute(
                select(PolicyRejection.category, PolicyRejection.stage, func.count()).group_by(
                    PolicyRejection.category, PolicyRejection.stage
                )
            ):
                rejections.add_metric([category or "unknown", stage], count)
            families.append(
                self._histogram(
                    session, dialect, "easel_job_queue_seconds", "Time from accepted to first started, per model.",
                    Job.created_at, Job.started_at, QUEUE_BUCKETS, Job.started_at.is_not(None), ["model"],
                )
            )
            families.append(
                self._histogram(
                    session, dialect, "easel_job_run_seconds", "Time from started to succeeded, per model.",
                    Job.started_at, Job.finished_at, RUN_BUCKETS,
                    and_(Job.status == JobStatus.succeeded.value, Job.started_at.is_not(None)), ["model"],
                )
            )
        # Per window, never per key (keys would be unbounded labels). Counted by this API node: sum the nodes.
        refused = CounterMetricFamily(
            "easel_limit_refusals",
            "Requests this API node refused for a key's limits, by window (unavailable: the store was down).",
            labels=["window"],
        )
        counts = dict(context.jobs.limiter.refusals)
        for window in ("requests", "images", "images-day", "images-month", "unavailable"):
            refused.add_metric([window], counts.get(window, 0))
        families.append(refused)
        broker = GaugeMetricFamily(
            "easel_broker_queue_length", "Messages waiting in each model's broker queue.", labels=["model"]
        )
        try:
            for model, length in context.jobs.dispatcher.queue_lengths(sorted(models)).items():
                broker.add_metric([model], length)
            families.append(broker)
        except Exception:  # the broker is down: /readyz says so; the database figures still stand
            pass
        return families


def install_metrics(app: FastAPI) -> None:
    registry = CollectorRegistry()
    requests = Counter(
        "easel_http_requests", "HTTP requests by route and status.", ["method", "route", "status"], registry=registry
    )
    registry.register(JobsCollector(app))

    @app.middleware("http")
    async def count_requests(request: Request, call_next):
        status = 500
        try:
            response = await call_next(request)
            status = response.status_code
            return response
        finally:
            route = request.scope.get("route")
            # The route's template (/v1/jobs/{job_id}), never the raw path, so job ids do not become labels.
            requests.labels(request.method, getattr(route, "path", "unmatched"), str(status)).inc()

    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
