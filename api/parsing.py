"""Parsing the three operations' requests (JSON for generations, multipart for edits and variations) into
JobRequests, with OpenAI's validation rules and error shapes. The images and the jobs routes both use it."""

from __future__ import annotations

import hashlib

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from api import uploads
from api.context import AppContext
from api.schemas import SIZES, CreateImageRequest, ImageOptions
from core.errors import APIError, invalid, not_found
from core.service import Delivery, JobRequest, check_idempotency_key
from core.tables import Operation

def resolve_model(context: AppContext, requested: str | None) -> str:
    if requested in (None, "", "dall-e-2"):
        return context.settings.resolved_default_model
    if requested in context.settings.models:
        return requested
    raise not_found(
        f"The model '{requested}' does not exist or is not served here. Served: "
        + ", ".join(["dall-e-2", *context.settings.models])
        + ".",
        "model",
        "model_not_found",
    )


def check_prompt_text(prompt: str | None, max_chars: int) -> str:
    if prompt is None:
        raise invalid("Missing required parameter: 'prompt'.", "prompt", "missing_required_parameter")
    if not prompt.strip():
        raise invalid("'prompt' must not be empty.", "prompt", "invalid_value")
    if "\x00" in prompt:
        raise invalid("'prompt' must not contain NUL characters.", "prompt", "invalid_value")
    if len(prompt) > max_chars:
        raise invalid(
            f"'prompt' is too long: {len(prompt)} characters; the maximum is {max_chars}.", "prompt", "string_above_max_length"
        )
    return prompt


def normalize_options(context: AppContext, options: ImageOptions) -> tuple[str, dict]:
    """Apply defaults and refuse the newer fields' values that DALL·E 2 cannot honour. Returns (model, params)."""
    if options.quality not in (None, "standard", "auto"):
        raise invalid(f"Invalid value for 'quality': '{options.quality}' is not supported by dall-e-2; use 'standard'.", "quality", "invalid_value")
    if options.style not in (None,):
        raise invalid("'style' is only supported by dall-e-3.", "style", "invalid_value")
    if options.background not in (None, "auto", "opaque"):
        raise invalid(f"Invalid value for 'background': '{options.background}' is not supported; use 'auto' or 'opaque'.", "background", "invalid_value")
    if options.moderation not in (None, "auto"):
        raise invalid("Invalid value for 'moderation': only 'auto' is supported.", "moderation", "invalid_value")
    if options.stream:
        raise invalid("Streaming is not supported for dall-e-2; use the /v1/jobs endpoints to follow progress.", "stream", "invalid_value")
    if options.partial_images not in (None, 0):
        raise invalid("'partial_images' is not supported.", "partial_images", "invalid_value")
    if options.output_compression is not None and options.output_format not in ("jpeg", "webp"):
        raise invalid("'output_compression' needs output_format 'jpeg' or 'webp'.", "output_compression", "invalid_value")
    model = resolve_model(context, options.model)
    params = {
        "n": options.n or 1,
        "size": SIZES[options.size or "1024x1024"],
        "response_format": options.response_format or "url",
        "output_format": options.output_format or "png",
        "output_compression": options.output_compression,
        "steps": options.steps,
        "guidance_scale": options.guidance_scale,
    }
    return model, params


INT_FIELDS = {"n", "seed", "steps", "output_compression", "partial_images"}
FLOAT_FIELDS = {"guidance_scale"}
BOOL_FIELDS = {"stream"}
FILE_FIELDS = {"image", "image[]", "mask"}

# OpenAPI descriptions of the multipart bodies, which the routes parse by hand (for OpenAI's field names and
# error messages); they keep /openapi.json honest for clients and for the schema fuzz test.
_OPTION_PROPERTIES = {
    "model": {"type": "string", "default": "dall-e-2"},
    "n": {"type": "integer", "minimum": 1, "maximum": 10, "default": 1},
    "size": {"type": "string", "enum": ["256x256", "512x512", "1024x1024"], "default": "1024x1024"},
    "response_format": {"type": "string", "enum": ["url", "b64_json"], "default": "url"},
    "output_format": {"type": "string", "enum": ["png", "jpeg", "webp"]},
    "user": {"type": "string"},
    "safety_identifier": {"type": "string"},
    "seed": {"type": "integer", "minimum": 0},
    "steps": {"type": "integer", "minimum": 1, "maximum": 200},
    "guidance_scale": {"type": "number", "minimum": 0, "maximum": 50},
}


