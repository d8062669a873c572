"""The content policy's refusals, recorded (who, which operation, which check, which category, when; a hash of
the prompt, never the image), and the review queue over them: list, open, mark correct or false positive,
automatic suspension of a key that keeps being refused."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core.audit import OperatorError, audit
from core.keys import suspend_key
from core.tables import ApiKey, PolicyRejection, sha256_hex, timestamp, utcnow


def record_rejection(
    session: Session,
    *,
    api_key_id: str | None,
    operation: str,
    stage: str,
    category: str | None,
    check: str | None,
    prompt: str | None,
    job_id: str | None = None,
    retain_prompt: bool = False,
) -> PolicyRejection:
    """retain_prompt: keep the prompt's text for human review too (the policy file's review.retain_prompt_days)."""
    rejection = PolicyRejection(
        api_key_id=api_key_id,
        job_id=job_id,
        operation=operation,
        stage=stage,
        category=category,
        check=check,
        prompt_sha256=sha256_hex(prompt) if prompt else None,
        prompt_text=prompt if retain_prompt else None,
    )
    session.add(rejection)
    session.commit()
    return rejection


VERDICTS = ("correct", "false_positive")


def purge_expired_prompts(session: Session, retain_days: int) -> int:
    """Clear the retained prompt text of refusals older than the policy's retention (all of it when 0)."""
    query = update(PolicyRejection).where(PolicyRejection.prompt_text.is_not(None))
    if retain_days > 0:
        query = query.where(PolicyRejection.created_at < utcnow() - timedelta(days=retain_days))
    result = session.execute(query.values(prompt_text=None))
    session.commit()
    return result.rowcount


def record_refusal(session: Session, policy, *, api_key_id: str | None, **fields: Any) -> PolicyRejection:
    """Record a refusal as the policy file says (prompt text kept or not), clear expired prompt texts, and
    suspend the key once it passes the policy's refusal threshold."""
    days = getattr(policy, "retain_prompt_days", 0)
    rejection = record_rejection(session, api_key_id=api_key_id, retain_prompt=days > 0, **fields)
    purge_expired_prompts(session, days)
    threshold = getattr(policy, "suspend_after_refusals", 0)
    if api_key_id and threshold > 0:
        hours = policy.suspend_window_hours
        since = utcnow() - timedelta(hours=hours)
        count = session.scalar(
            select(func.count())
            .select_from(PolicyRejection)
            .where(PolicyRejection.api_key_id == api_key_id, PolicyRejection.created_at >= since)
        )
        if count > threshold:
            key = session.get(ApiKey, api_key_id)
            if key is not None and key.suspended_at is None:
                suspend_key(
                    session,
                    "policy",
                    key,
                    f"{count} content-policy refusals within {hours:g} hours (the limit is {threshold})",
                )
    return rejection


def rejection_view(rejection: PolicyRejection) -> dict[str, Any]:
    return {
        "id": rejection.id,
        "object": "policy_rejection",
        "created_at": timestamp(rejection.created_at),
        "api_key_id": rejection.api_key_id,
        "job_id": rejection.job_id,
        "operation": rejection.operation,
        "stage": rejection.stage,
        "category": rejection.category,
        "check": rejection.check,
        "prompt_sha256": rejection.prompt_sha256,
        "prompt": rejection.prompt_text,
        "review": {
            "verdict": rejection.review_verdict,
            "note": rejection.review_note,
            "reviewed_by": rejection.reviewed_by,
            "reviewed_at": timestamp(rejection.reviewed_at),
        },
    }


def list_rejections(
    session: Session,
    *,
    category: str | None = None,
    stage: str | None = None,
    api_key_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    reviewed: bool | None = None,
    verdict: str | None = None,
    limit: int = 50,
    after: int | None = None,
) -> list[PolicyRejection]:
    """Newest first; `after` is the id of the last row of the previous page."""
    query = select(PolicyRejection)
    if category:
        query = query.where(PolicyRejection.category == category)
    if stage:
        query = query.where(PolicyRejection.stage == stage)
    if api_key_id:
        query = query.where(PolicyRejection.api_key_id == api_key_id)
    if since:
        query = query.where(PolicyRejection.created_at >= since)
    if until:
        query = query.where(PolicyRejection.created_at < until)
    if reviewed is not None:
        column = PolicyRejection.review_verdict
        query = query.where(column.is_not(None) if reviewed else column.is_(None))
    if verdict:
        query = query.where(PolicyRejection.review_verdict == verdict)
    if after is not None:
        query = query.where(PolicyRejection.id < after)
    return list(session.scalars(query.order_by(PolicyRejection.id.desc()).limit(limit)).all())


def review_rejection(session: Session, actor: str, rejection_id: int, verdict: str, note: str | None = None) -> PolicyRejection:
    if verdict not in VERDICTS:
        raise OperatorError(f"verdict must be one of {', '.join(VERDICTS)}, not {verdict!r}.", "verdict")
    rejection = session.get(PolicyRejection, rejection_id)
    if rejection is None:
        raise OperatorError(f"No rejection {rejection_id}.", "rejection_id", status=404)
    rejection.review_verdict = verdict
    rejection.review_note = note
    rejection.reviewed_by = actor
    rejection.reviewed_at = utcnow()
    audit(session, actor, "rejection.review", str(rejection.id), verdict=verdict, note=note)
    session.commit()
    return rejection
