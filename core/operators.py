"""What an operator runs Easel for many people with: key lifecycles, the audit log, invitations, and the review
queue over the content policy's refusals. Shared by the admin endpoints (api/routes/admin.py) and the CLI.

Every admin action writes one AuditEntry (who, what, on what, when, with which changes) in the same transaction
as the change itself.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from core.keys import create_api_key
from core.limits import LIMIT_FIELDS
from core.rejections import record_rejection
from core.tables import ApiKey, AuditEntry, Invitation, PolicyRejection, sha256_hex, utcnow

ROLES = ("admin", "user")
VERDICTS = ("correct", "false_positive")
CLI_ACTOR = "cli"


class OperatorError(ValueError):
    """A request an admin action cannot carry out; the message says why (answered as a 400 or a CLI error)."""

    def __init__(self, message: str, param: str | None = None, status: int = 400):
        super().__init__(message)
        self.message, self.param, self.status = message, param, status


def audit(session: Session, actor: str, action: str, target: str | None = None, **details: Any) -> None:
    session.add(AuditEntry(actor=actor, action=action, target=target, details=_jsonable(details)))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def parse_duration(text: str) -> timedelta:
    """ "7d", "12h", "30m", "2w" -> a timedelta."""
    units = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
    text = (text or "").strip().lower()
    if len(text) < 2 or text[-1] not in units or not text[:-1].isdigit() or int(text[:-1]) <= 0:
        raise OperatorError(f"not a duration: {text!r} (use e.g. 30m, 12h, 7d, 2w)", "expires")
    return timedelta(**{units[text[-1]]: int(text[:-1])})


# --- keys ------------------------------------------------------------------------------------------------------


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
        "created_at": _ts(key.created_at),
        "expires_at": _ts(key.expires_at),
        "revoked_at": _ts(key.revoked_at),
        "disabled_at": _ts(key.disabled_at),
        "suspended_at": _ts(key.suspended_at),
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


def _ts(value: datetime | None) -> int | None:
    return int(value.timestamp()) if value is not None else None


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


# --- invitations -----------------------------------------------------------------------------------------------


def create_invitation(
    session: Session, actor: str, tier: str, uses: int, expires_in: timedelta | None, settings, note: str | None = None
) -> tuple[Invitation, str]:
    if tier not in (settings.tiers or {}):
        raise OperatorError(f"No tier '{tier}'; tiers: {', '.join(sorted(settings.tiers)) or 'none'}.", "tier")
    if not isinstance(uses, int) or uses < 1:
        raise OperatorError("uses must be at least 1.", "uses")
    # 32 random bytes (256 bits): unguessable; only its hash is stored.
    code = "inv-" + secrets.token_urlsafe(32)
    invitation = Invitation(
        code_hash=sha256_hex(code),
        prefix=code[:10],
        tier=tier,
        uses=uses,
        expires_at=utcnow() + expires_in if expires_in else None,
        created_by=actor,
        note=note,
    )
    session.add(invitation)
    session.flush()
    audit(session, actor, "invitation.create", invitation.id, tier=tier, uses=uses, expires_at=invitation.expires_at)
    session.commit()
    return invitation, code


def invitation_view(invitation: Invitation) -> dict[str, Any]:
    now = utcnow()
    if invitation.revoked_at is not None:
        status = "revoked"
    elif invitation.expires_at is not None and invitation.expires_at <= now:
        status = "expired"
    elif invitation.used >= invitation.uses:
        status = "used_up"
    else:
        status = "active"
    return {
        "id": invitation.id,
        "object": "invitation",
        "prefix": invitation.prefix,
        "tier": invitation.tier,
        "uses": invitation.uses,
        "used": invitation.used,
        "expires_at": _ts(invitation.expires_at),
        "revoked_at": _ts(invitation.revoked_at),
        "created_at": _ts(invitation.created_at),
        "created_by": invitation.created_by,
        "note": invitation.note,
        "status": status,
    }


INVALID_INVITATION = "This invitation code is not valid: it is unknown, expired, revoked or used up."


def redeem_invitation(session: Session, code: str, name: str) -> tuple[ApiKey, str]:
    """A new key of the invitation's tier, in the transaction that takes one of its uses. One message for every
    way a code can be wrong, so a caller learns nothing about codes that exist."""
    if not (name or "").strip() or len(name) > 200:
        raise OperatorError("name must be 1 to 200 characters.", "name")
    digest = sha256_hex(code or "")
    invitation = session.scalar(select(Invitation).where(Invitation.code_hash == digest))
    # The lookup is by a hash of a 256-bit secret; the comparison of what came back is constant-time anyway.
    if invitation is None or not hmac.compare_digest(invitation.code_hash, digest):
        raise OperatorError(INVALID_INVITATION, "code", status=403)
    now = utcnow()
    # One conditional UPDATE: two people redeeming the last use together cannot both get it.
    taken = session.execute(
        update(Invitation)
        .where(
            Invitation.id == invitation.id,
            Invitation.used < Invitation.uses,
            Invitation.revoked_at.is_(None),
            or_(Invitation.expires_at.is_(None), Invitation.expires_at > now),
        )
        .values(used=Invitation.used + 1)
    )
    if taken.rowcount != 1:
        session.rollback()
        raise OperatorError(INVALID_INVITATION, "code", status=403)
    key, secret = create_api_key(session, name.strip(), role="user", tier=invitation.tier, invitation_id=invitation.id)
    audit(session, f"invitation:{invitation.id}", "invitation.redeem", key.id, tier=invitation.tier, name=name)
    session.commit()
    return key, secret


def revoke_invitation(session: Session, actor: str, invitation_id: str) -> Invitation:
    invitation = session.get(Invitation, invitation_id)
    if invitation is None:
        raise OperatorError(f"No invitation '{invitation_id}'.", "invitation_id", status=404)
    invitation.revoked_at = invitation.revoked_at or utcnow()
    audit(session, actor, "invitation.revoke", invitation.id)
    session.commit()
    return invitation


# --- the review queue ------------------------------------------------------------------------------------------


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
        "created_at": _ts(rejection.created_at),
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
            "reviewed_at": _ts(rejection.reviewed_at),
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


def audit_view(entry: AuditEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "object": "audit_log_entry",
        "at": _ts(entry.at),
        "actor": entry.actor,
        "action": entry.action,
        "target": entry.target,
        "details": entry.details,
    }
