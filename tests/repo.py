"""Paths of the checkout the tests run in (the installed package never needs them)."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
