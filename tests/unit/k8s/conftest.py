"""A real kubernetes ApiClient whose HTTP transport is faked: requests are recorded and
answered from a queue of canned responses (no API server runs in tests)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest
from kubernetes import client


@dataclass
class _Response:
    status: int
    data: bytes
    reason: str = "OK"
    headers: dict = field(default_factory=lambda: {"content-type": "application/json"})


class FakeTransport:
    """Stands in for urllib3's PoolManager under kubernetes.client.rest."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, dict | None]] = []
        self._responses: list[tuple[str, str, int, dict]] = []

    def respond(self, method: str, path_suffix: str, body: dict, status: int = 200) -> None:
        """Queue the answer to the next request with this method and path ending."""
        self._responses.append((method, path_suffix, status, body))

    def request(self, method, url, body=None, headers=None, **_kwargs):
        path = url.split("://", 1)[-1].split("/", 1)[-1]
        payload = json.loads(body) if body else None
        self.calls.append((method, "/" + path, payload))
        for i, (m, suffix, status, answer) in enumerate(self._responses):
            if m == method and ("/" + path.split("?")[0]).endswith(suffix):
                del self._responses[i]
                return _Response(
                    status, json.dumps(answer).encode(), "OK" if status < 400 else "Error"
                )
        raise AssertionError(f"unexpected request {method} {url}")

    def summary(self) -> list[tuple[str, str]]:
        return [(m, p.split("?")[0]) for m, p, _ in self.calls]


@pytest.fixture
def transport() -> FakeTransport:
    return FakeTransport()


@pytest.fixture
def batch_api(transport: FakeTransport) -> client.BatchV1Api:
    cfg = client.Configuration()
    cfg.host = "https://k8s.test:6443"
    api_client = client.ApiClient(configuration=cfg)
    api_client.rest_client.pool_manager = transport
    return client.BatchV1Api(api_client)
