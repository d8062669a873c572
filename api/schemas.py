"""Public request and response shapes (the DALL·E 2 Images API, plus Easel's async jobs). Tables live in core/tables.py."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StrictInt, StrictStr, StringConstraints
from pydantic_core import PydanticCustomError

SIZES = {"256x256": 256, "512x512": 512, "1024x1024": 1024}
Size = Literal["256x256", "512x512", "1024x1024"]
ResponseFormat = Literal["url", "b64_json"]
OutputFormat = Literal["png", "jpeg", "webp"]


def storable_text(value: str) -> str:
    """Text a database can hold and a response can echo: a 400 here, not a 500 at the INSERT or the reply."""
    if "\x00" in value:  # PostgreSQL text cannot hold it
        raise PydanticCustomError("nul_character", "Input must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # JSON's "\ud800" escapes parse into unpaired surrogates, which are not text
        raise PydanticCustomError("invalid_unicode", "Input must be valid Unicode (it holds an unpaired surrogate)") from None
    return value


def whole_float_as_int(value: Any) -> Any:
    """2.0 is an integer to JSON Schema, and what Python code computing `n` often sends."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


Text = Annotated[StrictStr, AfterValidator(storable_text)]
Integer = Annotated[StrictInt, BeforeValidator(whole_float_as_int)]
# The length limit sits before the validator: placed after it, pydantic words it as a count of "items".
UserText = Annotated[StrictStr, StringConstraints(max_length=256), AfterValidator(storable_text)]


class ImageOptions(BaseModel):
    """Fields every image operation shares. Unknown fields are refused by name, as OpenAI does."""

    model_config = ConfigDict(extra="forbid")

    model: Text | None = None
    n: Integer | None = Field(default=None, ge=1, le=10)
    size: Size | None = None
    response_format: ResponseFormat | None = None
    user: UserText | None = None
    safety_identifier: UserText | None = None  # the current SDK's successor of `user`, stored the same way
    # Newer optional fields the SDK can send: honoured (output_format, output_compression) or accepted at the
    # value that means what DALL·E 2 does anyway; anything else is refused by normalize_options in api/parsing.py.
    output_format: OutputFormat | None = None
    output_compression: Integer | None = Field(default=None, ge=0, le=100)
    quality: Text | None = None
    style: Text | None = None
    background: Text | None = None
    moderation: Text | None = None
    stream: bool | None = None
    partial_images: Integer | None = None
    # Easel extensions (the SDK sends them through extra_body).
    seed: Integer | None = Field(default=None, ge=0, le=2**63 - 1)
    steps: Integer | None = Field(default=None, ge=1, le=200)
    guidance_scale: float | None = Field(default=None, ge=0.0, le=50.0)


class CreateImageRequest(ImageOptions):
    prompt: Text


class ImageData(BaseModel):
    url: str | None = None
    b64_json: str | None = None


class ImagesResponse(BaseModel):
    created: int
    data: list[ImageData]


class ModelObject(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str = "easel"


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelObject]


class JobError(BaseModel):
    code: str | None
    message: str | None


class JobProgress(BaseModel):
    step: int
    total: int


class JobObject(BaseModel):
    id: str
    object: Literal["image.job"] = "image.job"
    operation: str
    model: str
    status: str
    progress: JobProgress
    created_at: int
    started_at: int | None
    finished_at: int | None
    attempts: int
    params: dict[str, Any]
    user: str | None
    error: JobError | None = None
    result: ImagesResponse | None = None
    # When the retention period deleted the job's images (result is then null).
    images_expired_at: int | None = None


class JobList(BaseModel):
    object: Literal["list"] = "list"
    data: list[JobObject]
    first_id: str | None
    last_id: str | None
    has_more: bool