def multipart_openapi(with_prompt_and_mask: bool) -> dict:
    properties = {"image": {"type": "string", "format": "binary"}, **_OPTION_PROPERTIES}
    required = ["image"]
    if with_prompt_and_mask:
        properties["prompt"] = {"type": "string", "minLength": 1, "maxLength": 1000}
        properties["mask"] = {"type": "string", "format": "binary"}
        required.append("prompt")
    return {
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {"schema": {"type": "object", "properties": properties, "required": required}}
            },
        }
    }


def job_request(operation: Operation, model: str, params: dict, options: ImageOptions, **inputs) -> JobRequest:
    # safety_identifier is the current SDK's name for `user`; either is stored as the job's user.
    user = options.user if options.user is not None else options.safety_identifier
    return JobRequest(operation=operation, model=model, params=params, seed=options.seed, user=user, **inputs)


def generation_request(context: AppContext, body: CreateImageRequest) -> JobRequest:
    prompt = check_prompt_text(body.prompt, context.settings.max_prompt_chars)
    model, params = normalize_options(context, body)
    return job_request(Operation.generate, model, params, body, prompt=prompt)


def delivery(http: Request) -> Delivery:
    return Delivery(
        idempotency_key=check_idempotency_key(http.headers.get("idempotency-key")),
        is_retry=http.headers.get("x-stainless-retry-count", "0") not in ("", "0"),
        request_id=getattr(http.state, "request_id", None),
        ratelimit_headers=ratelimit_headers(http),
    )


def ratelimit_headers(http: Request) -> dict[str, str]:
    """The request's x-ratelimit-* headers, filled by the job service; the middleware in api/main.py adds them to
    the response."""
    if not hasattr(http.state, "ratelimit_headers"):
        http.state.ratelimit_headers = {}
    return http.state.ratelimit_headers


def _body_limited(http: Request, limit: int, too_large: APIError) -> Request:
    """The same request, whose body is refused once more than `limit` bytes of it have arrived: a chunked
    upload has no Content-Length to check first, and would otherwise be spooled to disk whole."""
    received = 0

    async def receive():
        nonlocal received
        message = await http.receive()
        received += len(message.get("body", b""))
        if received > limit:
            raise too_large
        return message

    return Request(http.scope, receive)


async def _read_form(http: Request, context: AppContext) -> tuple[dict[str, str], dict[str, list[uploads.Upload]]]:
    max_bytes = context.settings.max_upload_bytes
    limit = 2 * max_bytes + 64 * 1024  # two images plus form fields: anything larger cannot be valid
    too_large = invalid(f"Uploaded images must be PNGs and less than {max_bytes // (1024 * 1024)} MB each.", "image", "request_too_large")
    length = http.headers.get("content-length")
    if length and length.isdigit() and int(length) > limit:
        raise too_large  # before reading any of it
    content_type = http.headers.get("content-type", "")
    # A form without files arrives urlencoded; it is read the same way and then misses its image.
    if not content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        raise invalid("This endpoint takes multipart/form-data with the image as a file field.", None, "invalid_content_type")
    form = await _body_limited(http, limit, too_large).form(max_files=4, max_fields=50)
    fields: dict[str, str] = {}
    files: dict[str, list[uploads.Upload]] = {}
    for name, value in form.multi_items():
        if isinstance(value, UploadFile):
            if name not in FILE_FIELDS:
                raise invalid(f"Unrecognized file field supplied: {name}", name, "unknown_parameter")
            # Starlette spools large parts to disk; refuse oversized files by their size, before reading them.
            if value.size is not None and value.size >= max_bytes:
                raise invalid(f"Uploaded image must be a PNG and less than {max_bytes // (1024 * 1024)} MB.", name.rstrip("[]"), "image_too_large")
            data = await value.read(max_bytes + 1)
            files.setdefault(name.removesuffix("[]"), []).append(uploads.Upload(value.filename or "", data))
        else:
            if name in FILE_FIELDS:
                raise invalid(f"'{name}' must be sent as a file, not as a text field.", name.removesuffix("[]"), "invalid_type")
            if name in fields:
                raise invalid(f"Duplicate field '{name}'.", name, "invalid_value")
            fields[name] = value
    return fields, files


