"""Who may reach the dashboard, and with which role.

``handoff serve`` turns the secrets a person gives it (``--password`` /
``HANDOFF_PASSWORD`` and ``--editor-password`` / ``HANDOFF_EDITOR_PASSWORD``) into salted
scrypt hashes and hands only those to the Streamlit process, in the environment variables
``HANDOFF_VIEWER_HASH`` and ``HANDOFF_EDITOR_HASH``. The plain secrets never reach that
process, its command line or a file.

Roles: an *editor* may load files (Data page) and save definitions (Definitions page); a
*viewer* may read every page. With no secret (loopback only) everyone is an editor. With
one secret everyone who knows it is an editor. With both, the first makes viewers and the
editor secret makes editors.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import os
import secrets
import threading
import time
from collections import deque
from collections.abc import Mapping

VIEWER = "viewer"
EDITOR = "editor"

# what a person sets (read by `handoff serve` only, never passed on)
PASSWORD_ENV = "HANDOFF_PASSWORD"
EDITOR_PASSWORD_ENV = "HANDOFF_EDITOR_PASSWORD"
# what the dashboard process receives
VIEWER_HASH_ENV = "HANDOFF_VIEWER_HASH"
EDITOR_HASH_ENV = "HANDOFF_EDITOR_HASH"
SECRET_ENVS = (PASSWORD_ENV, EDITOR_PASSWORD_ENV)
HASH_ENVS = (VIEWER_HASH_ENV, EDITOR_HASH_ENV)

# scrypt cost: 16 MiB and about 50 ms a try on a laptop core, so guessing is slow and a
# login is not
_N, _R, _P, _DKLEN = 2**14, 8, 1, 32
_SCHEME = "scrypt"

# wrong secrets the dashboard accepts per minute (all sessions together) before it makes
# everyone wait: a guesser opening many sessions gets no more tries than one
MAX_FAILURES = 10
FAILURE_WINDOW_S = 60.0

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")


def is_loopback(host: str) -> bool:
    """True when ``host`` can be reached only from this machine (``localhost``, 127.0.0.0/8,
    ``::1``). Any other name counts as exposed: no DNS is asked to find out."""
    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def hash_secret(secret: str, *, salt: bytes | None = None) -> str:
    """A salted scrypt hash of ``secret`` as ``scrypt$n$r$p$salt$hash`` (base64 parts).

    A fresh random salt is drawn unless one is given (tests give one to compare)."""
    salt = secrets.token_bytes(16) if salt is None else salt
    digest = hashlib.scrypt(secret.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=_DKLEN)
    parts = (base64.b64encode(salt).decode(), base64.b64encode(digest).decode())
    return "$".join((_SCHEME, str(_N), str(_R), str(_P), *parts))


def verify(secret: str, encoded: str) -> bool:
    """True when ``secret`` is the one ``encoded`` was made from (constant-time compare).

    A malformed ``encoded`` matches nothing."""
    try:
        scheme, n, r, p, salt_b64, digest_b64 = encoded.split("$")
        if scheme != _SCHEME:
            return False
        salt, expected = base64.b64decode(salt_b64), base64.b64decode(digest_b64)
        got = hashlib.scrypt(
            secret.encode("utf-8"),
            salt=salt,
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
            maxmem=64 * 1024 * 1024,
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


def child_env(
    base: Mapping[str, str], password: str | None, editor_password: str | None
) -> dict[str, str]:
    """The environment for the dashboard process: ``base`` without any plain secret or
    inherited hash, plus the hashes of the given secrets.

    One secret makes editors; with an editor secret too, ``password`` makes viewers."""
    env = {k: v for k, v in base.items() if k not in (*SECRET_ENVS, *HASH_ENVS)}
    if editor_password:
        env[EDITOR_HASH_ENV] = hash_secret(editor_password)
        if password:
            env[VIEWER_HASH_ENV] = hash_secret(password)
    elif password:
        env[EDITOR_HASH_ENV] = hash_secret(password)
    return env


def configured(env: Mapping[str, str] | None = None) -> bool:
    """True when the dashboard was started with a secret (a login is needed)."""
    env = os.environ if env is None else env
    return any(env.get(k) for k in HASH_ENVS)


def role_for(secret: str, env: Mapping[str, str] | None = None) -> str | None:
    """The role ``secret`` opens (editor before viewer), or None when it opens nothing."""
    env = os.environ if env is None else env
    for role, key in ((EDITOR, EDITOR_HASH_ENV), (VIEWER, VIEWER_HASH_ENV)):
        encoded = env.get(key)
        if encoded and verify(secret, encoded):
            return role
    return None


class Throttle:
    """Counts wrong secrets across all sessions and says when to stop checking them."""

    def __init__(self, limit: int = MAX_FAILURES, window_s: float = FAILURE_WINDOW_S) -> None:
        self.limit, self.window_s = limit, window_s
        self._failures: deque[float] = deque()
        self._lock = threading.Lock()

    def _trim(self, now: float) -> None:
        while self._failures and now - self._failures[0] >= self.window_s:
            self._failures.popleft()

    def wait_s(self, now: float | None = None) -> float:
        """Seconds until another try is checked (0 when one may be checked now)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            self._trim(now)
            if len(self._failures) < self.limit:
                return 0.0
            return self.window_s - (now - self._failures[0])

    def failed(self, now: float | None = None) -> None:
        """Record one wrong secret."""
        now = time.monotonic() if now is None else now
        with self._lock:
            self._trim(now)
            self._failures.append(now)


