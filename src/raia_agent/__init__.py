"""raia-agent: a typed client for the raia AI Agent API.

from raia_agent import Raia

with Raia() as client:  # RAIA_AGENT_SECRET_KEY
    fb = client.feedback.create_or_update(
        conversation_message_id=..., user_id=..., vote_type="up", question="..."
    )
"""

# Imported under a private name: dir(raia_agent) lists the API (__all__), not our imports.
import typing as _typing

from ._version import __version__

if _typing.TYPE_CHECKING:
    # The model re-exports are generated from spec/generator.yaml's `exports`.
    from raia_agent_api import _exports
    from raia_agent_api._exports import *  # noqa: F403

    from raia_runtime import FileTypes

    from ._client import AsyncRaia, Raia
    from ._exceptions import (
        APIConnectionError,
        APIError,
        APIStatusError,
        APITimeoutError,
        AuthenticationError,
        BadRequestError,
        ConflictError,
        InternalServerError,
        NotFoundError,
        PermissionDeniedError,
        RaiaError,
        RateLimitError,
        ResponseValidationError,
        UnprocessableEntityError,
    )
    from ._options import DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT, NOT_GIVEN
    from ._response import RawResponse

# Everything loads on first use, so `import raia_agent` (and `raia-agent --help`) costs almost
# nothing until a client, an error class or a model is touched: name -> (module, attribute).
_EXCEPTIONS = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "InternalServerError",
    "NotFoundError",
    "PermissionDeniedError",
    "RaiaError",
    "RateLimitError",
    "ResponseValidationError",
    "UnprocessableEntityError",
]
_LAZY: dict[str, tuple[str, str]] = {
    "Raia": ("raia_agent._client", "Raia"),
    "AsyncRaia": ("raia_agent._client", "AsyncRaia"),
    "DEFAULT_MAX_RETRIES": ("raia_agent._options", "DEFAULT_MAX_RETRIES"),
    "DEFAULT_TIMEOUT": ("raia_agent._options", "DEFAULT_TIMEOUT"),
    "NOT_GIVEN": ("raia_agent._options", "NOT_GIVEN"),
    "RawResponse": ("raia_agent._response", "RawResponse"),
    "FileTypes": ("raia_runtime", "FileTypes"),
    **{name: ("raia_agent._exceptions", name) for name in _EXCEPTIONS},
}


def __getattr__(name: str) -> _typing.Any:
    import importlib

    if name in _LAZY:
        module, attribute = _LAZY[name]
        value = getattr(importlib.import_module(module), attribute)
    elif name == "__all__":
        # the model part is generated; reading it loads the generated package, so only on use
        value = [*_HAND_WRITTEN, *importlib.import_module("raia_agent_api._exports").__all__]
    elif (
        not name.startswith("_")
        and name in (models := importlib.import_module("raia_agent_api._exports")).__all__
    ):
        # (a private or dunder name, which tools probe for, never loads the generated package)
        value = getattr(models, name)
    else:
        raise AttributeError(f"module 'raia_agent' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    # The public names are __all__ (loaded or not); a submodule imported meanwhile (raia_agent.testing)
    # is reached as such, so what dir() shows does not depend on what was imported before.
    return sorted({*(name for name in globals() if name.startswith("_")), *__getattr__("__all__")})


__all__ = [
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "NOT_GIVEN",
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncRaia",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "FileTypes",
    "InternalServerError",
    "NotFoundError",
    "PermissionDeniedError",
    "Raia",
    "RaiaError",
    "RateLimitError",
    "RawResponse",
    "ResponseValidationError",
    "UnprocessableEntityError",
    "__version__",
]
_HAND_WRITTEN = list(__all__)
if _typing.TYPE_CHECKING:
    __all__ += _exports.__all__
else:
    # At run time the generated model names join on first use (see __getattr__), so that
    # `import raia_agent` does not load the generated package.
    del __all__
