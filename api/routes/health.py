from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from api.deps import ContextDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz():
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(context: ContextDep):
    """The database, the queue and the image storage can take work; 503 with the reasons when not."""
    problems = {}
    try:
        with context.services.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:
        problems["database"] = str(exc).splitlines()[0]
    try:
        context.jobs.dispatcher.ping()
    except Exception as exc:
        problems["broker"] = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    try:
        context.services.storage.check()
    except Exception as exc:
        problems["storage"] = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    limiter = context.jobs.limiter
    limits = {"storage": limiter.storage_url.split("://")[0], "fail_open": limiter.fail_open, "reachable": True}
    if not limiter.healthy():
        limits["reachable"] = False
        # Failing closed, this node refuses every limited request: not ready. Failing open, it serves unlimited.
        if not limiter.fail_open:
            problems["limits"] = "the limits store cannot be reached; limited keys get 503 (failing closed)"
    if problems:
        return JSONResponse({"status": "unavailable", "problems": problems, "limits": limits}, status_code=503)
    return {"status": "ready", "limits": limits}
