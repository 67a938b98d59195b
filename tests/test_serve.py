"""Who can reach the dashboard: `handoff serve` is private by default, a shared dashboard
asks for a secret whose plain text never reaches the Streamlit process, viewers cannot load
or change anything, visitors see no tracebacks, nothing calls out at start, and SIGTERM
stops the whole dashboard."""

from __future__ import annotations

import base64
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import access, cli
from tests.conftest import REPO

APP = str(REPO / "dashboard" / "app.py")
VIEWER_SECRET = "blue-harbour-42"
EDITOR_SECRET = "red-lantern-77"
SALT = b"0123456789abcdef"


def _option(cmd: list[str], key: str) -> list[str]:
    """Every value ``cmd`` gives the Streamlit option ``key``."""
    return [cmd[i + 1] for i, part in enumerate(cmd) if part == f"--{key}"]


def _plan(*argv: str) -> tuple[list[str], dict[str, str], str]:
    return cli.serve_plan(cli.build_parser().parse_args(["serve", *argv]))


@pytest.fixture
def no_secret_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in (*access.SECRET_ENVS, *access.HASH_ENVS):
        monkeypatch.delenv(key, raising=False)


# ----------------------------------------------------------------------------- the command
def test_default_host_is_loopback(sample_workspace: Path, no_secret_env: None) -> None:
    cmd, env, url = _plan("-w", str(sample_workspace), "--port", "8765")
    assert _option(cmd, "server.address") == ["127.0.0.1"]
    assert url == "http://localhost:8765"
    # no secret on loopback: nobody is asked to sign in, everyone local is an editor
    assert not access.configured(env)
    # only the names of this machine may be used to reach it (no DNS rebinding)
    assert set(_option(cmd, "server.allowedHosts")) == {"localhost", "127.0.0.1", "::1"}


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::", "dashboard.example.lan"])
def test_a_non_loopback_host_without_a_secret_exits_2(
    run, sample_workspace: Path, no_secret_env: None, host: str
) -> None:
    result = run("serve", "-w", sample_workspace, "--host", host)
    assert result.code == 2
    assert "HANDOFF_PASSWORD" in result.err and "--password" in result.err


def test_secrets_that_cannot_work_are_refused(
    run, sample_workspace: Path, no_secret_env: None
) -> None:
    alone = run("serve", "-w", sample_workspace, "--editor-password", EDITOR_SECRET)
    assert alone.code == 2 and "--password" in alone.err
    same = run("serve", "-w", sample_workspace, "--password", "x1", "--editor-password", "x1")
    assert same.code == 2 and "different" in same.err


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.0.1", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("::", False),
        ("10.0.0.5", False),
        ("my-laptop", False),
    ],
)
def test_which_hosts_are_loopback(host: str, loopback: bool) -> None:
    assert access.is_loopback(host) is loopback


def test_the_child_gets_hashes_never_the_secrets(
    monkeypatch: pytest.MonkeyPatch, sample_workspace: Path, no_secret_env: None
) -> None:
    monkeypatch.setenv("HANDOFF_PASSWORD", VIEWER_SECRET)
    monkeypatch.setenv("HANDOFF_EDITOR_PASSWORD", EDITOR_SECRET)
    cmd, env, _ = _plan("-w", str(sample_workspace), "--host", "0.0.0.0")
    assert _option(cmd, "server.address") == ["0.0.0.0"]
    everything = " ".join(cmd) + " " + " ".join(f"{k}={v}" for k, v in env.items())
    assert VIEWER_SECRET not in everything and EDITOR_SECRET not in everything
    assert "HANDOFF_PASSWORD" not in env and "HANDOFF_EDITOR_PASSWORD" not in env
    assert access.verify(VIEWER_SECRET, env["HANDOFF_VIEWER_HASH"])
    assert access.verify(EDITOR_SECRET, env["HANDOFF_EDITOR_HASH"])
    assert not access.verify(EDITOR_SECRET, env["HANDOFF_VIEWER_HASH"])
    # salted: the same secret hashes differently each time
    _, again, _ = _plan("-w", str(sample_workspace), "--host", "0.0.0.0")
    assert again["HANDOFF_VIEWER_HASH"] != env["HANDOFF_VIEWER_HASH"]


def test_a_password_option_beats_the_environment_and_alone_makes_editors(
    monkeypatch: pytest.MonkeyPatch, sample_workspace: Path, no_secret_env: None
) -> None:
    monkeypatch.setenv("HANDOFF_PASSWORD", "from-the-env")
    _, env, _ = _plan("-w", str(sample_workspace), "--host", "0.0.0.0", "--password", "given")
    assert "HANDOFF_VIEWER_HASH" not in env
    assert access.role_for("given", env) == access.EDITOR
    assert access.role_for("from-the-env", env) is None


