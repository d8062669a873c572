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
    if problems:
        return JSONResponse({"status": "unavailable", "problems": problems}, status_code=503)
    return {"status": "ready"}
