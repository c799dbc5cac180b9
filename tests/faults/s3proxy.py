"""A fault-injecting HTTP reverse proxy for S3 tests, on 127.0.0.1 in front of a real S3 server.

Each request the client sends is either forwarded as is or given one fault, chosen by a policy:

* `ERROR_500` / `ERROR_503`: an S3 XML error (InternalError / SlowDown), not forwarded;
* `RESET`: the connection is reset (RST) before any answer, not forwarded;
* `STALL`: the request is read and never answered (until the client gives up, the proxy stops, or
  `stall_limit` seconds pass), not forwarded;
* `DELAY`: forwarded and answered after `delay` seconds;
* `TRUNCATE`: forwarded; the answer keeps its Content-Length but only part of the body is sent, then
  the connection is closed;
* `CORRUPT`: forwarded; one bit of a byte at a random place (seeded) of the body is flipped (object reads only: a listing carries no checksum
  a client could check it against, so a changed byte there is indistinguishable from a real key).

A fault that does not apply to a request (a truncated or corrupt empty body) is not injected and not
counted. Everything is bounded in time: socket timeouts on both sides, stalls end at `stall_limit`.
"""

from __future__ import annotations

import enum
import http.client
import random
import socket
import socketserver
import struct
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import TracebackType
from typing import BinaryIO
from urllib.parse import urlsplit


class Fault(enum.Enum):
    """What the proxy does to one request."""

    NONE = "none"
    ERROR_500 = "500"
    ERROR_503 = "503"
    RESET = "reset"
    STALL = "stall"
    DELAY = "delay"
    TRUNCATE = "truncate"
    CORRUPT = "corrupt"


EVERY_FAULT = tuple(fault for fault in Fault if fault is not Fault.NONE)


@dataclass(frozen=True)
class Request:
    """What a policy sees of a request: method, path (with query), and how many times this exact
    method and path were seen before (0 for the first)."""

    method: str
    path: str
    seen_before: int

    @property
    def is_object_read(self) -> bool:
        """A GetObject: a GET of a key (a listing is a GET of the bucket, with a query)."""
        path, _, _ = self.path.partition("?")
        return self.method == "GET" and path.strip("/").count("/") >= 1

    def can_have(self, fault: Fault) -> bool:
        """Whether `fault` applies: only a GET's answer has a body to cut short, only an object's a
        checksum to damage it against."""
        if fault is Fault.TRUNCATE:
            return self.method == "GET"
        if fault is Fault.CORRUPT:
            return self.is_object_read
        return True


Policy = Callable[[Request], Fault]


def random_faults(rate: float, seed: int, kinds: Iterable[Fault] = EVERY_FAULT) -> Policy:
    """Each request is given a fault with probability `rate` (a seeded RNG draws it). The faults take the
    `kinds` in turn, skipping over a kind the request cannot have (it keeps its place for the next one),
    so every kind comes up."""
    rng = random.Random(seed)
    queue = deque(kinds)
    lock = threading.Lock()

    def policy(request: Request) -> Fault:
        with lock:
            if rng.random() >= rate:
                return Fault.NONE
            for kind in queue:
                if request.can_have(kind):
                    queue.remove(kind)
                    queue.append(kind)
                    return kind
            return Fault.NONE

    return policy


def first_attempts(fault: Fault, times: int = 1, methods: frozenset[str] = frozenset({"GET"})) -> Policy:
    """The first `times` requests of every method and path in `methods` get `fault`; later ones pass."""

    def policy(request: Request) -> Fault:
        return fault if request.method in methods and request.seen_before < times else Fault.NONE

    return policy


def always(fault: Fault) -> Policy:
    """Every request gets `fault`."""
    return lambda request: fault


_ERRORS = {
    Fault.ERROR_500: (500, "Internal Server Error", "InternalError", "We encountered an internal error."),
    Fault.ERROR_503: (503, "Slow Down", "SlowDown", "Please reduce your request rate."),
}
_HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "transfer-encoding", "content-length", "te", "trailer", "expect"}
)


@dataclass(frozen=True)
class ProxyStats:
    """What the proxy saw and did."""

    requests: int
    faults: dict[Fault, int]
    by_method: dict[str, int]

    @property
    def injected(self) -> int:
        """Requests that got a fault."""
        return sum(self.faults.values())

    def line(self) -> str:
        """One line of figures."""
        kinds = ", ".join(f"{fault.value}={self.faults.get(fault, 0)}" for fault in EVERY_FAULT)
        methods = ", ".join(f"{method}={count}" for method, count in sorted(self.by_method.items()))
        return f"requests={self.requests} ({methods}) faults={self.injected} ({kinds})"


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    proxy: FaultProxy


class _Handler(socketserver.BaseRequestHandler):
    server: _Server

    def handle(self) -> None:
        proxy = self.server.proxy
        sock: socket.socket = self.request
        sock.settimeout(proxy.io_timeout)
        reader = sock.makefile("rb")
        try:
            while not proxy.stopping.is_set():
                parsed = _read_request(sock, reader)
                if parsed is None or not proxy.serve(sock, *parsed):
                    return
        except (OSError, ValueError):
            return
        finally:
            reader.close()


