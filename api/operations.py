"""Parsing the three operations' requests (JSON for generations, multipart for edits and variations) into
JobRequests, with OpenAI's validation rules and error shapes. Used by both the image and the job routes."""

from __future__ import annotations

import hashlib

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from api import uploads
from api.context import AppContext
from api.errors import APIError, invalid
from api.schemas import CreateImageRequest, ImageOptions
from api.submission import JobRequest, check_prompt_text, normalize_options
from core.jobs import Operation

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


def generation_request(context: AppContext, body: CreateImageRequest) -> JobRequest:
    prompt = check_prompt_text(body.prompt, context.settings.max_prompt_chars)
    model, params = normalize_options(context, body)
    return JobRequest(operation=Operation.generate, options=body, prompt=prompt, params=params, model=model)


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


def _options_from_form(fields: dict[str, str], allow_prompt: bool) -> tuple[ImageOptions, str | None]:
    values: dict[str, object] = {}
    prompt = None
    for name, raw in fields.items():
        if name == "prompt" and allow_prompt:
            prompt = raw
            continue
        try:
            if name in INT_FIELDS:
                values[name] = int(raw.strip())
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
    request = JobRequest(
        operation=Operation.edit,
        options=options,
        prompt=prompt,
        image=image,
        mask=mask,
        upload_digest=_digest(image_file, mask_file),
        params=params,
        model=model,
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
    request = JobRequest(
        operation=Operation.vary,
        options=options,
        image=image,
        upload_digest=_digest(image_file),
        params=params,
        model=model,
    )
    return request, [image]
