"""What Raia and AsyncRaia share: configuration, building a request, reading a response, retry policy.

Nothing here knows a particular operation: each call brings its description (an `Operation`
generated from the spec) and its arguments. Only the I/O is written twice, in `_client.py`.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Mapping
from typing import Any, NamedTuple, Self, TypeVar

import httpx
from raia_agent_api.resources._operations import AUTH_HEADERS, SERVER_VARIABLES

from raia_runtime import Body, Headers, NotGiven, Operation, Query, RawResponse, TimeoutTypes

from . import _auth, _deadline, _logging, _multipart, _retry, _transport
from ._binary import MAX_BINARY_BYTES
from ._exceptions import APIConnectionError, APITimeoutError, RaiaError
from ._logging import Redactor, guard, logger, one_line
from ._options import Options, check_extra_headers, check_headers, resolve
from ._pool import DEFAULT_LIMITS, Pool, default_tls
from ._response import MAX_RESPONSE_BYTES, BodyLimit, hide_key, parse, request_id_of
from ._transport import HTTP
from ._validation import Prepared, prepare
from ._validation import extra_query as check_extra_query

T = TypeVar("T")
# A request as the pool builds it: an httpx.Request, or an httpx2.Request for an httpx2 pool
# (which only its sender reads; see _httpx2).
Outgoing = Any


class Extras(NamedTuple):
    """A call's extra_headers, extra_query and extra_body, as the caller gave them."""

    headers: Mapping[str, str] | None
    query: Mapping[str, object] | None
    body: Mapping[str, object] | None

    @classmethod
    def of(cls, headers: Headers | None, query: Query | None, body: Body | None) -> Extras | None:
        """None for the common call without extras, so it skips their checks."""
        if headers is None and query is None and body is None:
            return None
        return cls(headers, query, body)


class _Sent(NamedTuple):
    """One operation's fixed part of a request for one client: its headers (without and with a JSON
    body's Content-Type), and the credentials among them and in the query."""

    op: Operation[Any]
    headers: dict[str, str] | None
    json_headers: dict[str, str]
    credentials: dict[str, str]
    query: dict[str, str]


