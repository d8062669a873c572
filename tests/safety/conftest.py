from pathlib import Path

import pytest

from safety import load_policy


@pytest.fixture(scope="module")
def policy():
    """The shipped policy, loaded once per test module."""
    return load_policy(None)


def write_policy(tmp_path: Path, text: str) -> Path:
    """A deployment's policy file (merged over the shipped one by load_policy)."""
    p = tmp_path / "policy.yaml"
    p.write_text(text)
    return p
