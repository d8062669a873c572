"""API keys and their lifecycle: created with a secret shown once and stored as its SHA-256, found by it; roles,
tiers, limits, expiry, disable, suspend, revoke — each admin change audited (core/audit.py)."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from core.audit import OperatorError, audit
from core.limits import LIMIT_FIELDS
from core.tables import ApiKey, sha256_hex, timestamp, utcnow

ROLES = ("admin", "user")



def create_api_key(session: Session, name: str, **fields: Any) -> tuple[ApiKey, str]:
    """fields: role, expires_at, tier, the limits, invitation_id (update_key checks them)."""
    secret = "sk-easel-" + secrets.token_urlsafe(32)
    key = ApiKey(name=name, key_hash=sha256_hex(secret), prefix=secret[:14], **fields)
    session.add(key)
    session.commit()
    return key, secret


def find_api_key(session: Session, secret: str) -> ApiKey | None:
    """The key with this secret, unless revoked. Expired, disabled and suspended keys are returned: the caller
    answers them with a message that says which (key_refusal)."""
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


def key_refusal(key: ApiKey, now: datetime | None = None) -> tuple[int, str, str] | None:
    """Why this key may not be used now, as (status, code, message), or None when it may."""
    now = now or utcnow()
    if key.suspended_at is not None:
        reason = f": {key.suspended_reason}" if key.suspended_reason else ""
        return (
            403,
            "api_key_suspended",
            f"This API key was suspended on {key.suspended_at:%Y-%m-%d %H:%M} UTC{reason}. "
            "Contact the operator of this service to have it reinstated.",
        )
    if key.disabled_at is not None:
        return 403, "api_key_disabled", "This API key is disabled. Contact the operator of this service."
    if key.expires_at is not None and key.expires_at <= now:
        return 401, "api_key_expired", f"This API key expired on {key.expires_at:%Y-%m-%d %H:%M} UTC."
    return None


def find_key(session: Session, key_id_or_prefix: str) -> ApiKey:
    key = session.scalar(select(ApiKey).where(or_(ApiKey.id == key_id_or_prefix, ApiKey.prefix == key_id_or_prefix)))
    if key is None:
        raise OperatorError(f"No API key '{key_id_or_prefix}'.", "key_id", status=404)
    return key


def key_view(key: ApiKey, settings=None) -> dict[str, Any]:
    from core.limits import resolve_limits

    view = {
        "id": key.id,
        "object": "api_key",
        "name": key.name,
        "prefix": key.prefix,
        "role": key.role,
        "tier": key.tier,
        "created_at": timestamp(key.created_at),
        "expires_at": timestamp(key.expires_at),
        "revoked_at": timestamp(key.revoked_at),
        "disabled_at": timestamp(key.disabled_at),
        "suspended_at": timestamp(key.suspended_at),
        "suspended_reason": key.suspended_reason,
        "status": key_status(key),
        "limits": {name: getattr(key, name) for name in LIMIT_FIELDS},
    }
    if settings is not None:
        view["effective_limits"] = resolve_limits(key, settings).as_dict()
    return view


def key_status(key: ApiKey) -> str:
    if key.revoked_at is not None:
        return "revoked"
    if key.suspended_at is not None:
        return "suspended"
    if key.disabled_at is not None:
        return "disabled"
    if key.expires_at is not None and key.expires_at <= utcnow():
        return "expired"
    return "active"


def _check_fields(changes: dict[str, Any], settings=None) -> None:
    if "role" in changes and changes["role"] not in ROLES:
        raise OperatorError(f"role must be one of {', '.join(ROLES)}, not {changes['role']!r}.", "role")
    if "name" in changes and not (changes["name"] or "").strip():
        raise OperatorError("name must not be empty.", "name")
    for name in LIMIT_FIELDS:
        value = changes.get(name)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
            raise OperatorError(f"{name} must be a whole number >= 0 (0 = no limit), or null for the default.", name)
    tier = changes.get("tier")
    if tier is not None and settings is not None and tier not in (settings.tiers or {}):
        raise OperatorError(f"No tier '{tier}'; tiers: {', '.join(sorted(settings.tiers)) or 'none'}.", "tier")


KEY_FIELDS = ("name", "role", "tier", "expires_at", *LIMIT_FIELDS)


def create_key(session: Session, actor: str, name: str, settings=None, **fields: Any) -> tuple[ApiKey, str]:
    fields = {k: v for k, v in fields.items() if v is not None}
    _check_fields({"name": name, **fields}, settings)
    fields.setdefault("role", "user")
    key, secret = create_api_key(session, name, **fields)
    audit(session, actor, "key.create", key.id, name=name, **fields)
    session.commit()
    return key, secret


def update_key(session: Session, actor: str, key: ApiKey, settings=None, **changes: Any) -> ApiKey:
    """Change any of KEY_FIELDS (a limit set to None goes back to the tier's or default value)."""
    unknown = set(changes) - set(KEY_FIELDS)
    if unknown:
        raise OperatorError(f"Unknown key fields: {', '.join(sorted(unknown))}.", sorted(unknown)[0])
    _check_fields(changes, settings)
    before = {name: getattr(key, name) for name in changes}
    for name, value in changes.items():
        setattr(key, name, value)
    audit(session, actor, "key.update", key.id, before=before, after=changes)
    session.commit()
    return key


def set_disabled(session: Session, actor: str, key: ApiKey, disabled: bool) -> ApiKey:
    key.disabled_at = utcnow() if disabled else None
    audit(session, actor, "key.disable" if disabled else "key.enable", key.id)
    session.commit()
    return key


def revoke_key(session: Session, actor: str, key: ApiKey) -> ApiKey:
    if key.revoked_at is None:
        key.revoked_at = utcnow()
    audit(session, actor, "key.revoke", key.id)
    session.commit()
    return key


def suspend_key(session: Session, actor: str, key: ApiKey, reason: str) -> ApiKey:
    key.suspended_at = utcnow()
    key.suspended_reason = reason
    audit(session, actor, "key.suspend", key.id, reason=reason)
    session.commit()
    return key


def reinstate_key(session: Session, actor: str, key: ApiKey, note: str | None = None) -> ApiKey:
    previous = key.suspended_reason
    key.suspended_at = None
    key.suspended_reason = None
    audit(session, actor, "key.reinstate", key.id, previous_reason=previous, note=note)
    session.commit()
    return key
