"""Exposure: loopback by default, remote only with a flag and a password, bounded uploads, no file
served from outside, hostile questions through the web API, and no secret in any log.

One real web server (tests/web_server.py) for the module; the binding checks fail before any
model loads, and the log check runs the CLI against the session's index.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from gradio_client import Client

from settings import ROOT, Settings
from tests.test_bad_input import QUESTIONS
from tests.test_cli import assert_one_error_line
from tests.test_web_api import assert_verified
from tests.web_server import Server, web_server

SECRET = "sk-test-0123456789abcdefSECRET"


def app(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "app.py"), *args], capture_output=True, text=True, cwd=ROOT, timeout=300,
        env={**os.environ, "APP_PASSWORD": "", **(env or {})},
    )  # fmt: skip


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("web", "--host", "0.0.0.0"), "needs --allow-remote"),
        (("web", "--host", "192.168.1.5", "--port", "1"), "needs --allow-remote"),
        (("web", "--host", "0.0.0.0", "--allow-remote"), "needs a password"),
    ],
)
def test_remote_binding_needs_the_flag_and_a_password(args: tuple[str, ...], message: str) -> None:
    assert message in assert_one_error_line(app(*args))


def test_no_secret_in_logs(engine, settings: Settings) -> None:  # noqa: ANN001 - the session index, built
    """-v logs every step; an unreachable OpenAI server makes the key's error path run too."""
    env = {
        "DATA_DIR": str(settings.data_dir), "INDEX_DIR": str(settings.index_dir), "OPENAI_API_KEY": SECRET,
        "OPENAI_BASE_URL": "http://127.0.0.1:9/v1", "OPENAI_RETRIES": "0", "OPENAI_TIMEOUT": "2",
    }  # fmt: skip
    proc = app("-v", "ask", "--json", "When was the speech given?", env=env)
    assert proc.returncode == 0, proc.stderr
    assert "INFO" in proc.stderr and "connection failed" in proc.stderr  # the OpenAI error path ran
    assert SECRET not in proc.stdout + proc.stderr and SECRET[:12] not in proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with web_server(tmp_path_factory.mktemp("web-exposure")) as running:
        yield running


# gradio_client cannot encode a lone surrogate into its request: that case stops at the client.
@pytest.mark.parametrize("name", [name for name in QUESTIONS if name != "lone surrogate"])
def test_hostile_questions_through_the_web_api(server: Server, name: str) -> None:
    question, error = QUESTIONS[name]
    client = Client(server.url, verbose=False)
    if error:
        with pytest.raises(Exception, match=error):
            client.predict(question, api_name="/ask")
    else:
        assert_verified(client.predict(question, api_name="/ask"), server.data_dir)


@pytest.mark.parametrize("path", ["/etc/passwd", "../../../../etc/passwd", str(ROOT / "settings.py")])
def test_no_file_outside_is_served(server: Server, path: str) -> None:
    for route in ("gradio_api/file=", "file="):
        response = httpx.get(server.url + route + path, timeout=10)
        assert response.status_code in (400, 403, 404), (route, response.status_code)
        assert "root:" not in response.text


def test_uploads_over_the_limit_are_refused(server: Server) -> None:
    big = b"a" * (5 * 1024 * 1024 + 1)
    response = httpx.post(server.url + "gradio_api/upload", files={"files": ("big.txt", big)}, timeout=30)
    assert response.status_code == 413


def test_an_upload_name_cannot_escape_the_upload_folder(server: Server, tmp_path: Path) -> None:
    name = "../../../../tmp/escaped-upload.txt"
    response = httpx.post(
        server.url + "gradio_api/upload", files={"files": (name, b"Escape\n\nText.\n")}, timeout=30
    )
    assert response.status_code == 200, response.text
    (stored,) = response.json()
    assert Path(stored).name == "escaped-upload.txt" and ".." not in Path(stored).parts
    assert not Path("/tmp/escaped-upload.txt").exists()
