"""The one reader of OpenAPI documents and their schemas, shared by the tools, the client and the test server.

It imports nothing of this project's: it lies under the tools and the client (tools -> raia_agent ->
raia_agent_api), which both use it. Importing it is cheap: `referencing` and `jsonschema_rs` load on
first use.
"""

from ._convert import JsonSchemas, component_name
from ._openapi import (
    HTTP_METHODS,
    Scheme,
    default_server_url,
    operations,
    path_items,
    security_alternatives,
    security_headers,
    security_requirements,
    security_schemes,
    server_url,
    single_allof,
)
from ._refs import MAX_CHAIN, Reader, RefError, is_ref, resolve
from ._validate import Problem, Validator

__all__ = [
    "HTTP_METHODS",
    "MAX_CHAIN",
    "JsonSchemas",
    "Problem",
    "Reader",
    "RefError",
    "Scheme",
    "Validator",
    "component_name",
    "default_server_url",
    "is_ref",
    "operations",
    "path_items",
    "resolve",
    "security_alternatives",
    "security_headers",
    "security_requirements",
    "security_schemes",
    "server_url",
    "single_allof",
]
