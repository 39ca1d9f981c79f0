"""The one place `make diff` reaches into the client package (its home may move)."""

from __future__ import annotations

from raia_agent._validation import snake_case

__all__ = ["snake_case"]