THROTTLE = Throttle()

# ----------------------------------------------------------------------------- the gate
ROLE_KEY = "_access_role"


def role() -> str:
    """This browser session's role. A session that has not signed in is an editor only
    when no secret is configured; otherwise it is a viewer (the gate stops it earlier)."""
    import streamlit as st

    got = st.session_state.get(ROLE_KEY)
    if got in (VIEWER, EDITOR):
        return str(got)
    return VIEWER if configured() else EDITOR


def can_edit() -> bool:
    """True when this session may load files and save definitions."""
    return role() == EDITOR


def gate(lang: str) -> None:
    """Stop the script with a sign-in form unless this session may see the dashboard.

    With no secret configured every session is an editor and nothing is shown. Otherwise
    the role a right secret opens is kept in ``st.session_state`` for the session."""
    import streamlit as st

    from dashboard.i18n import LANGUAGE_NAMES, LANGUAGES, t

    if not configured():
        st.session_state[ROLE_KEY] = EDITOR
        return
    if st.session_state.get(ROLE_KEY) in (VIEWER, EDITOR):
        return
    st.sidebar.selectbox(
        t("common.language", lang),
        LANGUAGES,
        format_func=lambda code: LANGUAGE_NAMES[code],
        key="lang",
    )
    lang = st.session_state.get("lang", lang)
    st.title(t("access.title", lang))
    st.write(t("access.intro", lang))
    # cleared on submit, so the typed secret does not stay in the session
    with st.form("access_form", clear_on_submit=True):
        secret = st.text_input(t("access.secret", lang), type="password", key="access_secret")
        sent = st.form_submit_button(t("access.submit", lang), type="primary")
    if sent and secret:
        wait = THROTTLE.wait_s()
        if wait > 0:
            st.error(t("access.too_many", lang, seconds=int(wait) + 1))
        else:
            got = role_for(secret)
            if got is None:
                THROTTLE.failed()
                st.error(t("access.wrong", lang))
            else:
                st.session_state[ROLE_KEY] = got
                st.rerun()
    st.stop()


def sign_out() -> None:
    """Forget this session's role (the next run shows the sign-in form)."""
    import streamlit as st

    st.session_state.pop(ROLE_KEY, None)


def sidebar_note(lang: str) -> None:
    """Say in the sidebar which role the session has, with a sign-out button, when the
    dashboard was started with a secret."""
    import streamlit as st

    from dashboard.i18n import t

    if not configured():
        return
    st.sidebar.caption(t(f"access.signed_in_{role()}", lang))
    st.sidebar.button(t("access.sign_out", lang), key="access_sign_out", on_click=sign_out)
