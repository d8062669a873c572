"""The studio's rows: browser sessions that stand for an API key, one-time sign-in links, and favourite images.

A session is a cookie holding a random token; only its sha256 is stored, as for API keys, so a copy of the
database signs nobody in. Each session has its own CSRF token, which the browser echoes in a header on every
state-changing call.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, String, delete, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.db import Base, UTCDateTime
from core.tables import ApiKey, Image, sha256_hex, utcnow

SESSION_DAYS = 14
SIGN_IN_LINK_MINUTES = 10


class StudioSession(Base):
    __tablename__ = "studio_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    api_key_id: Mapped[str] = mapped_column(ForeignKey("api_keys.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SignInLink(Base):
    __tablename__ = "studio_sign_in_links"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    api_key_id: Mapped[str] = mapped_column(ForeignKey("api_keys.id", ondelete="CASCADE"))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Favorite(Base):
    __tablename__ = "studio_favorites"

    api_key_id: Mapped[str] = mapped_column(ForeignKey("api_keys.id", ondelete="CASCADE"), primary_key=True)
    image_id: Mapped[str] = mapped_column(ForeignKey("images.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def open_session(session: Session, key: ApiKey) -> tuple[str, str]:
    """A new browser session for `key`: returns (cookie token, CSRF token)."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    session.add(StudioSession(
        token_hash=sha256_hex(token), api_key_id=key.id, csrf_token=csrf,
        expires_at=utcnow() + timedelta(days=SESSION_DAYS),
    ))
    session.commit()
    return token, csrf


def find_session(session: Session, token: str) -> tuple[StudioSession, ApiKey] | None:
    """The live session for a cookie token and its key; None once expired, signed out or the key revoked."""
    row = session.get(StudioSession, sha256_hex(token))
    if row is None or row.expires_at <= utcnow():
        return None
    key = session.get(ApiKey, row.api_key_id)
    if key is None or key.revoked_at is not None:
        return None
    return row, key


def close_session(session: Session, token: str) -> None:
    session.execute(delete(StudioSession).where(StudioSession.token_hash == sha256_hex(token)))
    session.commit()


def create_sign_in_link(session: Session, key: ApiKey, minutes: int = SIGN_IN_LINK_MINUTES) -> str:
    token = secrets.token_urlsafe(32)
    session.add(SignInLink(token_hash=sha256_hex(token), api_key_id=key.id, expires_at=utcnow() + timedelta(minutes=minutes)))
    session.commit()
    return token


def use_sign_in_link(session: Session, token: str) -> ApiKey | None:
    """The link's key, once: a conditional UPDATE, so two clicks racing cannot both sign in."""
    token_hash = sha256_hex(token)
    now = utcnow()
    used = session.execute(
        update(SignInLink)
        .where(SignInLink.token_hash == token_hash, SignInLink.used_at.is_(None), SignInLink.expires_at > now)
        .values(used_at=now)
    ).rowcount
    session.commit()
    if not used:
        return None
    key = session.get(ApiKey, session.get(SignInLink, token_hash).api_key_id)
    return key if key is not None and key.revoked_at is None else None


def favorites(session: Session, key: ApiKey) -> list[dict[str, str]]:
    """The key's favourite images, newest first, each with its job (whose GET gives a fresh URL)."""
    rows = session.execute(
        select(Favorite.image_id, Image.job_id)
        .join(Image, Image.id == Favorite.image_id)
        .where(Favorite.api_key_id == key.id)
        .order_by(Favorite.created_at.desc())
    )
    return [{"image_id": image_id, "job_id": job_id} for image_id, job_id in rows]
