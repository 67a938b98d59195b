"""Handoff: marketing–sales handoff analytics on the CRM exports both teams already have."""

__version__ = "0.1.0"
