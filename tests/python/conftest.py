"""Shared fixtures of the Python package tests: where the shared goldens and
data are (TKA_SHARED, else ../shared beside the source tree)."""
import os

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.environ.get("TKA_SHARED") or os.path.join(HERE, "..", "..", "..", "shared")
os.environ.setdefault("TOKALIGN_MIRROR", os.path.join(SHARED, "data"))


@pytest.fixture(scope="session")
def shared():
    if not os.path.isdir(os.path.join(SHARED, "golden")):
        pytest.fail("shared goldens not found at %s (set TKA_SHARED)" % SHARED)
    return SHARED


def golden(*parts):
    return os.path.join(SHARED, "golden", *parts)


def read_jsonl(path):
    import json

    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]