def whole_number(raw: str) -> int:
    """"2" or "2.0" (a whole number written as a float, as JSON Schema's integer allows); ValueError otherwise."""
    try:
        return int(raw)
    except ValueError:
        value = float(raw)
        if not value.is_integer():
            raise
        return int(value)


def _options_from_form(fields: dict[str, str], allow_prompt: bool) -> tuple[ImageOptions, str | None]:
    values: dict[str, object] = {}
    prompt = None
    for name, raw in fields.items():
        if name == "prompt" and allow_prompt:
            prompt = raw
            continue
        try:
            if name in INT_FIELDS:
                values[name] = whole_number(raw.strip())
            elif name in FLOAT_FIELDS:
                values[name] = float(raw.strip())
            elif name in BOOL_FIELDS:
                if raw.strip().lower() not in ("true", "false"):
                    raise ValueError
                values[name] = raw.strip().lower() == "true"
            else:
                values[name] = raw
        except ValueError:
            raise invalid(f"Invalid value for '{name}': '{raw[:50]}' is not a valid {'integer' if name in INT_FIELDS else 'number' if name in FLOAT_FIELDS else 'boolean'}.", name, "invalid_type")
    try:
        return ImageOptions.model_validate(values), prompt
    except ValidationError as exc:
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in exc.errors()])


def _single_file(files: dict[str, list[uploads.Upload]], name: str, required: bool) -> uploads.Upload | None:
    found = files.get(name, [])
    if not found:
        if required:
            raise invalid(f"Missing required parameter: '{name}'.", name, "missing_required_parameter")
        return None
    if len(found) > 1:
        raise invalid(f"dall-e-2 takes exactly one '{name}' file, got {len(found)}.", name, "invalid_value")
    return found[0]


def _digest(*parts: uploads.Upload | None) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.data if part else b"-")
    return digest.hexdigest()


async def edit_request(context: AppContext, http: Request) -> tuple[JobRequest, list]:
    """Returns the request and the uploaded images for the upload policy check."""
    fields, files = await _read_form(http, context)
    options, prompt = _options_from_form(fields, allow_prompt=True)
    image_file = _single_file(files, "image", required=True)
    mask_file = _single_file(files, "mask", required=False)
    prompt = check_prompt_text(prompt, context.settings.max_prompt_chars)
    model, params = normalize_options(context, options)
    image, mask, uploaded = await run_in_threadpool(
        uploads.edit_inputs, image_file, mask_file, params["size"], context.settings.max_upload_bytes
    )
    request = job_request(
        Operation.edit, model, params, options,
        prompt=prompt, image=image, mask=mask, upload_digest=_digest(image_file, mask_file),
    )
    return request, uploaded


async def variation_request(context: AppContext, http: Request) -> tuple[JobRequest, list]:
    fields, files = await _read_form(http, context)
    if "prompt" in fields:
        raise invalid("Unrecognized request argument supplied: prompt", "prompt", "unknown_parameter")
    options, _ = _options_from_form(fields, allow_prompt=False)
    image_file = _single_file(files, "image", required=True)
    if "mask" in files:
        raise invalid("Unrecognized request argument supplied: mask", "mask", "unknown_parameter")
    model, params = normalize_options(context, options)
    image = await run_in_threadpool(
        uploads.variation_input, image_file, params["size"], context.settings.max_upload_bytes
    )
    request = job_request(Operation.vary, model, params, options, image=image, upload_digest=_digest(image_file))
    return request, [image]