def test_hashes_are_salted_scrypt_and_malformed_ones_match_nothing() -> None:
    encoded = access.hash_secret("s3cret", salt=SALT)
    assert encoded.startswith("scrypt$16384$8$1$")
    assert access.verify("s3cret", encoded)
    assert not access.verify("s3cret ", encoded)
    assert access.hash_secret("s3cret", salt=SALT) == encoded
    for bad in ("", "scrypt$1$2", "md5$1$1$1$AA==$AA==", encoded.replace("$8$", "$x$")):
        assert not access.verify("s3cret", bad)


def test_wrong_secrets_are_throttled_across_sessions() -> None:
    throttle = access.Throttle(limit=3, window_s=60)
    for i in range(3):
        assert throttle.wait_s(now=100.0 + i) == 0
        throttle.failed(now=100.0 + i)
    assert throttle.wait_s(now=103.0) == pytest.approx(57.0)
    # a minute after the first failure, one more try is checked
    assert throttle.wait_s(now=160.0) == 0


def test_error_details_are_off_unless_debug(sample_workspace: Path, no_secret_env: None) -> None:
    cmd, _, _ = _plan("-w", str(sample_workspace))
    assert _option(cmd, "client.showErrorDetails") == ["none"]
    cmd, _, _ = _plan("-w", str(sample_workspace), "--debug")
    assert _option(cmd, "client.showErrorDetails") == ["full"]
    # the global flag works too
    args = cli.build_parser().parse_args(["--debug", "serve", "-w", str(sample_workspace)])
    assert _option(cli.serve_plan(args)[0], "client.showErrorDetails") == ["full"]


def test_the_limits_and_protections_are_explicit(
    sample_workspace: Path, no_secret_env: None
) -> None:
    cmd, _, _ = _plan("-w", str(sample_workspace))
    assert _option(cmd, "server.maxUploadSize") == ["200"]
    assert _option(cmd, "server.maxMessageSize") == ["200"]
    assert _option(cmd, "server.enableXsrfProtection") == ["true"]
    assert _option(cmd, "server.enableCORS") == ["true"]
    assert _option(cmd, "browser.gatherUsageStats") == ["false"]
    assert _option(cmd, "browser.serverAddress") == ["localhost"]


# ----------------------------------------------------------------------------- the gate
def _app(monkeypatch: pytest.MonkeyPatch, workspace: Path, **hashes: str) -> AppTest:
    monkeypatch.setenv("HANDOFF_WORKSPACE", str(workspace))
    for key in access.HASH_ENVS:
        monkeypatch.delenv(key, raising=False)
    for key, value in hashes.items():
        monkeypatch.setenv(key, value)
    from dashboard import ui

    ui.clear_caches()
    return AppTest.from_file(APP, default_timeout=120)


def _sign_in(at: AppTest, secret: str) -> None:
    at.text_input(key="access_secret").input(secret)
    at.button[0].click()
    at.run()


TWO_LEVELS = {
    access.VIEWER_HASH_ENV: access.hash_secret(VIEWER_SECRET, salt=SALT),
    access.EDITOR_HASH_ENV: access.hash_secret(EDITOR_SECRET, salt=SALT),
}


@pytest.mark.parametrize("page", ["funnel.py", "data.py", "definitions.py"])
def test_the_gate_blocks_every_page_until_the_right_secret(
    monkeypatch: pytest.MonkeyPatch, sample_workspace: Path, page: str
) -> None:
    at = _app(monkeypatch, sample_workspace, **TWO_LEVELS)
    at.run()
    at.switch_page(f"views/{page}")
    at.run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Sign in to Handoff"]
    assert not at.metric and not at.dataframe
    _sign_in(at, "not-the-secret")
    assert [t.value for t in at.title] == ["Sign in to Handoff"]
    assert any("not right" in e.value for e in at.error)
    _sign_in(at, VIEWER_SECRET)
    assert not at.exception, [e.message for e in at.exception]
    assert at.session_state[access.ROLE_KEY] == access.VIEWER
    assert [t.value for t in at.title] != ["Sign in to Handoff"]


def test_the_sign_in_form_speaks_vietnamese(
    monkeypatch: pytest.MonkeyPatch, sample_workspace: Path
) -> None:
    at = _app(monkeypatch, sample_workspace, **TWO_LEVELS)
    at.query_params["lang"] = "vi"
    at.run()
    assert [t.value for t in at.title] == ["Đăng nhập Handoff"]


def test_a_viewer_cannot_load_files_or_save_definitions(
    monkeypatch: pytest.MonkeyPatch, sample_workspace: Path
) -> None:
    at = _app(monkeypatch, sample_workspace, **TWO_LEVELS)
    at.run()
    _sign_in(at, VIEWER_SECRET)
    at.switch_page("views/data.py")
    at.run()
    assert not at.exception
    assert not at.get("file_uploader")
    assert any("editor secret" in i.value for i in at.info)
    at.switch_page("views/definitions.py")
    at.run()
    assert not at.exception
    assert at.button(key="def_save").disabled
    assert at.text_input(key="def_author").disabled
    assert any("editor secret" in i.value for i in at.info)
    # a viewer can still try a change and see what it would do
    at.number_input(key="def_sla_hours").set_value(48.0).run()
    assert not at.exception
    assert at.button(key="def_save").disabled


