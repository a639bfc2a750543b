"""Fixtures for the deployment tests (helpers live in deployhelpers.py)."""

import pytest


@pytest.fixture
def nginx_prefix(tmp_path):
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    return prefix
