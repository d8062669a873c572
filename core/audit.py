"""The audit log (every admin action: who, what, on what, when, with which changes, written in the same
transaction as the change) and what the admin actions share: their error, their CLI actor, durations."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from core.tables import AuditEntry, timestamp

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


def audit_view(entry: AuditEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "object": "audit_log_entry",
        "at": timestamp(entry.at),
        "actor": entry.actor,
        "action": entry.action,
        "target": entry.target,
        "details": entry.details,
    }
