"""The service's errors, in OpenAI's terms: a status, a message, and the type/param/code of
{"error": {"message", "type", "param", "code"}}. Raised anywhere a request can go wrong; api/errors.py renders them."""

from __future__ import annotations


class APIError(Exception):
    def __init__(
        self,
        status_code: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        param: str | None = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.type = type
        self.param = param
        self.code = code
        self.headers = headers


def invalid(message: str, param: str | None = None, code: str | None = None) -> APIError:
    return APIError(400, message, param=param, code=code)


def not_found(message: str, param: str | None = None, code: str = "not_found") -> APIError:
    return APIError(404, message, param=param, code=code)


def policy_violation(message: str) -> APIError:
    return APIError(400, message, code="content_policy_violation")
