"""The one reader of OpenAPI documents and their schemas, shared by the tools, the client and the test server.

It imports nothing of this project's: it lies under the tools and the client (tools -> raia_agent ->
raia_agent_api), which both use it. Importing it is cheap: `referencing` and `jsonschema_rs` load on
first use.
"""

from ._convert import Direction, JsonSchemas, component_name, sent_required, unsent
from ._media import (
    FORM,
    FORMS,
    JSON,
    MULTIPART,
    UnsupportedMedia,
    event_schema,
    file_fields,
    is_file,
    request_media,
    sent_content,
    sent_schema,
    without,
)
from ._media import choose as media_of
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
    "FORM",
    "FORMS",
    "HTTP_METHODS",
    "JSON",
    "MAX_CHAIN",
    "MULTIPART",
    "Direction",
    "JsonSchemas",
    "Problem",
    "Reader",
    "RefError",
    "Scheme",
    "UnsupportedMedia",
    "Validator",
    "component_name",
    "default_server_url",
    "event_schema",
    "file_fields",
    "is_file",
    "is_ref",
    "media_of",
    "operations",
    "path_items",
    "request_media",
    "resolve",
    "security_alternatives",
    "security_headers",
    "security_requirements",
    "security_schemes",
    "sent_content",
    "sent_required",
    "sent_schema",
    "server_url",
    "single_allof",
    "unsent",
    "without",
]
