"""Image usage, from the job rows (the truth), in the shape of OpenAI's usage API for images.

A succeeded job counts as one model request and as its stored images (blocked outputs are not images the key
received). Jobs are bucketed by the time they were accepted. OpenAI's `project_id` has no counterpart here
(always null); `user_id` is the `user` field the request carried.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.tables import Image, Job, JobStatus

BUCKET_SECONDS = {"1m": 60, "1h": 3600, "1d": 86400}
# OpenAI's page sizes per bucket width: (default, maximum).
BUCKET_LIMITS = {"1m": (60, 1440), "1h": (24, 168), "1d": (7, 31)}
GROUP_FIELDS = ("project_id", "user_id", "api_key_id", "model", "size", "source")
SOURCES = {"generate": "image.generation", "edit": "image.edit", "vary": "image.variation"}
OPERATIONS = {source: operation for operation, source in SOURCES.items()}
SIZE_NAMES = {256: "256x256", 512: "512x512", 1024: "1024x1024"}


class UsageQueryError(ValueError):
    def __init__(self, message: str, param: str):
        super().__init__(message)
        self.message, self.param = message, param


def _utc(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, timezone.utc)


def image_usage(
    session: Session,
    *,
    start_time: int,
    end_time: int | None = None,
    bucket_width: str = "1d",
    group_by: list[str] | None = None,
    api_key_ids: list[str] | None = None,
    models: list[str] | None = None,
    sources: list[str] | None = None,
    sizes: list[str] | None = None,
    user_ids: list[str] | None = None,
    limit: int | None = None,
    page: str | None = None,
    now: int | None = None,
) -> dict[str, Any]:
    if bucket_width not in BUCKET_SECONDS:
        raise UsageQueryError("bucket_width must be one of 1m, 1h, 1d.", "bucket_width")
    group_by = list(group_by or [])
    bad = [g for g in group_by if g not in GROUP_FIELDS]
    if bad:
        raise UsageQueryError(f"group_by: unknown field {bad[0]!r}; one of {', '.join(GROUP_FIELDS)}.", "group_by")
    bad = [s for s in sources or [] if s not in OPERATIONS]
    if bad:
        raise UsageQueryError(f"sources: unknown source {bad[0]!r}; one of {', '.join(OPERATIONS)}.", "sources")
    width = BUCKET_SECONDS[bucket_width]
    default_limit, max_limit = BUCKET_LIMITS[bucket_width]
    limit = default_limit if limit is None else limit
    if not 1 <= limit <= max_limit:
        raise UsageQueryError(f"limit must be between 1 and {max_limit} for bucket_width {bucket_width}.", "limit")
    now = int(datetime.now(timezone.utc).timestamp()) if now is None else now
    end_time = now if end_time is None else end_time
    if start_time < 0 or end_time <= start_time:
        raise UsageQueryError("end_time must be after start_time (Unix seconds).", "end_time")
    first = start_time
    if page:
        try:
            first = int(page.removeprefix("page_"))
        except ValueError:
            raise UsageQueryError("page is not a cursor this API returned.", "page") from None
        if first < start_time or (first - start_time) % width:
            raise UsageQueryError("page is not a cursor this API returned.", "page")
    starts = list(range(first, end_time, width))
    page_starts, has_more = starts[:limit], len(starts) > limit
    if not page_starts:
        return {"object": "page", "data": [], "has_more": False, "next_page": None}
    window_end = min(end_time, page_starts[-1] + width)

    query = (
        select(Job.created_at, Job.api_key_id, Job.model, Job.operation, Job.params, Job.user, func.count(Image.id))
        .outerjoin(Image, Image.job_id == Job.id)
        .where(
            Job.status == JobStatus.succeeded.value,
            Job.created_at >= _utc(page_starts[0]),
            Job.created_at < _utc(window_end),
        )
        .group_by(Job.id)
    )
    if api_key_ids:
        query = query.where(Job.api_key_id.in_(api_key_ids))
    if models:
        query = query.where(Job.model.in_(models))
    if sources:
        query = query.where(Job.operation.in_([OPERATIONS[s] for s in sources]))
    if user_ids:
        query = query.where(Job.user.in_(user_ids))

    totals: dict[int, dict[tuple, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for created_at, api_key_id, model, operation, params, user, images in session.execute(query):
        size = SIZE_NAMES.get((params or {}).get("size"), str((params or {}).get("size")))
        if sizes and size not in sizes:
            continue
        values = {
            "project_id": None,
            "user_id": user,
            "api_key_id": api_key_id,
            "model": model,
            "size": size,
            "source": SOURCES.get(operation, operation),
        }
        bucket = page_starts[0] + (int(created_at.timestamp()) - page_starts[0]) // width * width
        group = tuple(values[g] if g in group_by else None for g in GROUP_FIELDS)
        totals[bucket][group][0] += images
        totals[bucket][group][1] += 1

    data = []
    for start in page_starts:
        results = [
            {
                "object": "organization.usage.images.result",
                "images": images,
                "num_model_requests": requests,
                **dict(zip(GROUP_FIELDS, group)),
            }
            for group, (images, requests) in sorted(totals.get(start, {}).items(), key=lambda item: str(item[0]))
        ]
        data.append({"object": "bucket", "start_time": start, "end_time": min(start + width, end_time), "results": results})
    return {
        "object": "page",
        "data": data,
        "has_more": has_more,
        "next_page": f"page_{starts[limit]}" if has_more else None,
    }
