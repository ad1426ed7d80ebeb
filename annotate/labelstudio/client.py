"""Connecting to Label Studio, with bounded retries and errors that name the URL, never the token.

Settings come from ``--url`` or ``$LABEL_STUDIO_URL`` with ``$LABEL_STUDIO_API_KEY``; without
them, the local server of ``annotate server start``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
from label_studio_sdk import LabelStudio
from label_studio_sdk.core.api_error import ApiError

from annotate.errors import LabelStudioError
from annotate.labelstudio.server import open_server

T = TypeVar("T")
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
TIMEOUT = 300.0


@dataclass(frozen=True)
class Connection:
    """Where Label Studio is and how to authenticate; repr hides the key."""

    url: str
    api_key: str = field(repr=False)


def resolve_connection(url: str | None = None, home: Path | str | None = None) -> Connection:
    """--url, else $LABEL_STUDIO_URL (key from $LABEL_STUDIO_API_KEY), else the local server
    (its state found from the current folder upward)."""
    url = url or os.environ.get("LABEL_STUDIO_URL")
    if url:
        key = os.environ.get("LABEL_STUDIO_API_KEY")
        if not key:
            raise LabelStudioError(f"{url}: set LABEL_STUDIO_API_KEY to the API token to use")
        return Connection(url.rstrip("/"), key)
    server = open_server(home)
    status = server.status()
    if not status.running or status.url is None:
        raise LabelStudioError(
            "no Label Studio to talk to: run 'annotate server start', or give --url "
            "(or LABEL_STUDIO_URL) with LABEL_STUDIO_API_KEY"
        )
    return Connection(status.url, server.credentials().token)


def describe(exc: Exception) -> str:
    """A short description of a request failure, with no headers and no token."""
    if isinstance(exc, ApiError):
        body = str(exc.body)[:300] if exc.body is not None else ""
        return f"HTTP {exc.status_code} {body}".strip()
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    if isinstance(exc, httpx.ConnectError):
        return "connection refused or unreachable"
    return type(exc).__name__


def retryable(exc: Exception) -> bool:
    """5xx, 408, 429, timeouts and dropped connections are worth another try."""
    if isinstance(exc, ApiError):
        return exc.status_code in RETRY_STATUSES
    return isinstance(exc, httpx.TransportError)


class Client:
    """The SDK client plus retries with backoff and error translation.

    The SDK's own retries are switched off: it retries POSTs, which can duplicate an import,
    so each caller decides whether a request is safe to repeat.
    """

    def __init__(self, connection: Connection, attempts: int = 4, backoff: float = 0.5) -> None:
        self.connection = connection
        self.url = connection.url
        self.attempts = attempts
        self.backoff = backoff
        self.sdk = LabelStudio(  # type: ignore[no-untyped-call]  # the SDK leaves __init__ untyped
            base_url=connection.url, api_key=connection.api_key, timeout=TIMEOUT
        )
        self.sdk._client_wrapper.httpx_client.base_max_retries = 0

    def call(self, what: str, request: Callable[[], T], *, idempotent: bool = True) -> T:
        """Run ``request``; retry retryable failures when idempotent; raise LabelStudioError."""
        attempts = self.attempts if idempotent else 1
        for attempt in range(1, attempts + 1):
            try:
                return request()
            except (ApiError, httpx.HTTPError) as exc:
                if attempt == attempts or not retryable(exc):
                    tries = f" after {attempt} attempts" if attempt > 1 else ""
                    raise LabelStudioError(
                        f"{what} at {self.url} failed{tries}: {describe(exc)}"
                    ) from exc
                time.sleep(self.backoff * 2 ** (attempt - 1))
        raise AssertionError("unreachable")

    def get_json(self, path: str, **params: Any) -> Any:
        """GET an API path (idempotent, retried) and decode its JSON."""

        def request() -> Any:
            wrapper = self.sdk._client_wrapper
            response = wrapper.httpx_client.httpx_client.get(
                f"{self.url}{path}", params=params, headers=wrapper.get_headers(), timeout=TIMEOUT
            )
            if response.status_code >= 400:
                raise ApiError(status_code=response.status_code, body=response.text)
            return response.json()

        return self.call(f"GET {path}", request)

    def patch_json(self, path: str, payload: dict[str, Any]) -> Any | None:
        """PATCH an API path with absolute values and decode the JSON answer; None on 404.

        Retried like a GET: setting the same values twice leaves the same state.
        """

        def request() -> Any | None:
            wrapper = self.sdk._client_wrapper
            response = wrapper.httpx_client.httpx_client.patch(
                f"{self.url}{path}", json=payload, headers=wrapper.get_headers(), timeout=TIMEOUT
            )
            if response.status_code == 404:
                return None
            if response.status_code >= 400:
                raise ApiError(status_code=response.status_code, body=response.text)
            return response.json()

        return self.call(f"PATCH {path}", request)
