"""The ``handoff`` sub-commands, one module per group (``dashboard.cli`` dispatches)."""
