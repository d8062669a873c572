"""OpenAI-shaped error responses: {"error": {"message", "type", "param", "code"}}, and the handlers that make them
from core.errors.APIError, from pydantic's validation errors and from anything unexpected."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from core.errors import APIError, invalid

log = logging.getLogger("easel.api")


def error_body(message: str, type: str, param: str | None, code: str | None) -> dict:
    return {"error": {"message": message, "type": type, "param": param, "code": code}}


def error_response(exc: APIError) -> JSONResponse:
    return JSONResponse(
        error_body(exc.message, exc.type, exc.param, exc.code), status_code=exc.status_code, headers=exc.headers
    )


def _param_from_loc(loc: tuple) -> str | None:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return parts[0] if parts else None


# What FastAPI raises when a body cannot be read as the route expects, other than a JSON syntax error.
FASTAPI_BODY_ERROR = "There was an error parsing the body"

JSON_PARSE_ERROR = (
    "We could not parse the JSON body of your request. The API expects a JSON object, but what was sent "
    "was empty or not valid JSON."
)


def validation_error(err: dict) -> APIError:
    """The first of pydantic's errors as OpenAI words it, with `param` naming the offending field."""
    kind = err.get("type", "")
    param = _param_from_loc(tuple(err.get("loc", ())))
    if kind == "json_invalid" or (kind == "missing" and param is None):  # loc holds a byte offset, not a field
        return invalid(JSON_PARSE_ERROR, code="invalid_json")
    if kind == "extra_forbidden":
        return invalid(f"Unrecognized request argument supplied: {param}", param, "unknown_parameter")
    if kind == "missing":
        return invalid(f"Missing required parameter: '{param}'.", param, "missing_required_parameter")
    if param is None:
        if kind in ("model_attributes_type", "dict_type"):
            return invalid("The request body must be a JSON object.", code="invalid_json")
        return invalid(f"Invalid request body: {err.get('msg')}")
    return invalid(f"Invalid value for '{param}': {err.get('msg')}.", param, "invalid_value")


def unexpected_error(exc: Exception) -> APIError:
    """What a request that failed on the server's side gets: 503 while the database or the image storage cannot
    be reached (a client
    should retry, and OpenAI's SDKs do, after Retry-After), 500 for anything else."""
    from sqlalchemy.exc import DisconnectionError, OperationalError, TimeoutError as PoolTimeoutError

    from core.storage import StorageUnavailable

    if isinstance(exc, StorageUnavailable):
        log.warning("storage unavailable: %s", exc)
        return APIError(
            503,
            "The service is temporarily unavailable (its image storage cannot be reached). Please retry shortly.",
            type="server_error",
            code="service_unavailable",
            headers={"Retry-After": "5"},
        )
    if isinstance(exc, (OperationalError, DisconnectionError, PoolTimeoutError)):
        log.warning("database unavailable: %s", exc)
        return APIError(
            503,
            "The service is temporarily unavailable (its database cannot be reached). Please retry shortly.",
            type="server_error",
            code="service_unavailable",
            headers={"Retry-After": "2"},
        )
    log.exception("unhandled error")
    return APIError(500, "The server had an error while processing your request.", type="server_error")


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(APIError)
    async def _api_error(_request: Request, exc: APIError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        error = validation_error(first)
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if error.code == "invalid_json" and content_type and "json" not in content_type:
            # Most often `curl -d '{...}'` without -H "Content-Type: application/json": say so.
            error.message = (
                "The request body must be a JSON object sent with Content-Type: application/json; "
                f"this request's Content-Type is {content_type}."
            )
        return error_response(error)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        codes = {404: "not_found", 405: "method_not_allowed", 413: "request_too_large"}
        message = str(exc.detail)
        if exc.status_code == 400 and message == FASTAPI_BODY_ERROR:  # e.g. a JSON body that is not UTF-8
            return error_response(invalid(JSON_PARSE_ERROR, code="invalid_json"))
        if exc.status_code == 404 and message == "Not Found":  # no such route: OpenAI names the URL
            message = f"Invalid URL ({request.method} {request.url.path})"
        return error_response(
            APIError(
                exc.status_code,
                message,
                type="invalid_request_error" if exc.status_code < 500 else "server_error",
                code=codes.get(exc.status_code),
                headers=getattr(exc, "headers", None),
            )
        )

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        return error_response(unexpected_error(exc))
