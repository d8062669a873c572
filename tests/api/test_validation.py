"""Bad input gets a 4xx in OpenAI's error shape with the right `param`, never a 500, and the service stays up."""

from __future__ import annotations

import io
import json
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from tests.conftest import png_bytes, scene


def assert_error(response, status: int, param: str | None = None, code: str | None = None):
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert error["message"]
    if param is not None:
        assert error["param"] == param, error
    if code is not None:
        assert error["code"] == code, error
    assert response.headers.get("x-request-id")
    return error


GENERATION_CASES = [
    ({}, "prompt", "missing_required_parameter"),
    ({"prompt": ""}, "prompt", None),
    ({"prompt": "   "}, "prompt", None),
    ({"prompt": 12}, "prompt", None),
    ({"prompt": "x" * 1001}, "prompt", "string_above_max_length"),
    ({"prompt": "a cat", "n": 0}, "n", None),
    ({"prompt": "a cat", "n": 11}, "n", None),
    ({"prompt": "a cat", "n": "two"}, "n", None),
    ({"prompt": "a cat", "n": 1.5}, "n", None),
    ({"prompt": "a cat", "size": "300x300"}, "size", None),
    ({"prompt": "a cat", "size": "1792x1024"}, "size", None),
    ({"prompt": "a cat", "response_format": "jpeg"}, "response_format", None),
    ({"prompt": "a cat", "quality": "hd"}, "quality", None),
    ({"prompt": "a cat", "style": "vivid"}, "style", None),
    ({"prompt": "a cat", "stream": True}, "stream", None),
    ({"prompt": "a cat", "background": "transparent"}, "background", None),
    ({"prompt": "a cat", "output_format": "gif"}, "output_format", None),
    ({"prompt": "a cat", "output_compression": 50}, "output_compression", None),
    ({"prompt": "a cat", "frobnicate": 1}, "frobnicate", "unknown_parameter"),
    ({"prompt": "a cat", "user": 5}, "user", None),
    ({"prompt": "a cat", "user": "u" * 257}, "user", None),
    ({"prompt": "a cat", "seed": -1}, "seed", None),
    ({"prompt": "a cat", "steps": 0}, "steps", None),
]


@pytest.mark.parametrize("body,param,code", GENERATION_CASES)
def test_generation_rejects_bad_fields(client, auth, body, param, code):
    assert_error(client.post("/v1/images/generations", json=body, headers=auth), 400, param, code)


def test_an_unknown_model_is_a_404_model_not_found(client, auth):
    """As OpenAI answers it, on the JSON and the multipart endpoints alike."""
    assert_error(client.post("/v1/images/generations", json={"prompt": "a cat", "model": "dall-e-3"}, headers=auth),
                 404, "model", "model_not_found")
    files = {"image": ("s.png", png_bytes(scene(64, "RGBA", hole=True)), "image/png")}
    assert_error(client.post("/v1/images/variations", files=files, data={"model": "nope"}, headers=auth),
                 404, "model", "model_not_found")


@pytest.mark.parametrize("sent, stored", [(2.0, 2), (1, 1), ("2.0", 2)])
def test_a_whole_number_n_written_as_a_float_is_that_integer(client, auth, sent, stored):
    """2.0 is an integer to JSON Schema (and what Python code computing n sends); in a form, "2.0" too."""
    if isinstance(sent, str):
        files = {"image": ("s.png", png_bytes(scene(64, "RGBA", hole=True)), "image/png")}
        response = client.post("/v1/jobs/variations", files=files, data={"n": sent, "size": "256x256", "steps": "2"},
                               headers=auth)
    else:
        response = client.post("/v1/jobs/generations", json={"prompt": "a cat", "n": sent, "size": "256x256",
                                                             "steps": 2}, headers=auth)
    assert response.status_code == 202, response.text
    assert response.json()["params"]["n"] == stored and isinstance(response.json()["params"]["n"], int)


