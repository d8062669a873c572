"""Operator endpoints: keys, invitations, the review queue, the audit log (admin keys only; a user key gets 403),
the usage API in OpenAI's shape, and the one public endpoint here, redeeming an invitation."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from api.deps import AdminKey, ContextDep, SessionDep
from api.schemas import Text  # no NUL, no unpaired surrogates: storable on PostgreSQL, hashable
from core import audit, invitations, keys, rejections
from core.errors import APIError
from core.tables import ApiKey, AuditEntry, Invitation, PolicyRejection
from core.usage import UsageQueryError, image_usage

router = APIRouter(tags=["admin"])


def _actor(key: ApiKey) -> str:
    return f"key:{key.id}"


def _error(exc: audit.OperatorError) -> APIError:
    code = {404: "not_found", 403: "invalid_invitation"}.get(exc.status, "invalid_value")
    return APIError(exc.status, exc.message, param=exc.param, code=code)


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class KeyLimitsBody(_Body):
    requests_per_minute: int | None = Field(None, ge=0)
    images_per_minute: int | None = Field(None, ge=0)
    images_per_day: int | None = Field(None, ge=0)
    images_per_month: int | None = Field(None, ge=0)


class CreateKeyBody(KeyLimitsBody):
    name: Text = Field(min_length=1, max_length=200)
    role: Literal["admin", "user"] = "user"
    tier: Text | None = Field(None, max_length=64)
    expires_at: int | None = Field(None, description="Unix seconds")


class UpdateKeyBody(KeyLimitsBody):
    """Only the fields sent change; a limit sent as null goes back to the tier's or the deployment's default."""

    name: Text | None = Field(None, min_length=1, max_length=200)
    role: Literal["admin", "user"] | None = None
    tier: Text | None = Field(None, max_length=64)
    expires_at: int | None = Field(None, description="Unix seconds; null: never")


class ReasonBody(_Body):
    reason: Text = Field(min_length=1, max_length=2000)


class NoteBody(_Body):
    note: Text | None = Field(None, max_length=2000)


def _when(ts: int | None) -> datetime | None:
    return datetime.fromtimestamp(ts, timezone.utc) if ts is not None else None


def _key(session, key_id: str) -> ApiKey:
    try:
        return keys.find_key(session, key_id)
    except audit.OperatorError as exc:
        raise _error(exc) from None


# --- keys ------------------------------------------------------------------------------------------------------


@router.get("/v1/admin/keys")
def list_keys(context: ContextDep, session: SessionDep, _admin: AdminKey):
    rows = session.scalars(select(ApiKey).order_by(ApiKey.created_at)).all()
    return {"object": "list", "data": [keys.key_view(k, context.settings) for k in rows]}


@router.post("/v1/admin/keys", status_code=201)
def create_key(body: CreateKeyBody, context: ContextDep, session: SessionDep, admin: AdminKey):
    fields = body.model_dump(exclude={"name", "expires_at"})
    try:
        key, secret = keys.create_key(
            session, _actor(admin), body.name, context.settings, expires_at=_when(body.expires_at), **fields
        )
    except audit.OperatorError as exc:
        raise _error(exc) from None
    return {**keys.key_view(key, context.settings), "key": secret}


@router.get("/v1/admin/keys/{key_id}")
def get_key(key_id: str, context: ContextDep, session: SessionDep, _admin: AdminKey):
    return keys.key_view(_key(session, key_id), context.settings)


@router.post("/v1/admin/keys/{key_id}")
def update_key(key_id: str, body: UpdateKeyBody, context: ContextDep, session: SessionDep, admin: AdminKey):
    key = _key(session, key_id)
    changes = {name: getattr(body, name) for name in body.model_fields_set}
    if "expires_at" in changes:
        changes["expires_at"] = _when(changes["expires_at"])
    for name in ("name", "role"):
        if name in changes and changes[name] is None:
            raise APIError(400, f"'{name}' cannot be null.", param=name, code="invalid_value")
    try:
        keys.update_key(session, _actor(admin), key, context.settings, **changes)
    except audit.OperatorError as exc:
        raise _error(exc) from None
    return keys.key_view(key, context.settings)


@router.post("/v1/admin/keys/{key_id}/disable")
def disable_key(key_id: str, context: ContextDep, session: SessionDep, admin: AdminKey):
    return keys.key_view(keys.set_disabled(session, _actor(admin), _key(session, key_id), True), context.settings)


@router.post("/v1/admin/keys/{key_id}/enable")
def enable_key(key_id: str, context: ContextDep, session: SessionDep, admin: AdminKey):
    return keys.key_view(keys.set_disabled(session, _actor(admin), _key(session, key_id), False), context.settings)


@router.post("/v1/admin/keys/{key_id}/revoke")
def revoke_key(key_id: str, context: ContextDep, session: SessionDep, admin: AdminKey):
    return keys.key_view(keys.revoke_key(session, _actor(admin), _key(session, key_id)), context.settings)


@router.post("/v1/admin/keys/{key_id}/suspend")
def suspend_key(key_id: str, body: ReasonBody, context: ContextDep, session: SessionDep, admin: AdminKey):
    key = keys.suspend_key(session, _actor(admin), _key(session, key_id), body.reason)
    return keys.key_view(key, context.settings)


@router.post("/v1/admin/keys/{key_id}/reinstate")
def reinstate_key(key_id: str, context: ContextDep, session: SessionDep, admin: AdminKey, body: NoteBody | None = None):
    key = keys.reinstate_key(session, _actor(admin), _key(session, key_id), body.note if body else None)
    return keys.key_view(key, context.settings)


# --- invitations -----------------------------------------------------------------------------------------------


class CreateInvitationBody(_Body):
    tier: Text = Field(min_length=1, max_length=64)
    uses: int = Field(1, ge=1, le=100000)
    expires_in: Text | None = Field("7d", description="e.g. 30m, 12h, 7d, 2w; null: never")
    note: Text | None = Field(None, max_length=2000)


class RedeemBody(_Body):
    code: Text = Field(min_length=1, max_length=200)
    name: Text = Field(min_length=1, max_length=200, description="a name for the new key (yours, or your app's)")


@router.get("/v1/admin/invitations")
def list_invitations(session: SessionDep, _admin: AdminKey):
    rows = session.scalars(select(Invitation).order_by(Invitation.created_at)).all()
    return {"object": "list", "data": [invitations.invitation_view(i) for i in rows]}


@router.post("/v1/admin/invitations", status_code=201)
def create_invitation(body: CreateInvitationBody, context: ContextDep, session: SessionDep, admin: AdminKey):
    try:
        expires = audit.parse_duration(body.expires_in) if body.expires_in else None
        invitation, code = invitations.create_invitation(
            session, _actor(admin), body.tier, body.uses, expires, context.settings, body.note
        )
    except audit.OperatorError as exc:
        raise _error(exc) from None
    return {**invitations.invitation_view(invitation), "code": code}


@router.post("/v1/admin/invitations/{invitation_id}/revoke")
def revoke_invitation(invitation_id: str, session: SessionDep, admin: AdminKey):
    try:
        return invitations.invitation_view(invitations.revoke_invitation(session, _actor(admin), invitation_id))
    except audit.OperatorError as exc:
        raise _error(exc) from None


@router.post("/v1/invitations/redeem", status_code=201)
def redeem_invitation(body: RedeemBody, context: ContextDep, session: SessionDep):
    """No key needed: the code is the credential. The new key is in the answer, and only there."""
    try:
        key, secret = invitations.redeem_invitation(session, body.code, body.name)
    except audit.OperatorError as exc:
        raise _error(exc) from None
    return {**keys.key_view(key, context.settings), "key": secret}


# --- the review queue ------------------------------------------------------------------------------------------


class ReviewBody(_Body):
    verdict: Literal["correct", "false_positive"]
    note: Text | None = Field(None, max_length=2000)


@router.get("/v1/admin/rejections")
def list_rejections(
    session: SessionDep,
    _admin: AdminKey,
    category: str | None = Query(None, max_length=64),
    stage: Literal["prompt", "upload", "output"] | None = None,
    api_key_id: str | None = Query(None, max_length=40),
    since: int | None = Query(None, description="Unix seconds"),
    until: int | None = Query(None, description="Unix seconds"),
    reviewed: bool | None = None,
    verdict: Literal["correct", "false_positive"] | None = None,
    limit: int = Query(50, ge=1, le=500),
    after: int | None = Query(None, description="the id of the last rejection of the previous page"),
):
    rows = rejections.list_rejections(
        session, category=category, stage=stage, api_key_id=api_key_id, since=_when(since), until=_when(until),
        reviewed=reviewed, verdict=verdict, limit=limit + 1, after=after,
    )
    page = rows[:limit]
    return {
        "object": "list",
        "data": [rejections.rejection_view(r) for r in page],
        "has_more": len(rows) > limit,
        "last_id": page[-1].id if page else None,
    }


@router.get("/v1/admin/rejections/{rejection_id}")
def get_rejection(rejection_id: int, session: SessionDep, _admin: AdminKey):
    rejection = session.get(PolicyRejection, rejection_id)
    if rejection is None:
        raise APIError(404, f"No rejection {rejection_id}.", param="rejection_id", code="not_found")
    view = rejections.rejection_view(rejection)
    key = session.get(ApiKey, rejection.api_key_id) if rejection.api_key_id else None
    view["api_key"] = keys.key_view(key) if key is not None else None
    return view


@router.post("/v1/admin/rejections/{rejection_id}/review")
def review_rejection(rejection_id: int, body: ReviewBody, session: SessionDep, admin: AdminKey):
    try:
        rejection = rejections.review_rejection(session, _actor(admin), rejection_id, body.verdict, body.note)
    except audit.OperatorError as exc:
        raise _error(exc) from None
    return rejections.rejection_view(rejection)


# --- audit log and usage ---------------------------------------------------------------------------------------


@router.get("/v1/admin/audit")
def audit_log(
    session: SessionDep,
    _admin: AdminKey,
    limit: int = Query(100, ge=1, le=1000),
    target: str | None = Query(None, max_length=64),
    action: str | None = Query(None, max_length=64),
):
    query = select(AuditEntry)
    if target:
        query = query.where(AuditEntry.target == target)
    if action:
        query = query.where(AuditEntry.action == action)
    rows = session.scalars(query.order_by(AuditEntry.id.desc()).limit(limit)).all()
    return {"object": "list", "data": [audit.audit_view(e) for e in rows]}


@router.get("/v1/organization/usage/images")
def usage_images(
    session: SessionDep,
    _admin: AdminKey,
    start_time: int = Query(..., ge=0, description="Unix seconds, inclusive"),
    end_time: int | None = Query(None, ge=0, description="Unix seconds, exclusive"),
    bucket_width: Literal["1m", "1h", "1d"] = "1d",
    group_by: list[str] | None = Query(None),
    api_key_ids: list[str] | None = Query(None),
    models: list[str] | None = Query(None),
    sources: list[str] | None = Query(None),
    sizes: list[str] | None = Query(None),
    user_ids: list[str] | None = Query(None),
    project_ids: list[str] | None = Query(None),
    limit: int | None = Query(None, ge=1),
    page: str | None = Query(None, max_length=64),
):
    """OpenAI's images usage API over the job rows: succeeded jobs' images and requests per bucket and group."""
    group_by = [g.strip() for value in group_by or [] for g in value.split(",") if g.strip()]
    if project_ids:  # no projects here: every job is outside every project
        return {"object": "page", "data": [], "has_more": False, "next_page": None}
    try:
        return image_usage(
            session, start_time=start_time, end_time=end_time, bucket_width=bucket_width, group_by=group_by,
            api_key_ids=api_key_ids, models=models, sources=sources, sizes=sizes, user_ids=user_ids,
            limit=limit, page=page,
        )
    except UsageQueryError as exc:
        raise APIError(400, exc.message, param=exc.param, code="invalid_value") from None
