"""The key that hashes e-mail and phone: kept outside every workspace file.

``HANDOFF_SECRET`` when set (a team sharing workspaces sets the same value everywhere);
else a random key created once in ``$XDG_CONFIG_HOME/handoff/secret.key`` (by default
``~/.config/handoff/secret.key``), readable by its owner only. Someone holding a workspace
file without the key cannot test guessed phone numbers against its hashes.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def key_path() -> Path:
    """Where the key file lives when ``HANDOFF_SECRET`` is not set."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "handoff" / "secret.key"


def hashing_key() -> bytes:
    """The HMAC key for personal data; the key file is created (0600, folder 0700) once."""
    given = os.environ.get("HANDOFF_SECRET")
    if given:
        return given.encode("utf-8")
    path = key_path()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # O_EXCL: two first loads at once keep one key, the loser reads the winner's
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(secrets.token_hex(32))
    return path.read_text(encoding="utf-8").strip().encode("utf-8")
