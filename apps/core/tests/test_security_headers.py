"""Headers: Content-Security-Policy without inline script, no-store once signed in, a
Permissions-Policy, and no Server banner from gunicorn."""

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

TEMPLATE_DIRS = [Path(settings.BASE_DIR, "templates"), *Path(settings.BASE_DIR, "apps").glob("*/templates")]


def _directives(header: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_every_page_carries_a_policy_that_allows_no_inline_script(client_for):
    response = client_for("manager").get(reverse("core:home"))

    policy = _directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]


def test_the_login_page_carries_the_policy_too(client):
    response = client.get(reverse("accounts:login"))

    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "Permissions-Policy" in response


@pytest.mark.parametrize("url_name", ["core:home", "masterdata:customer_list", "masterdata:customer_export"])
def test_signed_in_pages_and_exports_are_not_stored(client_for, url_name):
    response = client_for("manager").get(reverse(url_name))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_every_response_says_which_browser_features_it_may_use(client_for):
    response = client_for("manager").get(reverse("core:home"))

    policy = response["Permissions-Policy"]
    assert "geolocation=()" in policy
    assert "microphone=()" in policy
    assert "camera=(self)" in policy


def _template_files():
    for directory in TEMPLATE_DIRS:
        yield from directory.rglob("*.html")


def test_no_template_holds_an_inline_script_or_event_handler():
    offenders = []
    for path in _template_files():
        text = path.read_text(encoding="utf-8")
        offenders.extend(
            f"{path}: inline <script>"
            for match in re.finditer(r"<script\b[^>]*>", text)
            if "src=" not in match.group(0)
        )
        if re.search(r"\son[a-z]+\s*=", text) or "javascript:" in text:
            offenders.append(f"{path}: inline event handler or javascript: URL")

    assert offenders == []


def test_gunicorn_sends_no_server_header(tmp_path):
    (tmp_path / "hello_app.py").write_text(
        "def app(environ, start_response):\n"
        "    start_response('200 OK', [('Content-Type', 'text/plain')])\n"
        "    return [b'ok']\n"
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = Path(settings.BASE_DIR, "config", "gunicorn.py")
    command = [sys.executable, "-m", "gunicorn", "-c", str(config), "-b", f"127.0.0.1:{port}", "-w", "1"]
    server = subprocess.Popen(  # noqa: S603  (fixed arguments, no shell)
        [*command, "--chdir", str(tmp_path), "hello_app:app"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "LOG_LEVEL": "warning"},
    )
    try:
        headers = _raw_headers(port)
    finally:
        server.terminate()
        server.wait(timeout=10)

    assert headers.startswith("HTTP/1.1 200")
    assert "\r\nserver:" not in headers.lower()


def _raw_headers(port: int) -> str:
    deadline = time.monotonic() + 15
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as connection:
                connection.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                return connection.recv(4096).decode("latin-1").split("\r\n\r\n")[0] + "\r\n"
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
