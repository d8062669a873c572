"""The studio: the web app at `/`, its browser sessions, and the two small endpoints it needs beyond OpenAI's
(favourites, deleting a job). Its pages call the same /v1 endpoints as any SDK, with a session cookie standing
for the key (api/deps.py), so validation, the content policy, rate limits and per-key isolation stay one path."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import delete, select

from api.deps import SESSION_COOKIE, ContextDep, CurrentKey, SessionDep, get_current_key
from core import keys, retention, studio
from core.errors import APIError, invalid, not_found
from core.tables import ApiKey, Image, Job

router = APIRouter(tags=["studio"])

STUDIO_DIR = Path(__file__).resolve().parents[2] / "studio"
MEDIA_TYPES = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml", ".html": "text/html"}
# Everything the pages load comes from this server: no other host, no inline script.
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' blob: data:; script-src 'self'; style-src 'self'; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


def _static_files() -> dict[str, Path]:
    # A fixed table of the committed files: no path from a URL ever reaches the filesystem.
    root = STUDIO_DIR / "static"
    return {p.name: p for p in root.iterdir() if p.is_file() and p.suffix in MEDIA_TYPES} if root.is_dir() else {}


STATIC = _static_files()


@router.get("/", include_in_schema=False)
def index():
    return FileResponse(STUDIO_DIR / "index.html", media_type="text/html", headers=PAGE_HEADERS)


@router.get("/studio/static/{name}", include_in_schema=False)
def static_file(name: str):
    path = STATIC.get(name)
    if path is None:
        raise not_found(f"No studio file '{name[:64]}'.")
    return FileResponse(path, media_type=MEDIA_TYPES[path.suffix], headers=PAGE_HEADERS)


def _set_session_cookie(response: Response, request: Request, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE, token, max_age=studio.SESSION_DAYS * 86400, path="/", httponly=True, samesite="strict",
        secure=request.url.scheme == "https",
    )


def _session_body(key: ApiKey, csrf: str) -> dict:
    # The role only decides whether the Admin link shows; the admin endpoints check it themselves.
    return {
        "object": "studio.session", "csrf_token": csrf,
        "key": {"id": key.id, "name": key.name, "prefix": key.prefix, "role": key.role},
    }


class SignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: str = Field(min_length=1, max_length=256)


@router.post("/studio/session", include_in_schema=False)
def sign_in(body: SignIn, request: Request, context: ContextDep, session: SessionDep):
    """Sign in with a pasted key. JSON only: a form on another site cannot post JSON without CORS' consent."""
    key = keys.find_api_key(session, body.key.strip())
    if key is None:
        raise APIError(401, "That API key is not valid (or has been revoked).", code="invalid_api_key")
    refusal = keys.key_refusal(key)
    if refusal is not None:  # expired, disabled or suspended: say so now, not at the first page's call
        status, code, message = refusal
        raise APIError(status, message, code=code)
    token, csrf = studio.open_session(session, key)
    response = JSONResponse(_session_body(key, csrf))
    _set_session_cookie(response, request, token)
    return response


@router.get("/studio/sign-in", include_in_schema=False)
def sign_in_with_link(request: Request, session: SessionDep, token: str = ""):
    """The one-time link `easel serve` prints: signs in once, within minutes of the start, then never again."""
    key = studio.use_sign_in_link(session, token[:128]) if token else None
    if key is None:
        return RedirectResponse("/#sign-in-link-invalid", status_code=303)
    cookie, _ = studio.open_session(session, key)
    response = RedirectResponse("/#create", status_code=303)
    _set_session_cookie(response, request, cookie)
    return response


@router.get("/studio/session", include_in_schema=False)
def current_session(request: Request, session: SessionDep):
    token = request.cookies.get(SESSION_COOKIE)
    found = studio.find_session(session, token) if token else None
    if found is None:
        raise APIError(401, "Not signed in.", code="not_signed_in")
    row, key = found
    return _session_body(key, row.csrf_token)


@router.delete("/studio/session", include_in_schema=False)
def sign_out(request: Request, context: ContextDep, session: SessionDep):
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        get_current_key(request, context)  # CSRF-checked like every other state change
        studio.close_session(session, token)
    response = JSONResponse({"object": "studio.session", "deleted": True})
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")
    return response


# --- beyond OpenAI: favourites and deleting a job ---------------------------------------------------------------


def _own_image(session, key: ApiKey, image_id: str) -> Image:
    image = session.get(Image, image_id)
    if image is None or image.job.api_key_id != key.id:
        raise not_found(f"No image found with id '{image_id}'.", "image_id")
    return image


@router.get("/v1/favorites")
def list_favorites(session: SessionDep, key: CurrentKey):
    """The key's favourite images, newest first, with their jobs (GET the job for a fresh URL)."""
    return {"object": "list", "data": studio.favorites(session, key)}


@router.put("/v1/favorites/{image_id}")
def add_favorite(session: SessionDep, key: CurrentKey, image_id: str = PathParam(max_length=64)):
    _own_image(session, key, image_id)
    if session.get(studio.Favorite, (key.id, image_id)) is None:
        session.add(studio.Favorite(api_key_id=key.id, image_id=image_id))
        session.commit()
    return {"object": "favorite", "image_id": image_id, "favorite": True}


@router.delete("/v1/favorites/{image_id}")
def remove_favorite(session: SessionDep, key: CurrentKey, image_id: str = PathParam(max_length=64)):
    _own_image(session, key, image_id)
    session.execute(delete(studio.Favorite).where(studio.Favorite.api_key_id == key.id, studio.Favorite.image_id == image_id))
    session.commit()
    return {"object": "favorite", "image_id": image_id, "favorite": False}


@router.delete("/v1/jobs/{job_id}", tags=["jobs"])
def delete_job(job_id: str, context: ContextDep, session: SessionDep, key: CurrentKey):
    """Delete a finished job with its images and stored inputs. A queued or running job is cancelled first."""
    context.jobs.get(key, job_id)  # another key's job is a 404, as everywhere
    job = session.get(Job, job_id)
    if not job.is_terminal:
        raise invalid(f"The job {job_id} is {job.status}; cancel it before deleting it.", "job_id", "job_not_finished")
    # The files first (images and uploads, local or S3): should the store be unreachable, this answers 503 and
    # the job is still there to be deleted again, rather than gone with its files left behind for good.
    retention.delete_stored_files(context.services.storage, job)
    image_ids = select(Image.id).where(Image.job_id == job_id)
    session.execute(delete(studio.Favorite).where(studio.Favorite.image_id.in_(image_ids)))
    session.execute(delete(Image).where(Image.job_id == job_id))
    session.execute(delete(Job).where(Job.id == job_id))
    session.commit()
    return {"id": job_id, "object": "image.job.deleted", "deleted": True}
