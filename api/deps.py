"""Typed dependencies for the routes. Tests may override any of them through app.dependency_overrides."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from api.context import AppContext
from core import keys, studio
from core.errors import APIError
from core.tables import ApiKey

SESSION_COOKIE = "easel_session"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def get_context(request: Request) -> AppContext:
    return request.app.state.context


ContextDep = Annotated[AppContext, Depends(get_context)]


def get_session(context: ContextDep) -> Iterator[Session]:
    with context.services.sessions() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def _unauthorized(message: str) -> APIError:
    return APIError(401, message, code="invalid_api_key")


def _studio_session_key(request: Request, context: AppContext, token: str) -> ApiKey:
    """The key a studio session cookie stands for. A state-changing call must echo the session's CSRF token in
    a header, which a page on another origin cannot read, so it cannot make the browser act for its user."""
    with context.services.sessions() as session:
        found = studio.find_session(session, token)
    if found is None:
        raise _unauthorized("Your studio session has ended; sign in again.")
    row, key = found
    _refuse_unusable(key)
    if request.method not in SAFE_METHODS and not secrets.compare_digest(
        request.headers.get(CSRF_HEADER, "").encode(), row.csrf_token.encode()
    ):
        raise APIError(403, "This request lacks the studio session's CSRF token (X-CSRF-Token header).", code="csrf_failed")
    request.state.api_key_id = key.id
    return key


def get_current_key(request: Request, context: ContextDep) -> ApiKey:
    header = request.headers.get("authorization", "")
    cookie = request.cookies.get(SESSION_COOKIE)
    if not header and cookie:
        # The studio: a browser session stands for its key, and takes the same path as a Bearer key from here.
        return _studio_session_key(request, context, cookie)
    scheme, _, secret = header.partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret:
        raise _unauthorized(
            "You didn't provide an API key. You need to provide your API key in an Authorization header using "
            "Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
        )
    # Its own short session, not SessionDep: a synchronous image request or an SSE stream lasts as long as its
    # job, and holding a pooled connection that long starved every other request once the pool ran out.
    with context.services.sessions() as session:
        key = keys.find_api_key(session, secret)
    if key is None:
        shown = secret[:7] + "*" * 4 + secret[-4:] if len(secret) > 11 else "*" * len(secret)
        raise _unauthorized(f"Incorrect API key provided: {shown}. Keys are created with `easel keys create NAME`.")
    _refuse_unusable(key)
    request.state.api_key_id = key.id
    return key


def _refuse_unusable(key: ApiKey) -> None:
    """An expired (401), disabled or suspended (403) key, with a message that says which, whichever way it came."""
    refusal = keys.key_refusal(key)
    if refusal is not None:
        status, code, message = refusal
        raise APIError(status, message, code=code)


CurrentKey = Annotated[ApiKey, Depends(get_current_key)]


def get_submitting_key(request: Request, context: ContextDep, key: CurrentKey) -> ApiKey:
    """The key of a request that would create work, within its limits. A dependency, so the order is the same
    on every endpoint: auth, then limits, and only then is the body parsed (an upload is never read for a
    client that is over its limit)."""
    from api.parsing import ratelimit_headers

    may_repeat = bool(request.headers.get("idempotency-key")) or request.headers.get(
        "x-stainless-retry-count", "0"
    ) not in ("", "0")
    ratelimit_headers(request).update(context.jobs.check_limits(key, may_repeat=may_repeat))
    return key


SubmittingKey = Annotated[ApiKey, Depends(get_submitting_key)]


def get_admin_key(key: CurrentKey) -> ApiKey:
    if key.role != "admin":
        raise APIError(
            403,
            "You have insufficient permissions for this operation: it needs an admin key "
            "(`easel keys create NAME --role admin`).",
            code="insufficient_permissions",
        )
    return key


AdminKey = Annotated[ApiKey, Depends(get_admin_key)]
