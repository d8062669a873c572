"""A real `easel serve` with the shipped model, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from tests.e2e.conftest import REPO, Server

CHROMIUM = os.environ.get("EASEL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
# Few steps at 256x256: the shipped model on two shared cores.
FAST_STEPS = "4"


class StudioServer(Server):
    def sign_in_link(self) -> str:
        match = re.search(r"(http://\S+/studio/sign-in\?token=\S+)", self.log_path.read_text())
        assert match, self.log_path.read_text()
        return match.group(1)

    def create_key(self, name: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "easel.cli", "keys", "create", name], cwd=REPO, capture_output=True, text=True,
            env={**os.environ, "EASEL_DATA_DIR": str(self.data_dir), "PYTHONPATH": str(REPO)}, check=True,
        )
        return result.stdout.strip()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = StudioServer(tmp_path_factory.mktemp("easel-studio"), {})
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium, or set EASEL_CHROMIUM)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def signed_in(browser, server):
    """A page signed in with the server's first key (pasted, as a user would)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    page = context.new_page()
    page.goto(server.base_url + "/")
    page.get_by_label("API key").fill(server.api_key)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("#view-create:not([hidden])")
    yield page
    context.close()
