"""Fixtures for the unCLIP tests: the tiny seeded model (tests/conftest.py's tiny_unclip_dir) loaded as a backend."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def tiny_backend(tiny_unclip_dir):
    from models.unclip import UnclipBackend

    return UnclipBackend.from_pretrained(tiny_unclip_dir, threads=1)
