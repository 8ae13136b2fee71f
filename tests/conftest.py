"""Fixtures shared by the browser tests, tests/test_browser.py and tests/test_static_html.py.

pytest-xdist may run the two files in different workers: each worker starts its own Chromium.
"""

import os

import pytest

from browser_support import CHROMIUM_ARGS, DEFAULT_CHROMIUM, chromium_path, unavailable


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, driven by Playwright (never a downloaded browser)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        unavailable(f"Playwright is not installed ({error}); pip install -r requirements.txt")
    path = chromium_path()
    if path is None:
        wanted = os.environ.get("CHROMIUM_PATH") or DEFAULT_CHROMIUM
        unavailable(f"no Chromium at {wanted} (apt-get install chromium, or set CHROMIUM_PATH)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=path, headless=True, args=CHROMIUM_ARGS, timeout=60_000)
        try:
            yield chromium
        finally:
            chromium.close()