@pytest.mark.parametrize("n", [2.5, "2.5", True, "two"])
def test_n_that_is_not_a_whole_number_is_a_400(client, auth, n):
    if isinstance(n, str):
        files = {"image": ("s.png", png_bytes(scene(64, "RGBA", hole=True)), "image/png")}
        response = client.post("/v1/images/variations", files=files, data={"n": n}, headers=auth)
    else:
        response = client.post("/v1/images/generations", json={"prompt": "a cat", "n": n}, headers=auth)
    assert_error(response, 400, "n")


def test_safety_identifier_is_stored_as_the_jobs_user(client, auth):
    body = {"prompt": "a cat", "size": "256x256", "steps": 2, "safety_identifier": "hashed-user-42"}
    response = client.post("/v1/jobs/generations", json=body, headers=auth)
    assert response.status_code == 202, response.text
    assert response.json()["user"] == "hashed-user-42"
    assert_error(client.post("/v1/images/generations", json={**body, "safety_identifier": "u" * 257}, headers=auth),
                 400, "safety_identifier")


def test_every_response_says_how_long_it_took(client, auth):
    for response in (client.get("/v1/models", headers=auth), client.get("/v1/models"), client.get("/nowhere")):
        assert int(response.headers["openai-processing-ms"]) >= 0


@pytest.mark.parametrize("field", ["prompt", "user", "model", "quality", "style", "background", "moderation"])
def test_unpaired_surrogates_are_a_400(client, auth, field):
    # Valid JSON, not text: "\udc80" parses into a str that neither a database nor a reply can encode (was a 500).
    raw = json.dumps({"prompt": "a cat", "size": "256x256", field: "a\udc80b"})
    response = client.post("/v1/images/generations", content=raw, headers={**auth, "content-type": "application/json"})
    assert "unicode" in assert_error(response, 400, field)["message"].lower()


@pytest.mark.parametrize("raw", [b"[1, 2]", b'"prompt"', b"{not json", b"", b"null", b'{"prompt": "a \xff cat"}'])
def test_generation_rejects_bodies_that_are_not_objects(client, auth, raw):
    response = client.post(
        "/v1/images/generations", content=raw, headers={**auth, "content-type": "application/json"}
    )
    error = assert_error(response, 400, code="invalid_json")
    assert error["param"] is None  # not pydantic's byte offset of the parse error


@pytest.mark.parametrize(
    "kwargs, sent_as",
    [
        ({"content": b'{"prompt": "a red circle"}', "headers": {"content-type": "application/x-www-form-urlencoded"}},
         "application/x-www-form-urlencoded"),  # what `curl -d '{...}'` sends without -H
        ({"files": {"prompt": (None, "a red circle")}}, "multipart/form-data"),
    ],
)
def test_a_generation_body_that_is_not_sent_as_json_says_which_content_type_it_had(client, auth, kwargs, sent_as):
    body = {k: v for k, v in kwargs.items() if k != "headers"}
    headers = {**auth, **kwargs.get("headers", {})}
    error = assert_error(client.post("/v1/images/generations", headers=headers, **body), 400, code="invalid_json")
    assert "application/json" in error["message"] and sent_as in error["message"]


def test_missing_and_wrong_keys_are_401(client, auth):
    error = assert_error(client.post("/v1/images/generations", json={"prompt": "a cat"}), 401, code="invalid_api_key")
    assert "API key" in error["message"]
    bad = {"Authorization": "Bearer sk-easel-not-a-real-key-123456"}
    error = assert_error(client.get("/v1/models", headers=bad), 401, code="invalid_api_key")
    assert "sk-ease" in error["message"] and "not-a-real" not in error["message"]  # the key is masked


def _edit(client, auth, files, data=None):
    return client.post("/v1/images/edits", files=files, data=data or {"prompt": "a red circle"}, headers=auth)


def _truncated_png() -> bytes:
    return png_bytes(scene(64, "RGBA", hole=True))[:200]


