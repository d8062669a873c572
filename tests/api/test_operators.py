"""Running Easel for many people, through the API on SQLite and PostgreSQL: per-key limits and budgets with
OpenAI's headers, roles, expiry, disable, suspension (by hand and automatic), invitations, the review queue, the
audit log, and the usage API summing the job rows."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from easel.assembly import create_app
from core import audit, jobs, keys, tables
from core.db import make_engine, make_sessionmaker
from tests.conftest import migrated

FAST = {"steps": 1, "size": "256x256"}
BLOCKED_PROMPT = "a photo of a b1oody decapitated body"


class Ops:
    """An app on one database, with an admin key, and helpers to make keys and read rows."""

    def __init__(self, client: TestClient, settings):
        self.client, self.settings = client, settings
        self.engine = make_engine(settings.sqlalchemy_url)
        self.sessions = make_sessionmaker(self.engine)
        with self.sessions() as session:
            _, self.admin_secret = keys.create_key(session, audit.CLI_ACTOR, "admin", role="admin")
        self.admin = {"Authorization": f"Bearer {self.admin_secret}"}

    def key(self, **fields) -> tuple[str, dict]:
        """A user key made through the admin endpoint: (its id, its auth header)."""
        response = self.client.post("/v1/admin/keys", json={"name": "user", **fields}, headers=self.admin)
        assert response.status_code == 201, response.text
        body = response.json()
        return body["id"], {"Authorization": f"Bearer {body['key']}"}

    def jobs_of(self, key_id: str) -> list[tables.Job]:
        with self.sessions() as session:
            return list(session.scalars(select(tables.Job).where(tables.Job.api_key_id == key_id)).all())

    def submit(self, auth: dict, n: int = 1, **headers):
        return self.client.post(
            "/v1/jobs/generations", json={"prompt": "a red circle", "n": n, **FAST}, headers={**auth, **headers}
        )


@pytest.fixture
def ops(make_settings, database_url):
    settings = migrated(make_settings(database_url=database_url))
    with TestClient(create_app(settings)) as client:
        helper = Ops(client, settings)
        yield helper
        helper.engine.dispose()


def refused(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code, error
    return error


# --- limits and budgets ----------------------------------------------------------------------------------------


def test_image_and_request_limits_count_down_and_refuse_with_429(ops):
    key_id, auth = ops.key(requests_per_minute=4, images_per_minute=5)
    first = ops.submit(auth, n=2)
    assert first.status_code == 202, first.text
    assert first.headers["x-ratelimit-limit-images"] == "5"
    assert first.headers["x-ratelimit-remaining-images"] == "3"
    assert first.headers["x-ratelimit-limit-requests"] == "4"
    assert first.headers["x-ratelimit-remaining-requests"] == "3"
    assert first.headers["x-ratelimit-reset-images"].endswith("s")
    second = ops.submit(auth, n=3)
    assert second.status_code == 202 and second.headers["x-ratelimit-remaining-images"] == "0"
    third = ops.submit(auth, n=1)
    error = refused(third, 429, "rate_limit_exceeded")
    assert "5 images per minute" in error["message"]
    assert int(third.headers["retry-after"]) >= 1 and third.headers["x-ratelimit-remaining-images"] == "0"
    assert third.headers["x-ratelimit-remaining-requests"] == "1"
    # The fourth request is the last this minute; the fifth is refused for requests, before anything else.
    refused(ops.submit(auth, n=1), 429, "rate_limit_exceeded")
    fifth = ops.submit(auth, n=1)
    assert "4 requests per minute" in refused(fifth, 429, "rate_limit_exceeded")["message"]
    # Only the two accepted jobs exist: a refused one is never queued.
    assert sorted(j.params["n"] for j in ops.jobs_of(key_id)) == [2, 3]
    metrics = ops.client.get("/metrics").text
    assert 'easel_limit_refusals_total{window="images"} 2.0' in metrics
    assert 'easel_limit_refusals_total{window="requests"} 1.0' in metrics


def test_a_budget_refuses_with_insufficient_quota_and_says_when_it_renews(ops):
    key_id, auth = ops.key(images_per_day=3)
    ok = ops.submit(auth, n=2)
    assert ok.status_code == 202 and ok.headers["x-ratelimit-remaining-images-day"] == "1"
    over = ops.submit(auth, n=2)
    error = refused(over, 429, "insufficient_quota")
    assert error["type"] == "insufficient_quota" and "renews at" in error["message"]
    assert int(over.headers["retry-after"]) > 3600  # a day's window, not a minute's
    assert ops.submit(auth, n=1).status_code == 202
    # Nothing left: refused at the door, before the body's n matters.
    refused(ops.submit(auth, n=1), 429, "insufficient_quota")
    assert sum(j.params["n"] for j in ops.jobs_of(key_id)) == 3


def test_more_images_than_the_limit_in_one_request_is_refused(ops):
    _, auth = ops.key(images_per_minute=2)
    refused(ops.submit(auth, n=3), 429, "rate_limit_exceeded")


def test_repeats_of_an_accepted_job_are_not_charged_again(ops):
    key_id, auth = ops.key(images_per_minute=2)
    first = ops.submit(auth, n=2, **{"Idempotency-Key": "once"})
    assert first.status_code == 202
    again = ops.submit(auth, n=2, **{"Idempotency-Key": "once"})
    assert again.status_code == 202 and again.json()["id"] == first.json()["id"]
    retried = ops.client.post(
        "/v1/jobs/generations", json={"prompt": "a red circle", "n": 2, **FAST},
        headers={**auth, "Idempotency-Key": "once", "x-stainless-retry-count": "1"},
    )
    assert retried.status_code == 202 and retried.json()["id"] == first.json()["id"]
    # The budget holds the first job's two images only: a new job is refused.
    refused(ops.submit(auth, n=1), 429, "rate_limit_exceeded")
    assert len(ops.jobs_of(key_id)) == 1


def test_limits_come_from_the_key_then_its_tier_then_the_default(make_settings):
    from core.limits import resolve_limits

    settings = make_settings(rate_limit_per_minute=7, images_per_day=100,
                             tiers={"beta": {"images_per_day": 10, "images_per_minute": 3}})
    key = tables.ApiKey(name="k", tier="beta", images_per_minute=5)
    limits = resolve_limits(key, settings)
    assert (limits.requests_per_minute, limits.images_per_minute, limits.images_per_day) == (7, 5, 10)
    assert resolve_limits(tables.ApiKey(name="k", images_per_day=0), settings).images_per_day == 0  # 0: unlimited


def test_the_default_requests_per_minute_applies_to_every_key(make_settings):
    settings = migrated(make_settings(rate_limit_per_minute=1))
    with TestClient(create_app(settings)) as client:
        helper = Ops(client, settings)
        _, auth = helper.key()
        bad = {"prompt": "x", "model": "nope"}
        assert client.post("/v1/images/generations", json=bad, headers=auth).status_code == 404  # model_not_found
        response = client.post("/v1/images/generations", json=bad, headers=auth)
        refused(response, 429, "rate_limit_exceeded")
        assert response.headers["x-ratelimit-limit-requests"] == "1"
        helper.engine.dispose()


@pytest.mark.parametrize("fail_open", [False, True])
def test_an_unreachable_limits_store_fails_as_configured(make_settings, fail_open):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        dead = f"redis://127.0.0.1:{s.getsockname()[1]}/0"
    settings = migrated(make_settings(limits_storage_url=dead, limits_fail_open=fail_open))
    with TestClient(create_app(settings)) as client:
        helper = Ops(client, settings)
        _, limited = helper.key(images_per_day=10)
        _, unlimited = helper.key()
        ready = client.get("/readyz")
        assert ready.json()["limits"]["reachable"] is False
        if fail_open:
            assert ready.status_code == 200
            assert helper.submit(limited).status_code == 202
        else:
            assert ready.status_code == 503 and "limits" in ready.json()["problems"]
            response = helper.submit(limited)
            refused(response, 503, "service_unavailable")
            assert int(response.headers["retry-after"]) >= 1
        # A key without limits never needs the store.
        assert helper.submit(unlimited).status_code == 202
        helper.engine.dispose()


# --- roles and lifecycles --------------------------------------------------------------------------------------


ADMIN_ONLY = [
    ("get", "/v1/admin/keys"),
    ("post", "/v1/admin/keys"),
    ("get", "/v1/admin/invitations"),
    ("post", "/v1/admin/invitations"),
    ("get", "/v1/admin/rejections"),
    ("get", "/v1/admin/audit"),
    ("get", "/v1/organization/usage/images?start_time=0"),
]


def test_user_keys_get_403_on_every_admin_endpoint(ops):
    user_id, user = ops.key()
    for method, path in ADMIN_ONLY:
        response = getattr(ops.client, method)(path, headers=user, **({"json": {}} if method == "post" else {}))
        refused(response, 403, "insufficient_permissions")
    for action in ("disable", "revoke", "suspend"):
        response = ops.client.post(f"/v1/admin/keys/{user_id}/{action}", json={"reason": "x"}, headers=user)
        refused(response, 403, "insufficient_permissions")
    for method, path in ADMIN_ONLY:
        if method == "get":
            assert ops.client.get(path, headers=ops.admin).status_code == 200, path


def test_key_lifecycle_rename_role_expiry_disable_and_the_audit_log(ops):
    key_id, auth = ops.key(images_per_day=5)
    shown = ops.client.get(f"/v1/admin/keys/{key_id}", headers=ops.admin).json()
    assert shown["role"] == "user" and shown["limits"]["images_per_day"] == 5 and shown["status"] == "active"
    assert "key" not in shown  # the secret is shown once, at creation

    updated = ops.client.post(
        f"/v1/admin/keys/{key_id}", json={"name": "renamed", "images_per_day": None, "role": "admin"}, headers=ops.admin
    ).json()
    assert updated["name"] == "renamed" and updated["role"] == "admin" and updated["limits"]["images_per_day"] is None
    assert ops.client.get("/v1/admin/keys", headers=auth).status_code == 200  # an admin now

    bad = ops.client.post(f"/v1/admin/keys/{key_id}", json={"images_per_day": -1}, headers=ops.admin)
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "images_per_day"
    bad = ops.client.post(f"/v1/admin/keys/{key_id}", json={"tier": "platinum"}, headers=ops.admin)
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "tier"

    ops.client.post(f"/v1/admin/keys/{key_id}/disable", headers=ops.admin)
    refused(ops.client.get("/v1/models", headers=auth), 403, "api_key_disabled")
    ops.client.post(f"/v1/admin/keys/{key_id}/enable", headers=ops.admin)
    assert ops.client.get("/v1/models", headers=auth).status_code == 200

    past = int((tables.utcnow() - timedelta(minutes=1)).timestamp())
    ops.client.post(f"/v1/admin/keys/{key_id}", json={"expires_at": past}, headers=ops.admin)
    refused(ops.client.get("/v1/models", headers=auth), 401, "api_key_expired")
    ops.client.post(f"/v1/admin/keys/{key_id}", json={"expires_at": None}, headers=ops.admin)
    assert ops.client.get("/v1/models", headers=auth).status_code == 200

    ops.client.post(f"/v1/admin/keys/{key_id}/revoke", headers=ops.admin)
    refused(ops.client.get("/v1/models", headers=auth), 401, "invalid_api_key")

    entries = ops.client.get(f"/v1/admin/audit?target={key_id}", headers=ops.admin).json()["data"]
    actions = [e["action"] for e in reversed(entries)]
    assert actions == ["key.create", "key.update", "key.disable", "key.enable", "key.update", "key.update", "key.revoke"]
    admin_id = ops.client.get("/v1/admin/keys", headers=ops.admin).json()["data"][0]["id"]
    assert {e["actor"] for e in entries} == {f"key:{admin_id}"}
    assert entries[-2]["details"]["after"]["name"] == "renamed"


def test_suspended_key_gets_403_with_the_reason_until_reinstated(ops):
    key_id, auth = ops.key()
    ops.client.post(f"/v1/admin/keys/{key_id}/suspend", json={"reason": "spam campaign"}, headers=ops.admin)
    error = refused(ops.submit(auth), 403, "api_key_suspended")
    assert "spam campaign" in error["message"] and "suspended" in error["message"]
    ops.client.post(f"/v1/admin/keys/{key_id}/reinstate", headers=ops.admin)
    assert ops.submit(auth).status_code == 202


def test_a_studio_session_of_a_suspended_key_is_refused_too(ops):
    key_id, auth = ops.key()
    secret = auth["Authorization"].removeprefix("Bearer ")
    assert ops.client.post("/studio/session", json={"key": secret}).status_code == 200
    assert ops.client.get("/v1/jobs").status_code == 200  # the cookie stands for the key
    ops.client.post(f"/v1/admin/keys/{key_id}/suspend", json={"reason": "abuse"}, headers=ops.admin)
    refused(ops.client.get("/v1/jobs"), 403, "api_key_suspended")
    ops.client.cookies.clear()


# --- invitations -----------------------------------------------------------------------------------------------


def test_invitations_give_a_key_of_their_tier_a_limited_number_of_times(ops):
    made = ops.client.post("/v1/admin/invitations", json={"tier": "beta", "uses": 2, "expires_in": "7d"}, headers=ops.admin)
    assert made.status_code == 201, made.text
    code, invitation_id = made.json()["code"], made.json()["id"]
    assert len(code.removeprefix("inv-")) >= 43  # 32 random bytes in base64url: 256 bits
    with ops.sessions() as session:
        stored = session.get(tables.Invitation, invitation_id)
        assert stored.code_hash == hashlib.sha256(code.encode()).hexdigest() and code not in stored.prefix + stored.code_hash

    keys = []
    for name in ("ann", "bob"):
        redeemed = ops.client.post("/v1/invitations/redeem", json={"code": code, "name": name})
        assert redeemed.status_code == 201, redeemed.text
        body = redeemed.json()
        assert body["tier"] == "beta" and body["role"] == "user"
        assert body["effective_limits"] == {**{"images_per_month": 0}, **ops.settings.tiers["beta"]}
        keys.append(body["key"])
    assert keys[0] != keys[1]
    used_up = ops.client.post("/v1/invitations/redeem", json={"code": code, "name": "cat"})
    refused(used_up, 403, "invalid_invitation")
    # The redeemed key works, with its tier's limits in force.
    response = ops.submit({"Authorization": f"Bearer {keys[0]}"})
    assert response.status_code == 202 and response.headers["x-ratelimit-limit-images-day"] == "50"

    wrong = ops.client.post("/v1/invitations/redeem", json={"code": code[:-1] + ("A" if code[-1] != "A" else "B"), "name": "x"})
    assert refused(wrong, 403, "invalid_invitation")["message"] == used_up.json()["error"]["message"]

    other = ops.client.post("/v1/admin/invitations", json={"tier": "beta", "uses": 5}, headers=ops.admin).json()
    ops.client.post(f"/v1/admin/invitations/{other['id']}/revoke", headers=ops.admin)
    refused(ops.client.post("/v1/invitations/redeem", json={"code": other["code"], "name": "x"}), 403, "invalid_invitation")

    late = ops.client.post("/v1/admin/invitations", json={"tier": "beta", "uses": 5}, headers=ops.admin).json()
    with ops.sessions() as session:
        session.execute(update(tables.Invitation).where(tables.Invitation.id == late["id"])
                        .values(expires_at=tables.utcnow() - timedelta(seconds=1)))
        session.commit()
    refused(ops.client.post("/v1/invitations/redeem", json={"code": late["code"], "name": "x"}), 403, "invalid_invitation")

    surrogate = ops.client.post("/v1/invitations/redeem", content='{"code": "\\ud800", "name": "x"}',
                                headers={"content-type": "application/json"})
    assert surrogate.status_code == 400 and surrogate.json()["error"]["param"] == "code"
    bad_tier = ops.client.post("/v1/admin/invitations", json={"tier": "nope"}, headers=ops.admin)
    assert bad_tier.status_code == 400 and bad_tier.json()["error"]["param"] == "tier"
    listed = {i["id"]: i for i in ops.client.get("/v1/admin/invitations", headers=ops.admin).json()["data"]}
    assert listed[invitation_id]["used"] == 2 and listed[invitation_id]["status"] == "used_up"
    assert listed[other["id"]]["status"] == "revoked" and listed[late["id"]]["status"] == "expired"
    assert all("code" not in i for i in listed.values())


# --- the review queue and automatic suspension -----------------------------------------------------------------


@pytest.fixture
def strict(make_settings, database_url, tmp_path):
    policy_file = tmp_path / "policy.yaml"
    policy_file.write_text("review: {retain_prompt_days: 3}\nauto_suspend: {refusals: 2, hours: 1}\n")
    settings = migrated(make_settings(database_url=database_url, policy_file=policy_file))
    with TestClient(create_app(settings)) as client:
        helper = Ops(client, settings)
        yield helper
        helper.engine.dispose()


def test_refusals_are_kept_for_review_and_a_repeat_offender_is_suspended(strict):
    ops = strict
    key_id, auth = ops.key()
    for _ in range(3):  # more than 2 within the hour
        refused(ops.client.post("/v1/images/generations", json={"prompt": BLOCKED_PROMPT, **FAST}, headers=auth),
                400, "content_policy_violation")
    error = refused(ops.submit(auth), 403, "api_key_suspended")
    assert "3 content-policy refusals within 1 hours" in error["message"]
    shown = ops.client.get(f"/v1/admin/keys/{key_id}", headers=ops.admin).json()
    assert shown["status"] == "suspended" and "refusals" in shown["suspended_reason"]

    page = ops.client.get(f"/v1/admin/rejections?api_key_id={key_id}&stage=prompt&reviewed=false",
                          headers=ops.admin).json()
    assert len(page["data"]) == 3 and all(r["prompt"] == BLOCKED_PROMPT for r in page["data"])
    first = page["data"][0]
    one = ops.client.get(f"/v1/admin/rejections/{first['id']}", headers=ops.admin).json()
    assert one["api_key"]["id"] == key_id and one["category"] == first["category"]
    reviewed = ops.client.post(f"/v1/admin/rejections/{first['id']}/review",
                               json={"verdict": "false_positive", "note": "a film still"}, headers=ops.admin).json()
    assert reviewed["review"]["verdict"] == "false_positive"
    remaining = ops.client.get(f"/v1/admin/rejections?api_key_id={key_id}&reviewed=false", headers=ops.admin).json()
    assert len(remaining["data"]) == 2
    by_verdict = ops.client.get("/v1/admin/rejections?verdict=false_positive", headers=ops.admin).json()["data"]
    assert [r["id"] for r in by_verdict] == [first["id"]]

    ops.client.post(f"/v1/admin/keys/{key_id}/reinstate", json={"note": "reviewed"}, headers=ops.admin)
    assert ops.submit(auth).status_code == 202
    actions = [e["action"] for e in ops.client.get(f"/v1/admin/audit?target={key_id}", headers=ops.admin).json()["data"]]
    assert actions[:2] == ["key.reinstate", "key.suspend"]

    # Retention: a prompt older than the policy's days loses its text at the next refusal; the hash stays.
    with ops.sessions() as session:
        session.execute(update(tables.PolicyRejection).where(tables.PolicyRejection.id == first["id"])
                        .values(created_at=tables.utcnow() - timedelta(days=4)))
        session.commit()
    _, other = ops.key()
    ops.client.post("/v1/images/generations", json={"prompt": BLOCKED_PROMPT, **FAST}, headers=other)
    kept = ops.client.get(f"/v1/admin/rejections/{first['id']}", headers=ops.admin).json()
    assert kept["prompt"] is None and kept["prompt_sha256"] == hashlib.sha256(BLOCKED_PROMPT.encode()).hexdigest()


def test_by_default_no_prompt_text_is_kept_and_nobody_is_suspended(ops):
    key_id, auth = ops.key()
    for _ in range(4):
        ops.client.post("/v1/images/generations", json={"prompt": BLOCKED_PROMPT, **FAST}, headers=auth)
    rows = ops.client.get(f"/v1/admin/rejections?api_key_id={key_id}", headers=ops.admin).json()["data"]
    assert len(rows) == 4 and all(r["prompt"] is None and r["prompt_sha256"] for r in rows)
    assert ops.client.get(f"/v1/admin/keys/{key_id}", headers=ops.admin).json()["status"] == "active"


# --- usage -----------------------------------------------------------------------------------------------------


def _finished_job(session, key_id, *, model, size, operation, n, hours_ago, status="succeeded", user=None):
    """A job through the state machine: created `hours_ago`, claimed, and finished with n images (or failed)."""
    job = jobs.create_job(
        session, api_key_id=key_id, operation=operation, model=model, prompt="p", user=user,
        params={"n": n, "size": size}, seed=1, fingerprint=tables.new_id("fp"),
        created_at=tables.utcnow() - timedelta(hours=hours_ago),
    )
    jobs.claim_job(session, job.id, "w", 60)
    if status == "succeeded":
        images = [dict(index=i, storage_key=f"k/{job.id}/{i}", width=size, height=size, format="png", sha256="0" * 64)
                  for i in range(n)]
        assert jobs.finish_job(session, job.id, "w", images, blocked=0)
    else:
        jobs.fail_job(session, job.id, "model_error", "failed", worker_id="w")
    return job


def test_usage_sums_to_the_images_of_succeeded_jobs_per_group(ops):
    key_a, _ = ops.key()
    key_b, _ = ops.key()
    plan = [
        (key_a, "kandinsky-2.2", 256, "generate", 2, 0.5, "succeeded"),  # mid-bucket: no boundary is near
        (key_a, "kandinsky-2.2", 512, "generate", 3, 2.5, "succeeded"),
        (key_a, "unclip", 256, "edit", 1, 30, "succeeded"),
        (key_b, "unclip", 256, "vary", 4, 3, "succeeded"),
        (key_b, "unclip", 1024, "generate", 2, 5, "failed"),  # no images, not counted
        (key_b, "kandinsky-2.2", 256, "generate", 1, 50, "succeeded"),
    ]
    with ops.sessions() as session:
        for key_id, model, size, op, n, hours, status in plan:
            _finished_job(session, key_id, model=model, size=size, operation=op, n=n, hours_ago=hours, status=status)
    now = int(tables.utcnow().timestamp())
    start = now - 3 * 86400
    response = ops.client.get(
        "/v1/organization/usage/images",
        params={"start_time": start, "end_time": now, "bucket_width": "1d", "group_by": ["model", "size", "api_key_id"]},
        headers=ops.admin,
    )
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["object"] == "page" and len(page["data"]) == 3 and not page["has_more"]
    assert all(b["object"] == "bucket" and b["end_time"] - b["start_time"] <= 86400 for b in page["data"])
    got: dict[tuple, list[int]] = {}
    for bucket in page["data"]:
        for r in bucket["results"]:
            assert r["object"] == "organization.usage.images.result" and r["source"] is None and r["project_id"] is None
            totals = got.setdefault((r["model"], r["size"], r["api_key_id"]), [0, 0])
            totals[0] += r["images"]
            totals[1] += r["num_model_requests"]
    expected: dict[tuple, list[int]] = {}
    for key_id, model, size, op, n, hours, status in plan:
        if status == "succeeded" and hours < 72:
            totals = expected.setdefault((model, f"{size}x{size}", key_id), [0, 0])
            totals[0] += n
            totals[1] += 1
    assert got == expected

    # By source, one key, hourly buckets, paged: the 1h page holds the newest jobs only when it reaches them.
    by_source = ops.client.get(
        "/v1/organization/usage/images",
        params={"start_time": now - 4 * 3600, "end_time": now + 1, "bucket_width": "1h", "group_by": "source",
                "api_key_ids": [key_a], "limit": 2},
        headers=ops.admin,
    ).json()
    assert by_source["has_more"] and by_source["next_page"]
    rest = ops.client.get(
        "/v1/organization/usage/images",
        params={"start_time": now - 4 * 3600, "end_time": now + 1, "bucket_width": "1h", "group_by": "source",
                "api_key_ids": [key_a], "page": by_source["next_page"]},
        headers=ops.admin,
    ).json()
    results = [r for b in by_source["data"] + rest["data"] for r in b["results"]]
    assert sorted((r["source"], r["images"]) for r in results) == [("image.generation", 2), ("image.generation", 3)]

    # Prometheus: images by model (never by key), the same rows.
    metrics = ops.client.get("/metrics").text
    for model in ("kandinsky-2.2", "unclip"):
        images = sum(n for _, m, _, _, n, _, status in plan if m == model and status == "succeeded")
        assert f'easel_images_generated_total{{model="{model}"}} {float(images)}' in metrics

    bad = ops.client.get("/v1/organization/usage/images", params={"start_time": now, "group_by": "colour"},
                         headers=ops.admin)
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "group_by"


def test_a_monthly_budget_refuses_like_a_daily_one():
    from core.limits import KeyLimits, Limiter, LimitRefused

    limiter = Limiter("memory://")
    limits = KeyLimits(images_per_month=3)
    assert limiter.charge_images("k", limits, 3)["x-ratelimit-remaining-images-month"] == "0"
    with pytest.raises(LimitRefused) as refused:
        limiter.admit("k", limits)
    assert refused.value.kind == "quota" and refused.value.window == "images-month"
    assert "images per month" in refused.value.message and "renews at" in refused.value.message
    assert int(refused.value.headers["Retry-After"]) > 27 * 86400
    assert limiter.refusals["images-month"] == 1
