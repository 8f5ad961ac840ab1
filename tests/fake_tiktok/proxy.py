"""A fake proxy on loopback: HTTP (CONNECT and absolute-URI requests) and SOCKS5.

Tests run the client through it to prove that every request (TikTok, the sign
server) and the WebSocket go through the proxy, with its credentials, and
that a proxy which refuses or is gone gives the client's proxy errors::

    async with FakeProxy("http", username="u", password="p") as proxy:
        client = TikTokLiveClient(session, ..., proxy=proxy.url)   # http://u:p@...
        ...
        assert proxy.targets   # every host:port the client reached through it

``refuse = True`` makes it refuse every connection (HTTP 403, or SOCKS
"connection not allowed"); wrong or missing credentials get 407 (HTTP) or a
failed SOCKS authentication.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import ipaddress
import struct
from typing import Final

SOCKS_VERSION: Final = 5
_NO_AUTH, _USER_PASS, _NO_ACCEPTABLE = 0x00, 0x02, 0xFF
_CONNECT: Final = 0x01
_IPV4, _DOMAIN, _IPV6 = 0x01, 0x03, 0x04
_SUCCEEDED, _NOT_ALLOWED = 0x00, 0x02


class FakeProxy:
    """One proxy server ("http" or "socks5") on 127.0.0.1, a free port."""

    def __init__(
        self, kind: str, *, username: str | None = None, password: str | None = None
    ) -> None:
        assert kind in ("http", "socks5")
        self.kind = kind
        self.username = username
        self.password = password
        self.refuse = False
        # host:port of every connection made through the proxy, in order.
        self.targets: list[str] = []
        # Connections refused (credentials or refuse), in order.
        self.refused = 0
        # Local ports of the proxy's own connections to the targets.
        self.upstream_ports: set[int] = set()
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.Task[None]] = set()
        self.port = 0

    async def __aenter__(self) -> FakeProxy:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = int(self._server.sockets[0].getsockname()[1])
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.stop()

    async def stop(self) -> None:
        """Stop listening and cut every connection (the proxy is gone)."""
        if self._server is not None:
            self._server.close()
            self._server = None
        for task in list(self._pipes):
            task.cancel()
        for task in list(self._pipes):
            with contextlib.suppress(asyncio.CancelledError, OSError):
                await task

    @property
    def url(self) -> str:
        """The proxy URL, with the credentials when there are some."""
        auth = f"{self.username}:{self.password}@" if self.username else ""
        return f"{self.kind}://{auth}127.0.0.1:{self.port}"

    # ------------------------------------------------------------ serving

    async def _serve(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._pipes.add(task)
        try:
            if self.kind == "http":
                await self._serve_http(reader, writer)
            else:
                await self._serve_socks(reader, writer)
        except (OSError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            self._pipes.discard(task)
            writer.close()

    def _credentials_ok(self, username: str | None, password: str | None) -> bool:
        return self.username is None or (
            username == self.username and password == self.password
        )

    async def _serve_http(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, target, version = lines[0].split(" ", 2)
        headers = [line for line in lines[1:] if line]
        auth = next(
            (
                h.split(":", 1)[1].strip()
                for h in headers
                if h.lower().startswith("proxy-authorization:")
            ),
            None,
        )
        username = password = None
        if auth and auth.lower().startswith("basic "):
            decoded = base64.b64decode(auth[6:]).decode()
            username, _, password = decoded.partition(":")
        if not self._credentials_ok(username, password):
            self.refused += 1
            writer.write(
                b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                b'Proxy-Authenticate: Basic realm="fake"\r\nContent-Length: 0\r\n\r\n'
            )
            await writer.drain()
            return
        if self.refuse:
            self.refused += 1
            # Its own refusal, named as such (RFC 9209), as current proxies do.
            writer.write(
                b"HTTP/1.1 403 Forbidden\r\n"
                b"Proxy-Status: fakeproxy; error=http_request_denied\r\n"
                b"Content-Length: 0\r\n\r\n"
            )
            await writer.drain()
            return
        if method == "CONNECT":
            host, _, port = target.rpartition(":")
            upstream = await self._open(host, int(port))
            writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            await writer.drain()
            await _pipe(reader, writer, *upstream)
            return
        # An absolute-URI request (http://host:port/path): forward it as is,
        # in origin form, and pipe the rest (an upgrade included).
        scheme, _, rest = target.partition("://")
        assert scheme == "http", target
        authority, slash, path = rest.partition("/")
        host, _, port = authority.rpartition(":")
        upstream = await self._open(host, int(port or 80))
        kept = [h for h in headers if not h.lower().startswith("proxy-")]
        request = "\r\n".join([f"{method} {slash}{path} {version}", *kept, "", ""])
        upstream[1].write(request.encode("latin-1"))
        await _pipe(reader, writer, *upstream)

    async def _serve_socks(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        version, count = await reader.readexactly(2)
        methods = await reader.readexactly(count)
        assert version == SOCKS_VERSION
        wanted = _USER_PASS if self.username is not None else _NO_AUTH
        if wanted not in methods:
            writer.write(bytes([SOCKS_VERSION, _NO_ACCEPTABLE]))
            self.refused += 1
            return
        writer.write(bytes([SOCKS_VERSION, wanted]))
        if wanted == _USER_PASS:
            _sub, ulen = await reader.readexactly(2)
            username = (await reader.readexactly(ulen)).decode()
            (plen,) = await reader.readexactly(1)
            password = (await reader.readexactly(plen)).decode()
            if not self._credentials_ok(username, password):
                self.refused += 1
                writer.write(b"\x01\x01")  # authentication failed
                await writer.drain()
                return
            writer.write(b"\x01\x00")
        _ver, command, _rsv, address_type = await reader.readexactly(4)
        if address_type == _IPV4:
            host = str(ipaddress.IPv4Address(await reader.readexactly(4)))
        elif address_type == _DOMAIN:
            (length,) = await reader.readexactly(1)
            host = (await reader.readexactly(length)).decode()
        else:
            host = str(ipaddress.IPv6Address(await reader.readexactly(16)))
        (port,) = struct.unpack("!H", await reader.readexactly(2))
        if self.refuse or command != _CONNECT:
            self.refused += 1
            writer.write(
                bytes([SOCKS_VERSION, _NOT_ALLOWED, 0, _IPV4, 0, 0, 0, 0, 0, 0])
            )
            await writer.drain()
            return
        upstream = await self._open(host, port)
        writer.write(bytes([SOCKS_VERSION, _SUCCEEDED, 0, _IPV4, 127, 0, 0, 1, 0, 0]))
        await writer.drain()
        await _pipe(reader, writer, *upstream)

    async def _open(
        self, host: str, port: int
    ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        self.targets.append(f"{host}:{port}")
        # Every name the tests use is this machine.
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        self.upstream_ports.add(int(writer.get_extra_info("sockname")[1]))
        return reader, writer


async def _pipe(
    client_reader: asyncio.StreamReader,
    client_writer: asyncio.StreamWriter,
    upstream_reader: asyncio.StreamReader,
    upstream_writer: asyncio.StreamWriter,
) -> None:
    """Copy both ways until either side closes."""

    async def _copy(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError, asyncio.IncompleteReadError):
            while data := await src.read(65536):
                dst.write(data)
                await dst.drain()
        with contextlib.suppress(OSError):
            dst.close()

    try:
        await asyncio.gather(
            _copy(client_reader, upstream_writer), _copy(upstream_reader, client_writer)
        )
    finally:
        upstream_writer.close()