def _bomb_png(side: int = 20000) -> bytes:
    """A PNG header that claims a huge canvas: a few hundred bytes that would decode to gigabytes."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", side, side, 8, 6, 0, 0, 0)
    row = b"\x00" + b"\x00" * (side * 4)
    idat = zlib.compress(row * 16, 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def _jpeg_named_png() -> bytes:
    buffer = io.BytesIO()
    scene(64).save(buffer, format="JPEG")
    return buffer.getvalue()


EDIT_CASES = [
    ("no image", {}, {"prompt": "x"}, "image"),
    ("no prompt", {"image": ("a.png", png_bytes(scene(64, "RGBA", hole=True)), "image/png")}, {"size": "256x256"}, "prompt"),
    ("jpeg bytes named png", {"image": ("a.png", _jpeg_named_png(), "image/png")}, None, "image"),
    ("text named png", {"image": ("a.png", b"hello, this is not an image", "image/png")}, None, "image"),
    ("truncated png", {"image": ("a.png", _truncated_png(), "image/png")}, None, "image"),
    ("decompression bomb", {"image": ("a.png", _bomb_png(), "image/png")}, None, "image"),
    ("not square", {"image": ("a.png", png_bytes(Image.new("RGBA", (64, 32))), "image/png")}, None, "image"),
    ("rgb without mask", {"image": ("a.png", png_bytes(scene(64, "RGB")), "image/png")}, None, "image"),
    (
        "mask of another size",
        {
            "image": ("a.png", png_bytes(scene(64, "RGBA")), "image/png"),
            "mask": ("m.png", png_bytes(scene(32, "RGBA", hole=True)), "image/png"),
        },
        None,
        "mask",
    ),
    (
        "mask without alpha",
        {
            "image": ("a.png", png_bytes(scene(64, "RGB")), "image/png"),
            "mask": ("m.png", png_bytes(scene(64, "RGB")), "image/png"),
        },
        None,
        "mask",
    ),
    ("n as text", {"image": ("a.png", png_bytes(scene(64, "RGBA", hole=True)), "image/png")}, {"prompt": "x", "n": "lots"}, "n"),
    ("n too big", {"image": ("a.png", png_bytes(scene(64, "RGBA", hole=True)), "image/png")}, {"prompt": "x", "n": "11"}, "n"),
    ("bad size", {"image": ("a.png", png_bytes(scene(64, "RGBA", hole=True)), "image/png")}, {"prompt": "x", "size": "64x64"}, "size"),
    ("long prompt", {"image": ("a.png", png_bytes(scene(64, "RGBA", hole=True)), "image/png")}, {"prompt": "y" * 1001}, "prompt"),
]


@pytest.mark.parametrize("name,files,data,param", EDIT_CASES, ids=[c[0] for c in EDIT_CASES])
def test_edit_rejects_bad_uploads(client, auth, name, files, data, param):
    assert_error(_edit(client, auth, files, data), 400, param)


def test_upload_over_4mb_is_refused(client, auth):
    big = b"\x89PNG\r\n\x1a\n" + b"\x00" * (4 * 1024 * 1024 + 10)
    response = _edit(client, auth, {"image": ("big.png", big, "image/png")})
    assert_error(response, 400, "image")


def test_a_chunked_upload_is_refused_once_it_outgrows_two_images(client, auth):
    """No Content-Length to refuse it by: reading stops at the limit (it used to be spooled to disk whole and
    then refused as image_too_large)."""
    head = b'--xyz\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n'

    def chunks():  # a generator: sent with Transfer-Encoding: chunked
        yield head + b"\x89PNG\r\n\x1a\n"
        for _ in range(9):
            yield b"\x00" * (1024 * 1024)
        yield b"\r\n--xyz--\r\n"

    response = client.post(
        "/v1/images/variations", content=chunks(), headers={**auth, "content-type": "multipart/form-data; boundary=xyz"}
    )
    assert "content-length" not in response.request.headers
    assert_error(response, 400, "image", "request_too_large")


def test_malformed_multipart_is_400(client, auth):
    body = b"--xyz\r\nContent-Disposition: form-data; name=\"prompt\"\r\n\r\nhello"  # never closed
    response = client.post(
        "/v1/images/edits",
        content=body,
        headers={**auth, "content-type": "multipart/form-data; boundary=xyz"},
    )
    assert 400 <= response.status_code < 500
    assert_error(response, response.status_code)


def test_json_sent_to_a_multipart_endpoint_is_400(client, auth):
    assert_error(client.post("/v1/images/variations", json={"image": "x"}, headers=auth), 400)


def test_variation_rejects_prompt_and_bad_image(client, auth):
    files = {"image": ("a.png", png_bytes(scene(64)), "image/png")}
    response = client.post("/v1/images/variations", files=files, data={"prompt": "x"}, headers=auth)
    assert_error(response, 400, "prompt")
    files = {"image": ("a.png", b"GIF89a....", "image/png")}
    assert_error(client.post("/v1/images/variations", files=files, headers=auth), 400, "image")


def test_service_stays_up_after_bad_input(client, auth):
    for raw in (b"\xff\xfe", b"{" * 5000, b"[]"):
        client.post("/v1/images/generations", content=raw, headers={**auth, "content-type": "application/json"})
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/v1/models", headers=auth).status_code == 200


def test_unknown_route_and_method_are_openai_shaped(client, auth):
    assert assert_error(client.get("/v1/nothing-here", headers=auth), 404)["message"] == "Invalid URL (GET /v1/nothing-here)"
    assert_error(client.get("/v1/images/generations", headers=auth), 405)
    # A trailing slash is another URL, as at OpenAI: no redirect that a client would have to follow.
    response = client.post("/v1/images/generations/", json={"prompt": "a cat"}, headers=auth, follow_redirects=False)
    assert "Invalid URL (POST /v1/images/generations/)" == assert_error(response, 404)["message"]


def test_our_own_faults_are_500_in_openai_shape(client, auth):
    from api.deps import get_current_key

    def broken():
        raise RuntimeError("database on fire")

    client.app.dependency_overrides[get_current_key] = broken
    try:
        error = assert_error(client.get("/v1/models", headers=auth), 500)
    finally:
        client.app.dependency_overrides.clear()
    assert error["type"] == "server_error" and "fire" not in error["message"]  # no internals leak


def test_an_unreachable_database_is_a_503_to_retry(client, auth):
    """Not the client's fault and not a bug: 503 with Retry-After, which OpenAI's SDKs retry."""
    from core.db import make_engine, make_sessionmaker

    context = client.app.state.context
    reachable = context.services.sessions
    unreachable = make_engine("postgresql+psycopg://easel@127.0.0.1:1/none?connect_timeout=2")
    context.services.sessions = make_sessionmaker(unreachable)  # a real connection error, from the driver
    try:
        response = client.get("/v1/models", headers=auth)
    finally:
        context.services.sessions = reachable
        unreachable.dispose()
    error = assert_error(response, 503)
    assert error["type"] == "server_error" and error["code"] == "service_unavailable"
    assert response.headers["retry-after"] == "2"
    assert client.get("/v1/models", headers=auth).status_code == 200  # and it answers again once it can


@pytest.mark.parametrize("mode,transparent", [("RGB", (40, 90, 200)), ("L", 40), ("P", 0)])
def test_a_png_transparency_chunk_marks_the_area_to_edit(mode, transparent):
    """PNG also says "transparent" with a tRNS chunk (one colour, or a palette entry), no alpha channel needed."""
    from api.uploads import Upload, edit_inputs

    image = Image.new(mode, (64, 64), transparent)
    image.paste(Image.new(mode, (32, 64), 200 if mode != "RGB" else (230, 40, 40)), (32, 0))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", transparency=transparent)
    _, repaint, _ = edit_inputs(Upload("a.png", buffer.getvalue()), None, 64, 4 * 1024 * 1024)
    repaint = np.asarray(repaint)
    assert (repaint[:, :32] == 255).all() and (repaint[:, 32:] == 0).all()