class BaseClient:
    _pool: Pool
    _http_type: type[httpx.Client] | type[httpx.AsyncClient]

    def __init__(
        self,
        options: Mapping[str, Any],
        base_url: str | None,
        timeout: TimeoutTypes,
        max_retries: int,
        default_headers: Mapping[str, str] | None,
        http_client: Any,
        *,
        strict_responses: bool | None,
    ) -> None:
        if http_client is not None and not _transport.accepts(http_client, self._http_type):
            name = self._http_type.__name__
            raise TypeError(f"http_client must be an httpx.{name} or an httpx2.{name}")
        self._options = resolve(
            options=options,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers,
            strict_responses=strict_responses,
        )
        self._redact = Redactor(self._options.secrets, AUTH_HEADERS)
        self._owns_http = http_client is None
        # A client we own carries the headers and timeout itself, so a call merges nothing extra;
        # a user's client gets them with every request.
        self._call_headers: dict[str, str] | None = None if self._owns_http else self._options.headers
        # (httpx reads timeout=None as "no timeout": the owned pool's own default is USE_CLIENT_DEFAULT)
        self._call_timeout = httpx.USE_CLIENT_DEFAULT if self._owns_http else self._options.timeout
        self._urls: dict[str, Any] = {}  # httpx.URLs, or httpx2's for an httpx2 pool
        self._auth: dict[str, _Sent] = {}
        self._init_resources()

    def __reduce_ex__(self, protocol: object) -> Any:
        # Refused before pickle writes anything: a pickle would carry the key, and a pool cannot cross
        # processes (copy.copy, which with_options uses, goes through __copy__ instead).
        raise TypeError(
            f"{type(self).__name__} cannot be pickled (it holds the secret key and a connection pool): "
            "create a client in each process"
        )

    def __copy__(self) -> Self:
        clone = type(self).__new__(type(self))
        clone.__dict__.update(self.__dict__)
        return clone

    def _init_resources(self) -> None:  # pragma: no cover - the generated resources mix-in provides it
        raise NotImplementedError

    def _client_settings(self, connections: int | None = None) -> dict[str, Any]:
        limits = DEFAULT_LIMITS if connections is None else httpx.Limits(max_connections=connections)
        return {
            "headers": self._options.headers,
            "timeout": self._options.timeout,
            "follow_redirects": False,
            "limits": limits,
            "verify": default_tls(),
        }

    def _size_pool(self, connections: int, transport: str | None = None) -> None:
        """Give a new, unused client a pool of exactly `connections` (the import's concurrency),
        over `transport` (see _transport; async only)."""
        if self._owns_http:
            settings = self._client_settings(connections)
            self._pool = Pool(settings=settings, transport=transport, http_type=self._http_type)
            self._urls = {}  # parsed for the pool it had
            guard(self._redact)  # the transport may have brought loggers of its own (aiohttp's)

    def _own_pool(self, http_client: Any) -> None:
        self._pool = Pool(settings=self._client_settings(), users=http_client, http_type=self._http_type)
        guard(self._redact)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self._options.base_url!r}, max_retries={self._options.max_retries})"

    @property
    def base_url(self) -> str:
        return self._options.base_url

    @property
    def timeout(self) -> httpx.Timeout:
        return self._options.timeout

    @property
    def max_retries(self) -> int:
        return self._options.max_retries

    def _copy(
        self,
        *,
        spec_options: Mapping[str, Any],
        base_url: str | None,
        timeout: TimeoutTypes | NotGiven,
        max_retries: int | None,
        default_headers: Mapping[str, str] | None,
        strict_responses: bool | None,
    ) -> Self:
        was = self._options
        given = {k: v for k, v in spec_options.items() if v is not None}
        _auth.check_unknown(given)
        moved = any(v.option in given for v in SERVER_VARIABLES)
        if base_url is None:
            # a copy keeps the original's URL unless a server variable moves it (base_url, if the
            # original was given one, still wins)
            base_url = was.base_url_given if moved else was.base_url
        resolved = resolve(
            options={**was.credentials, **was.server, **given},
            base_url=base_url,
            timeout=was.timeout if isinstance(timeout, NotGiven) else timeout,
            max_retries=was.max_retries if max_retries is None else max_retries,
            default_headers={**was.default_headers, **check_headers(default_headers)},
            strict_responses=was.strict_responses if strict_responses is None else strict_responses,
        )
        clone = copy.copy(self)
        clone._options = resolved
        clone._owns_http = False  # the original closes the shared pool
        clone._urls = {}  # its base_url may differ
        clone._auth = {}  # its credentials may differ
        if resolved.credentials != was.credentials:
            clone._redact = Redactor(resolved.secrets, AUTH_HEADERS)
            guard(clone._redact)
        # The shared pool sends the original's headers and timeout by default; a copy that differs
        # sends its own with every request (request headers replace the pool's of the same name).
        pool = self._pool.settings if self._pool.owned else {}
        clone._call_headers = None if resolved.headers == pool.get("headers") else resolved.headers
        clone._call_timeout = (
            httpx.USE_CLIENT_DEFAULT if resolved.timeout == pool.get("timeout") else resolved.timeout
        )
        clone._init_resources()
        return clone

    def _per_call(self, timeout: TimeoutTypes | NotGiven, max_retries: int | None) -> Options:
        if isinstance(timeout, NotGiven) and max_retries is None:
            return self._options
        return self._options.with_changes(timeout=timeout, max_retries=max_retries)

    def _build(
        self,
        http: HTTP,
        op: Operation[Any],
        args: dict[str, Any] | Prepared,
        options: Options,
        extras: Extras | None = None,
    ) -> Outgoing:
        """The request for `args`, checked and encoded here; a Prepared (see _send_prepared) was
        checked and encoded by `prepare` already, for this operation, and is sent as it is."""
        if http.is_closed:
            raise RaiaError(f"this {type(self).__name__} is closed; create a new client to make calls")
        extra_headers = extra_query = form = None
        if isinstance(args, Prepared):
            if args.op is not op:
                raise TypeError(f"{op.name}: a request prepared for {args.op.name} cannot be sent as it")
            if op.body_media is not None:
                raise TypeError(f"{op.name} sends a form, whose files are read per call: pass arguments")
            prepared = args
        else:
            files = None
            if op.body_media is not None:  # a form: its files are read here, its other fields checked below
                args, files = _multipart.take_files(op, args)
            if extras is None:
                prepared = prepare(op, args)
            else:
                prepared = prepare(op, args, extras.body)
                extra_headers = None if extras.headers is None else check_extra_headers(extras.headers)
                extra_query = None if extras.query is None else check_extra_query(op, extras.query)
            if files is not None:
                form = _multipart.body(op, prepared, files)
        sent = self._auth.get(op.name)
        if sent is None or sent.op is not op:
            sent = self._auth[op.name] = self._sent(op)
        headers = sent.headers
        if prepared.content is not None and not prepared.headers and not extra_headers:
            headers = sent.json_headers  # the common call: a JSON body, no header arguments
        elif prepared.content is not None or prepared.headers or extra_headers:
            headers = {**(headers or {}), **(prepared.headers or {})}
            if prepared.content is not None:
                headers["Content-Type"] = "application/json"
            headers.update(extra_headers or {})
            headers.update(sent.credentials)  # a header argument never replaces a credential
        query = prepared.query if not extra_query else {**(prepared.query or {}), **extra_query}
        if sent.query:
            taken = sorted(set(sent.query) & set(extra_query or ()))
            if taken:
                raise ValueError(f"extra_query: {taken[0]!r} carries a credential, which the client sets")
            query = {**(query or {}), **sent.query}
        timeout = self._call_timeout if options is self._options else options.timeout
        return http.build_request(
            op.method, self._url(op, prepared.path), params=query, content=prepared.content,
            headers=headers, timeout=timeout, **(form or {}),
        )  # fmt: skip

    def _sent(self, op: Operation[Any]) -> _Sent:
        """What every call of `op` sends besides its arguments: this client's headers and the
        credentials its security asks for (a RaiaError naming the missing options if it cannot)."""
        headers, query = _auth.for_operation(op, self._options.credentials)
        plain = {**(self._call_headers or {}), **headers} if headers else self._call_headers
        return _Sent(op, plain, {**(plain or {}), "Content-Type": "application/json"}, headers, query)

    def _url(self, op: Operation[Any], path: str) -> Any:
        """The request URL. Parsing it is a third of httpx's build_request (~11 us), so the URL of an
        operation without path parameters is parsed once per client, as its pool's URL type; one
        with them differs per call."""
        if path != op.path:
            return self._options.base_url + path
        found = self._urls.get(path)
        if found is None:
            found = self._urls[path] = self._pool.url(self._options.base_url + path)
        return found

    def _log_request(self, request: Outgoing) -> None:
        """The request line of one attempt (every retry logs its own) at debug level; its body
        (user text) only with RAIA_AGENT_LOG_BODIES=1."""
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "%s %s headers=%s%s",
                request.method,
                self._redact.text(request.url),
                self._redact.headers(
                    {k.decode("latin-1"): v.decode("latin-1") for k, v in request.headers.raw}
                ),
                self._body_shown(request),
            )

    def _body_shown(self, body: Outgoing | bytes) -> str:
        """` body=...` for a debug line when bodies were asked for: redacted, then escaped and cut
        (a multipart request's only as its size: its parts hold files)."""
        if not _logging.log_bodies:
            return ""
        shown = body.decode("utf-8", "replace") if isinstance(body, bytes) else _multipart.describe(body)
        text = self._redact.text(shown)
        return f" body={one_line(text, _logging.BODIES_LIMIT, backslashes=False)}"

    def _limit(
        self, response: httpx.Response, options: Options, op: Operation[Any] | None = None
    ) -> BodyLimit:
        reply = None if op is None else op.replies.get(response.status_code)
        binary = reply is not None and reply.kind == "binary"
        return BodyLimit(response, options.timeout.read, MAX_BINARY_BYTES if binary else MAX_RESPONSE_BYTES)

    def _finish(
        self, op: Operation[T], response: httpx.Response, content: bytes, options: Options
    ) -> RawResponse[T]:
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "%s %s -> %s request_id=%s%s",
                response.request.method,
                self._redact.text(response.request.url),
                response.status_code,
                request_id_of(response, self._redact),
                self._body_shown(content),
            )
        return parse(op, response, content, self._redact, strict=options.strict_responses)

    def _received(self, response: httpx.Response) -> None:
        """A server may echo the key anywhere in the head, a success's x-request-id included: it is
        redacted before anything reads it (a model's `_request_id`, `.headers`, an error, a log line)."""
        head = b"\n".join([part for pair in response.headers.raw for part in pair])
        reason = response.extensions.get("reason_phrase", b"")
        if self._redact.holds_bytes(head) or self._redact.holds_bytes(bytes(reason)):
            hide_key(response, self._redact)

    def _mark(self, exc: RaiaError) -> None:
        """Give the error this client's redactor, so that its pickle hides the key wherever it is echoed,
        and hide the key in the headers of its response (those of a too large or undecodable body too)."""
        exc.__dict__.setdefault("_redactor", self._redact)
        response = getattr(exc, "response", None)
        if isinstance(response, httpx.Response):
            hide_key(response, self._redact)

    def _send_error(self, exc: Exception) -> RaiaError:
        self._redact.scrub(exc)
        if self._pool.http.is_closed:  # whatever the pool made of it: not to be retried
            return RaiaError(f"this {type(self).__name__} was closed while the call was in flight")
        if isinstance(exc, RuntimeError):  # e.g. an AsyncRaia used again after its event loop closed
            return RaiaError(
                self._redact.text(
                    f"the HTTP client cannot send ({exc}); create the client in the event loop that uses it"
                )
            )
        if isinstance(exc, httpx.TimeoutException):
            return APITimeoutError(_deadline.expired() or f"Request timed out ({type(exc).__name__}).")
        failed = _retry.certificate_error(exc)
        if failed is not None:
            return APIConnectionError(
                self._redact.text(
                    f"TLS certificate verification failed, not retried: {getattr(failed, 'verify_message', None) or failed}"
                )
            )
        return APIConnectionError(self._redact.text(f"Connection error ({type(exc).__name__}: {exc})."))

    def _retry_hook(self, op: Operation[Any], retries: int) -> Any:
        """stamina's backoff hook for one call: the policy in _retry, plus one log line per retry."""
        attempt = [1]

        def decide(exc: BaseException) -> bool | float:
            decision = _retry.should_retry(exc)
            if decision is not False and not op.idempotent and not _retry.not_processed(exc):
                return False  # the API may have acted on it: repeating a non-idempotent call is unsafe
            if decision is not False and attempt[0] <= retries:
                attempt[0] += 1
                cause = getattr(exc, "status_code", None) or type(exc).__name__
                wait = "" if decision is True else f" in {float(decision):g} s"
                logger.info(
                    "retrying %s %s after %s (attempt %d of %d)%s",
                    op.method, op.path, cause, attempt[0], retries + 1, wait,
                )  # fmt: skip
            return decision

        return decide
