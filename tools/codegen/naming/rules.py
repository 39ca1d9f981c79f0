"""The naming rules that need no spec/generator.yaml entry: a method name as a Python user expects it,
and a class name that shadows nothing a user imports beside it.

The names raia_agent already uses are listed here, not imported: generation must work while the client
is broken, and tools never import the package they generate for. tests/codegen/test_naming_rules.py keeps the
lists equal to what raia_agent defines.
"""

from __future__ import annotations

import builtins

# raia_agent's exceptions and its other public classes: a model named like one would be imported
# beside it (`from raia_agent import NotFoundError`) and mean something else.
RAIA_AGENT_CLASSES = frozenset(
    {
        "APIConnectionError",
        "APIError",
        "APIStatusError",
        "APITimeoutError",
        "AsyncRaia",
        "AuthenticationError",
        "BadRequestError",
        "ConflictError",
        "InternalServerError",
        "NotFoundError",
        "PermissionDeniedError",
        "Raia",
        "RaiaError",
        "RateLimitError",
        "RawResponse",
        "ResponseValidationError",
        "UnprocessableEntityError",
    }
)
# Raia's and AsyncRaia's public attributes besides their resources: a tag must not take one
# (`copy` too, kept free for the anchors' `client.copy()`).
CLIENT_ATTRIBUTES = frozenset(
    {"aclose", "base_url", "close", "copy", "max_retries", "timeout", "with_options"}
)
CLASH_SUFFIX = "Body"

# What the hand-written layer names itself, so a generated name must leave it free. raia-agent's own
# commands beside one group per resource (src/raia_agent/_cli/_main.py): a resource named `serve`
# would be hidden behind the server command.
CLI_COMMANDS = frozenset({"serve"})
# The options every generated method takes besides the operation's arguments (tools/codegen/surface/resources.py).
CALL_OPTIONS = frozenset({"timeout", "max_retries", "extra_headers", "extra_query", "extra_body"})
# The hand-written commands of the resource whose upsert they call (src/raia_agent/_cli/_main.py).
CLI_RESOURCE_COMMANDS = frozenset({"send", "import"})
SHADOW_SUFFIX = "_"
TAKEN_BY_RESOURCES = {
    **{name: f"the client's own attribute client.{name}" for name in CLIENT_ATTRIBUTES},
    **{name: f"the built-in command `raia-agent {name}`" for name in CLI_COMMANDS},
}
TAKEN_BY_COMMANDS = {name: "the hand-written command of the same name" for name in CLI_RESOURCE_COMMANDS}
TAKEN_BY_ARGUMENTS = {
    "self": "the method's instance",
    **{name: f"the call option {name}= every method takes" for name in CALL_OPTIONS},
}

# A verb phrase is one word per verb, joined by `or`/`and`, each optionally followed by one of these:
# `create_or_update`, `find_one`, `archive`; `get_user` (of `get_user_feedback`) is not one.
_QUANTIFIERS = frozenset({"one", "all", "many"})
# What a GET's verb phrase means without its noun, as Python clients spell it.
_RETRIEVE = frozenset({"get", "get_one", "find", "find_one", "fetch", "fetch_one", "retrieve"})
_LIST = frozenset({"get", "get_all", "get_many", "find", "find_all", "find_many", "fetch_all", "list"})


def class_clash(name: str) -> str | None:
    """What a model class called NAME would shadow (raia_agent's or a builtin), or None.

    The generator itself writes a builtin's name with a `_` suffix (`Exception_`): that counts too."""
    name = name.removesuffix("_")
    if name in RAIA_AGENT_CLASSES:
        return f"raia_agent.{name}"
    if name in vars(builtins):
        return f"the builtin {name}"
    return None


def unclashed(name: str) -> str:
    """NAME, with the clash suffix when it would shadow an exception, a client class or a builtin."""
    return name.removesuffix("_") + CLASH_SUFFIX if class_clash(name) else name


def unshadowed(name: str, taken: dict[str, str]) -> str:
    """The one rule for a generated name that would take one of TAKEN's: a trailing underscore
    (`serve` -> `serve_`, `extra_headers` -> `extra_headers_`, as PEP 8 does for keywords). Never a
    refusal, and never hidden: generation reports each rename (`shadow_note`)."""
    return name + SHADOW_SUFFIX if name in taken else name


def shadow_note(what: str, name: str, taken: dict[str, str]) -> str:
    """The line generation prints for a rename by `unshadowed`: what WHAT (`tag 'serve' is the resource`)
    became, and why."""
    return f"note: {what} {unshadowed(name, taken)}: {name} is {taken[name]}"


def singular(word: str) -> str:
    """English singular, enough to see that `feedbacks` and `feedback` name one resource."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes", "zes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 2:
        return word[:-1]
    return word


def method_by_rule(method: str, http_method: str, path: str, resource: str) -> str:
    """METHOD (snake_case) without its resource's noun, when only a verb phrase remains (_verb_phrase).

    The noun is the resource name or a tail of it (`conversation_message_feedbacks` also drops
    `feedback`), singular or plural. A GET's remaining verb becomes `retrieve` for an item path
    (ending in a path parameter) and `list` for a collection read with a plural noun or an
    `all` verb: `get_feedback` -> `retrieve`, `list_feedbacks` -> `list`, `delete_feedback` -> `delete`.
    """
    words = method.split("_")
    nouns = [singular(word) for word in resource.split("_")]
    for start in range(len(nouns)):
        noun = nouns[start:]
        cut = len(words) - len(noun)
        if cut < 1 or [singular(word) for word in words[cut:]] != noun:
            continue
        verb = words[:cut]
        if not _verb_phrase(verb):
            return method
        phrase = "_".join(verb)
        plural = words[-1] != singular(words[-1])
        if http_method.upper() == "GET":
            if path.rstrip("/").endswith("}") and phrase in _RETRIEVE:
                return "retrieve"
            if not path.rstrip("/").endswith("}") and phrase in _LIST and (plural or phrase != "get"):
                return "list"
        return phrase
    return method


def _verb_phrase(words: list[str]) -> bool:
    verbs: list[list[str]] = [[]]
    for word in words:
        if word in ("or", "and"):
            verbs.append([])
        else:
            verbs[-1].append(word)
    return all(len(v) == 1 or (len(v) == 2 and v[1] in _QUANTIFIERS) for v in verbs)