def test_an_editor_can_load_files_and_save_definitions(
    monkeypatch: pytest.MonkeyPatch, sample_workspace: Path
) -> None:
    at = _app(monkeypatch, sample_workspace, **TWO_LEVELS)
    at.run()
    _sign_in(at, EDITOR_SECRET)
    assert at.session_state[access.ROLE_KEY] == access.EDITOR
    at.switch_page("views/data.py")
    at.run()
    assert at.get("file_uploader")
    at.switch_page("views/definitions.py")
    at.run()
    assert not at.text_input(key="def_author").disabled
    at.number_input(key="def_sla_hours").set_value(48.0).run()
    assert not at.button(key="def_save").disabled


def test_without_a_secret_everyone_local_is_an_editor(
    monkeypatch: pytest.MonkeyPatch, sample_workspace: Path
) -> None:
    at = _app(monkeypatch, sample_workspace)
    at.run()
    at.switch_page("views/data.py")
    at.run()
    assert not at.exception
    assert at.get("file_uploader")
    assert at.session_state[access.ROLE_KEY] == access.EDITOR


# ----------------------------------------------------------------------------- the process
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _answers(url: str) -> bool:
    try:
        with _DIRECT.open(f"{url}/_stcore/health", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state in ("Z", "X")


def _until(what, deadline_s: float) -> bool:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if what():
            return True
        time.sleep(0.2)
    return bool(what())


@contextmanager
def _serving(workspace: Path, env_extra: dict[str, str]) -> Iterator[tuple[subprocess.Popen, str]]:
    """`handoff serve` on a free port, answering its health check; stopped afterwards."""
    port = _free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in (*access.SECRET_ENVS, *access.HASH_ENVS)
        and k.lower() not in ("no_proxy", "http_proxy", "https_proxy", "all_proxy")
    }
    env.update(env_extra)
    proc = subprocess.Popen(
        [sys.executable, "-m", "dashboard.cli", "serve", "-w", str(workspace), "--port", str(port)],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    children: list[int] = []
    try:
        assert _until(lambda: _answers(url) or proc.poll() is not None, 90), "no answer"
        assert proc.poll() is None, "handoff serve stopped"
        children = _children(proc.pid)
        yield proc, url
    finally:
        for pid in [proc.pid, *children]:
            if not _gone(pid):
                os.kill(pid, signal.SIGKILL)
        proc.wait(timeout=10)


def test_sigterm_stops_the_dashboard(sample_workspace: Path) -> None:
    with _serving(sample_workspace, {}) as (proc, url):
        children = _children(proc.pid)
        assert children, "the dashboard runs in a child process"
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=30)
        assert _until(lambda: all(_gone(pid) for pid in children), 15), "the child lives on"
        assert _until(lambda: not _answers(url), 15), "the port still answers"
        assert code == 0


class _Trap:
    """A TCP listener that counts who connects: a proxy nothing should use."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.hits = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.hits += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.sock.close()


def _websocket_status(url: str, *, origin: str) -> int:
    """The HTTP status a websocket upgrade to the dashboard gets from ``origin``."""
    port = int(url.rsplit(":", 1)[1])
    key = base64.b64encode(os.urandom(16)).decode()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(
            (
                f"GET /_stcore/stream HTTP/1.1\r\nHost: localhost:{port}\r\n"
                "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                f"Origin: {origin}\r\n\r\n"
            ).encode()
        )
        return int(s.recv(200).split()[1])


def test_nothing_calls_out_at_start(sample_workspace: Path) -> None:
    # every outside request made with the usual HTTP clients goes through this proxy
    trap = _Trap()
    proxy = {k: trap.url for k in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy")}
    try:
        with _serving(sample_workspace, proxy) as (_, url):
            with _DIRECT.open(f"{url}/", timeout=10) as r:
                assert r.status == 200
            # a page of another site connecting: refused, and no public-address lookup
            assert _websocket_status(url, origin="http://elsewhere.example") == 403
            # the start-up banner (where Streamlit looks up the public address) is done
            # before the health check answers; give a late request a moment to show
            assert not _until(lambda: trap.hits > 0, 3)
    finally:
        trap.close()
    assert trap.hits == 0


def test_the_security_doc_names_only_tests_that_exist() -> None:
    import re

    doc = (REPO / "docs" / "security.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`(test_[a-z0-9_]+)`", doc))
    here = set(re.findall(r"^def (test_[a-z0-9_]+)", Path(__file__).read_text(), flags=re.M))
    assert named, "docs/security.md names no test"
    assert named <= here, sorted(named - here)
