"""Handoff: marketing–sales handoff analytics on the CRM exports both teams already have."""

from pathlib import Path

__version__ = "0.1.0"


def shipped(name: str) -> Path:
    """A folder shipped with the package (``queries``, ``sample_data``): inside the package
    when installed from a wheel, at the top of the repository in a checkout."""
    here = Path(__file__).resolve().parent
    return here / name if (here / name).is_dir() else here.parent / name