def _read_request(
    sock: socket.socket, reader: BinaryIO
) -> tuple[str, str, list[tuple[str, str]], bytes] | None:
    """Method, path, headers and body of the next request; None when the client closed the connection."""
    line = reader.readline(65537)
    if not line.strip():
        return None
    method, path, _version = line.decode("latin-1").split()
    headers: list[tuple[str, str]] = []
    while (header := reader.readline(65537)) not in (b"\r\n", b"\n", b""):
        name, _, value = header.decode("latin-1").partition(":")
        headers.append((name.strip(), value.strip()))
    fields = {name.lower(): value for name, value in headers}
    if fields.get("expect", "").lower() == "100-continue":
        sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
    if fields.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        while size := int(reader.readline(65537).split(b";")[0], 16):
            body += reader.read(size)
            reader.readline(65537)
        while reader.readline(65537) not in (b"\r\n", b"\n", b""):
            pass
    else:
        body = reader.read(int(fields.get("content-length", "0")))
    return method, path, headers, body


class FaultProxy:
    """A reverse proxy on 127.0.0.1 in front of `upstream` (an http:// URL on loopback).

    Use as a context manager; `url` is the endpoint to give the S3 client.
    """

    def __init__(
        self,
        upstream: str,
        policy: Policy,
        *,
        delay: float = 0.2,
        stall_limit: float = 30.0,
        io_timeout: float = 30.0,
        seed: int = 0,
    ) -> None:
        target = urlsplit(upstream)
        if target.scheme != "http" or target.hostname not in {"127.0.0.1", "localhost", "::1"}:
            raise ValueError(f"the proxy forwards to http:// on loopback only, not {upstream!r}")
        self.upstream_host = target.hostname
        self.upstream_port = target.port or 80
        self.policy = policy
        self.delay = delay
        self.stall_limit = stall_limit
        self.io_timeout = io_timeout
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._seen: Counter[tuple[str, str]] = Counter()
        self._faults: Counter[Fault] = Counter()
        self._methods: Counter[str] = Counter()
        self._rng = random.Random(seed)
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.proxy = self
        self._thread = threading.Thread(target=self._server.serve_forever, name="s3-fault-proxy", daemon=True)

    @property
    def url(self) -> str:
        """The proxy's endpoint URL."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    def stats(self) -> ProxyStats:
        """Requests seen and faults injected so far."""
        with self._lock:
            return ProxyStats(
                sum(self._methods.values()),
                {fault: count for fault, count in self._faults.items() if fault is not Fault.NONE},
                dict(self._methods),
            )

    def _decide(self, method: str, path: str) -> Request:
        with self._lock:
            seen = self._seen[method, path]
            self._seen[method, path] += 1
            self._methods[method] += 1
        return Request(method, path, seen)

    def _count(self, fault: Fault) -> None:
        with self._lock:
            self._faults[fault] += 1

    def serve(
        self, sock: socket.socket, method: str, path: str, headers: list[tuple[str, str]], body: bytes
    ) -> bool:
        """Answer one request; False when the connection is to be closed."""
        request = self._decide(method, path)
        fault = self.policy(request)
        if not request.can_have(fault):
            fault = Fault.NONE
        if fault in _ERRORS:
            self._count(fault)
            status, reason, code, message = _ERRORS[fault]
            payload = (
                f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code>'
                f"<Message>{message}</Message><Resource>{path}</Resource></Error>"
            ).encode()
            _send_head(sock, status, reason, [("Content-Type", "application/xml")], len(payload))
            if method != "HEAD":
                sock.sendall(payload)
            return True
        if fault is Fault.RESET:
            self._count(fault)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return False
        if fault is Fault.STALL:
            self._count(fault)
            _wait_for_close(sock, self.stopping, self.stall_limit)
            return False
        status, reason, response_headers, payload = self._forward(method, path, headers, body)
        if fault is Fault.DELAY:
            self._count(fault)
            time.sleep(self.delay)
        length = int(dict((k.lower(), v) for k, v in response_headers).get("content-length", len(payload)))
        kept = [(name, value) for name, value in response_headers if name.lower() not in _HOP_BY_HOP]
        if fault is Fault.TRUNCATE and payload:
            self._count(fault)
            _send_head(sock, status, reason, kept, len(payload))
            sock.sendall(payload[: len(payload) // 2])
            return False
        if fault is Fault.CORRUPT and payload:
            self._count(fault)
            with self._lock:
                at = self._rng.randrange(len(payload))
            payload = payload[:at] + bytes([payload[at] ^ 0x01]) + payload[at + 1 :]
        _send_head(sock, status, reason, kept, length if method == "HEAD" else len(payload))
        if method != "HEAD":
            sock.sendall(payload)
        return True

    def _forward(
        self, method: str, path: str, headers: list[tuple[str, str]], body: bytes
    ) -> tuple[int, str, list[tuple[str, str]], bytes]:
        connection = http.client.HTTPConnection(
            self.upstream_host, self.upstream_port, timeout=self.io_timeout
        )
        try:
            connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            for name, value in headers:
                if name.lower() not in _HOP_BY_HOP:
                    connection.putheader(name, value)
            connection.putheader("Content-Length", str(len(body)))
            connection.endheaders(body)
            response = connection.getresponse()
            payload = response.read()
            return response.status, response.reason, response.getheaders(), payload
        finally:
            connection.close()


def _send_head(
    sock: socket.socket, status: int, reason: str, headers: list[tuple[str, str]], length: int
) -> None:
    lines = [f"HTTP/1.1 {status} {reason}"]
    lines += [f"{name}: {value}" for name, value in headers]
    lines.append(f"Content-Length: {length}")
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))


def _wait_for_close(sock: socket.socket, stopping: threading.Event, limit: float) -> None:
    """Hold the connection without answering until the client closes it, the proxy stops or `limit`."""
    deadline = time.monotonic() + limit
    sock.settimeout(0.1)
    while not stopping.is_set() and time.monotonic() < deadline:
        try:
            if sock.recv(65536) == b"":
                return
        except TimeoutError:
            continue
