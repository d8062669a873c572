"""The content policy's refusals, recorded: who, which operation, which check, which category, when. A hash of
the prompt, never the image."""

from __future__ import annotations

from sqlalchemy.orm import Session

from core.tables import PolicyRejection, sha256_hex


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
