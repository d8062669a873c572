"""The studio's Admin view in a real browser against a real `easel serve`: an admin key creates a key with a daily
limit and an invitation (each secret shown once), disables and re-enables a key, suspends and reinstates the key
of a policy refusal and reviews that refusal;
a user key sees no Admin link and gets the API's 403 message at #admin. No image is generated.

EASEL_STUDIO_SCREENSHOTS=DIR saves docs/studio/admin.png's screenshot there."""

from __future__ import annotations

import httpx
import pytest

from tests.studio.test_studio import BLOCKED_PROMPT, shot, wait_js

pytestmark = pytest.mark.slow


def _admin_api(server, method: str, path: str, key: str | None = None, **kwargs) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key or server.api_key}"}
    return httpx.request(method, f"{server.base_url}{path}", headers=headers, timeout=30, **kwargs)


def _keys_by_name(server) -> dict[str, dict]:
    response = _admin_api(server, "GET", "/v1/admin/keys")
    assert response.status_code == 200, response.text
    return {k["name"]: k for k in response.json()["data"]}


def _user_key(server, name: str) -> str:
    response = _admin_api(server, "POST", "/v1/admin/keys", json={"name": name, "role": "user"})
    assert response.status_code == 201, response.text
    return response.json()["key"]


def test_an_admin_manages_keys_invitations_and_the_review_queue(signed_in, server):
    page = signed_in
    # A refusal to review, made the way a user would meet it: a prompt the policy blocks.
    refused_secret = _user_key(server, "refused-user")
    refused = _admin_api(server, "POST", "/v1/images/generations", key=refused_secret, json={"prompt": BLOCKED_PROMPT})
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "content_policy_violation"

    admin_link = page.get_by_role("link", name="Admin")
    assert admin_link.is_visible()
    admin_link.click()
    page.wait_for_selector("#view-admin:not([hidden])")
    assert page.locator("#admin-keys tr", has_text="refused-user").count() == 1

    # A user key with a daily limit: its secret is shown once, and it works.
    page.get_by_label("Name", exact=True).fill("alice")
    page.get_by_label("Images per day").fill("5")
    page.get_by_role("button", name="Create key").click()
    page.wait_for_selector("#admin-new-secret")
    secret = page.locator("#admin-new-secret").inner_text()
    alice = _keys_by_name(server)["alice"]
    assert secret.startswith(alice["prefix"]) and alice["role"] == "user" and alice["limits"]["images_per_day"] == 5
    assert _admin_api(server, "GET", "/v1/jobs", key=secret).status_code == 200
    row = page.locator("#admin-keys tr", has_text="alice")
    assert "images per day: 5" in row.inner_text()

    # An invitation: the code is shown once, and the API lists it with its uses.
    page.get_by_label("Tier", exact=True).fill("beta")
    page.get_by_label("Uses", exact=True).fill("3")
    page.get_by_role("button", name="Create invitation").click()
    page.wait_for_selector("#admin-new-code")
    code = page.locator("#admin-new-code").inner_text()
    invitations = _admin_api(server, "GET", "/v1/admin/invitations").json()["data"]
    assert [(i["tier"], i["uses"]) for i in invitations if code.startswith(i["prefix"])] == [("beta", 3)]

    # Disable, then enable again: the table and the API agree at each step.
    row.get_by_role("button", name="Disable").click()
    wait_js(page, "document.querySelector('#admin-keys tr[data-key-id=\"%s\"] .status-disabled') !== null" % alice["id"], 15)
    assert _keys_by_name(server)["alice"]["status"] == "disabled"
    assert _admin_api(server, "GET", "/v1/jobs", key=secret).status_code == 403  # a disabled key is refused
    page.locator("#admin-keys tr", has_text="alice").get_by_role("button", name="Enable").click()
    wait_js(page, "document.querySelector('#admin-keys tr[data-key-id=\"%s\"] .status-active') !== null" % alice["id"], 15)
    assert _keys_by_name(server)["alice"]["status"] == "active"
    assert _admin_api(server, "GET", "/v1/jobs", key=secret).status_code == 200

    # The refusal waits in the review queue with its key; marked a false positive, it leaves the queue.
    pending = _admin_api(server, "GET", "/v1/admin/rejections", params={"reviewed": "false"}).json()["data"]
    [rejection] = [r for r in pending if r["api_key_id"] == _keys_by_name(server)["refused-user"]["id"]]
    queue_row = page.locator(f'#admin-rejections tr[data-rejection-id="{rejection["id"]}"]')
    assert "refused-user" in queue_row.inner_text() and rejection["stage"] in queue_row.inner_text()
    shot(page, "admin")
    # From the queue to the key: suspend it with a reason, then reinstate it.
    refused_id = rejection["api_key_id"]
    queue_row.get_by_role("button", name="Suspend key…").click()
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Reason to suspend refused-user"
    page.keyboard.type("checking a refusal")
    page.locator(f'#admin-keys tr[data-key-id="{refused_id}"]').get_by_role("button", name="Suspend").click()
    wait_js(page, f"document.querySelector('#admin-keys tr[data-key-id=\"{refused_id}\"] .status-suspended') !== null", 15)
    suspended = _keys_by_name(server)["refused-user"]
    assert suspended["status"] == "suspended" and suspended["suspended_reason"] == "checking a refusal"
    assert "Reinstate key…" in queue_row.inner_text()
    page.locator(f'#admin-keys tr[data-key-id="{refused_id}"]').get_by_role("button", name="Reinstate").click()
    wait_js(page, f"document.querySelector('#admin-keys tr[data-key-id=\"{refused_id}\"] .status-active') !== null", 15)
    assert _keys_by_name(server)["refused-user"]["status"] == "active"
    queue_row.get_by_role("button", name="False positive").click()
    wait_js(page, f"document.querySelector('#admin-rejections tr[data-rejection-id=\"{rejection['id']}\"]') === null", 15)
    reviewed = _admin_api(server, "GET", "/v1/admin/rejections", params={"reviewed": "true"}).json()["data"]
    assert [r["review"]["verdict"] for r in reviewed if r["id"] == rejection["id"]] == ["false_positive"]
    assert page.locator("#admin-error").inner_text() == ""


def test_a_user_key_sees_no_admin_link_and_gets_the_403_message(browser, server):
    secret = _user_key(server, "plain-user")
    expected = _admin_api(server, "GET", "/v1/admin/keys", key=secret)
    assert expected.status_code == 403
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        page.goto(server.base_url + "/")
        page.get_by_label("API key").fill(secret)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_selector("#view-create:not([hidden])")
        assert page.get_by_role("link", name="Admin").count() == 0
        page.goto(server.base_url + "/#admin")
        page.wait_for_selector("#view-admin:not([hidden])")
        wait_js(page, "document.querySelector('#admin-error').textContent !== ''", 15)
        assert page.locator("#admin-error").inner_text() == expected.json()["error"]["message"]
        assert page.locator("#admin-keys").is_hidden()
    finally:
        context.close()
