"""Studio sessions, sign-in links, favourites and job deletion through the app (no browser): the edges the
browser tests do not reach — expiry, revocation, another key's images, files removed with their job."""

from __future__ import annotations

from sqlalchemy import select

from core import keys, studio
from core.db import make_engine, make_sessionmaker
from core.tables import ApiKey, Image
from tests.conftest import new_key, wait_for

FAST = {"steps": 2, "size": "256x256", "n": 2}


def _db(settings):
    return make_sessionmaker(make_engine(settings.sqlalchemy_url))()


def _sign_in(client, secret: str) -> str:
    response = client.post("/studio/session", json={"key": secret})
    assert response.status_code == 200, response.text
    assert "httponly" in response.headers["set-cookie"].lower() and "samesite=strict" in response.headers["set-cookie"].lower()
    return response.json()["csrf_token"]


def _finished_job(client, headers) -> dict:
    job = client.post("/v1/jobs/generations", json={"prompt": "a red circle", **FAST}, headers=headers).json()
    return wait_for(
        lambda: (j := client.get(f"/v1/jobs/{job['id']}", headers=headers).json())["status"] == "succeeded" and j,
        120, "the job to succeed",
    )


def test_a_sign_in_link_is_single_use_and_expires(client, settings):
    secret = new_key(settings)
    with _db(settings) as session:
        key = keys.find_api_key(session, secret)
        fresh = studio.create_sign_in_link(session, key)
        stale = studio.create_sign_in_link(session, key, minutes=0)
    assert client.get(f"/studio/sign-in?token={stale}", follow_redirects=False).headers["location"] == "/#sign-in-link-invalid"
    first = client.get(f"/studio/sign-in?token={fresh}", follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"] == "/#create" and "easel_session=" in first.headers["set-cookie"]
    client.cookies.clear()
    again = client.get(f"/studio/sign-in?token={fresh}", follow_redirects=False)
    assert again.headers["location"] == "/#sign-in-link-invalid" and "set-cookie" not in again.headers


def test_revoking_the_key_ends_its_sessions(client, settings):
    secret = new_key(settings)
    _sign_in(client, secret)
    assert client.get("/v1/jobs").status_code == 200
    with _db(settings) as session:
        keys.revoke_api_key(session, session.scalar(select(ApiKey.id).where(ApiKey.key_hash == studio.sha256_hex(secret))))
    response = client.get("/v1/jobs")
    assert response.status_code == 401 and response.json()["error"]["code"] == "invalid_api_key"


def test_a_suspended_or_disabled_key_cannot_sign_in(client, settings):
    """Refused at sign-in with the API's own reason, not let in to fail at the first call."""
    from core.audit import CLI_ACTOR

    secret = new_key(settings)
    with _db(settings) as session:
        key = keys.find_api_key(session, secret)
        keys.suspend_key(session, CLI_ACTOR, key, "too many refusals")
    response = client.post("/studio/session", json={"key": secret})
    assert response.status_code == 403 and response.json()["error"]["code"] == "api_key_suspended"
    assert "too many refusals" in response.json()["error"]["message"]
    assert "set-cookie" not in response.headers
    with _db(settings) as session:
        key = keys.find_api_key(session, secret)
        keys.reinstate_key(session, CLI_ACTOR, key)
        keys.set_disabled(session, CLI_ACTOR, key, True)
    response = client.post("/studio/session", json={"key": secret})
    assert response.status_code == 403 and response.json()["error"]["code"] == "api_key_disabled"


def test_the_session_cookie_follows_the_api_rules(client, settings):
    csrf = _sign_in(client, new_key(settings))
    # Validation is the API's: the same 400 as with a Bearer key, once the CSRF token is there.
    response = client.post("/v1/jobs/generations", json={"prompt": "x", "n": 11}, headers={"X-CSRF-Token": csrf})
    assert response.status_code == 400 and response.json()["error"]["param"] == "n"
    response = client.post("/v1/jobs/generations", json={"prompt": "x"})
    assert response.status_code == 403 and response.json()["error"]["code"] == "csrf_failed"


def test_favourites_and_deleting_a_job_stay_within_the_key(client, settings):
    mine = {"Authorization": f"Bearer {new_key(settings, 'mine')}"}
    theirs = {"Authorization": f"Bearer {new_key(settings, 'theirs')}"}
    job = _finished_job(client, mine)
    with _db(settings) as session:
        images = session.scalars(select(Image).where(Image.job_id == job["id"]).order_by(Image.index)).all()
    image_id = images[0].id
    stored = [settings.data_dir / "images" / image.storage_key for image in images]
    assert all(path.exists() for path in stored)

    assert client.put(f"/v1/favorites/{image_id}", headers=theirs).status_code == 404
    assert client.put(f"/v1/favorites/{image_id}", headers=mine).json()["favorite"] is True
    assert client.get("/v1/favorites", headers=mine).json()["data"] == [{"image_id": image_id, "job_id": job["id"]}]
    assert client.get("/v1/favorites", headers=theirs).json()["data"] == []

    assert client.delete(f"/v1/jobs/{job['id']}", headers=theirs).status_code == 404
    response = client.delete(f"/v1/jobs/{job['id']}", headers=mine)
    assert response.status_code == 200 and response.json()["deleted"] is True
    assert client.get(f"/v1/jobs/{job['id']}", headers=mine).status_code == 404
    assert client.get("/v1/favorites", headers=mine).json()["data"] == []
    assert not any(path.exists() for path in stored)


def test_an_unfinished_job_is_not_deleted(client, settings):
    headers = {"Authorization": f"Bearer {new_key(settings)}"}
    job = client.post("/v1/jobs/generations", json={"prompt": "a slow square", **FAST, "steps": 200}, headers=headers).json()
    response = client.delete(f"/v1/jobs/{job['id']}", headers=headers)
    assert response.status_code == 400 and response.json()["error"]["code"] == "job_not_finished"
    client.post(f"/v1/jobs/{job['id']}/cancel", headers=headers)
