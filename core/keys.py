"""API keys: created with a secret shown once, stored as its SHA-256, found by it, revoked."""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from core.tables import ApiKey, sha256_hex, utcnow



def create_api_key(session: Session, name: str, **fields: Any) -> tuple[ApiKey, str]:
    """fields: role, expires_at, tier, the limits, invitation_id (core/operators.py checks them)."""
    secret = "sk-easel-" + secrets.token_urlsafe(32)
    key = ApiKey(name=name, key_hash=sha256_hex(secret), prefix=secret[:14], **fields)
    session.add(key)
    session.commit()
    return key, secret


def find_api_key(session: Session, secret: str) -> ApiKey | None:
    """The key with this secret, unless revoked. Expired, disabled and suspended keys are returned: the caller
    answers them with a message that says which (core.operators.key_refusal)."""
    key = session.scalar(select(ApiKey).where(ApiKey.key_hash == sha256_hex(secret)))
    if key is None or key.revoked_at is not None:
        return None
    return key


def revoke_api_key(session: Session, key_id_or_prefix: str) -> ApiKey | None:
    key = session.scalar(
        select(ApiKey).where(or_(ApiKey.id == key_id_or_prefix, ApiKey.prefix == key_id_or_prefix))
    )
    if key is not None and key.revoked_at is None:
        key.revoked_at = utcnow()
        session.commit()
    return key
