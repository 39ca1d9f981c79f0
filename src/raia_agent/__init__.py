"""raia-agent: a typed client for the raia AI Agent API."""

from ._version import __version__

__all__ = ["__version__"]
