"""Invitations for phased access: an admin makes a code for a tier with a number of uses and an expiry; a person
redeems it for a key of their own, shown once. Codes are 256 random bits, stored hashed, compared in constant time."""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from core.audit import OperatorError, audit
from core.keys import create_api_key
from core.tables import ApiKey, Invitation, sha256_hex, timestamp, utcnow


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
        "expires_at": timestamp(invitation.expires_at),
        "revoked_at": timestamp(invitation.revoked_at),
        "created_at": timestamp(invitation.created_at),
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
