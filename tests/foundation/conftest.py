"""Lets the tests here import their shared helpers (tests/ is not a package)."""

from __future__ import annotations

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).parent))
