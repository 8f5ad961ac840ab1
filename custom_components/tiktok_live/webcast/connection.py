"""One open push WebSocket to a LIVE room, read as an async iterator of events."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import contextlib
import logging
from typing import Final
import zlib

import aiohttp

from .const import MAX_INFLATED_PAYLOAD
from .decoder import ConnectionStats, WebcastDecoder
from .errors import WebcastConnectionClosedError, WebcastConnectionError
from .models import ConnectEvent, DisconnectEvent, LiveEndEvent, WebcastEvent
from .proto import webcast_pb2 as pb

_LOGGER = logging.getLogger(__name__)

# Closing codes that end a connection normally. aiohttp reports a close
# frame without a code as 0; 1005 is the RFC's name for the same thing.
NORMAL_CLOSE_CODES: Final = frozenset({1000, 1001})
NO_CLOSE_CODE: Final = frozenset({None, 0, 1005})
GZIP_MAGIC: Final = b"\x1f\x8b\x08"
# Events handed out before the event loop gets a turn, within one frame.
EVENTS_PER_TURN: Final = 256
LIVE_ID: Final = 12


def _frame(payload_type: str, payload: bytes, log_id: int = 0) -> bytes:
    return bytes(
        pb.PushFrame(
            log_id=log_id,
            payload_encoding="pb",
            payload_type=payload_type,
            payload=payload,
        ).SerializeToString()
    )


def enter_room_frame(room_id: int) -> bytes:
    """The im_enter_room frame that must precede heartbeats."""
    return _frame(
        "im_enter_room",
        pb.EnterRoomPayload(
            room_id=room_id,
            live_id=LIVE_ID,
            identity="audience",
            filter_welcome_msg="0",
        ).SerializeToString(),
    )


def heartbeat_frame(room_id: int, seq_id: int) -> bytes:
    """One application-level heartbeat (TikTok ignores WebSocket pings)."""
    return _frame(
        "hb",
        pb.HeartbeatPayload(
            room_id=room_id, send_packet_seq_id=seq_id
        ).SerializeToString(),
    )


def ack_frame(log_id: int, internal_ext: str) -> bytes:
    """An ack: the payload is the raw internal_ext text, not protobuf."""
    return _frame("ack", (internal_ext or "-").encode(), log_id=log_id)


class WebcastConnection:
    """The events of one LIVE room, until the stream ends or the socket closes.

    Iterate it once. It yields ConnectEvent, the first fetch result's messages,
    then the events of every frame. It ends with a DisconnectEvent after a
    normal close (by either side, or after the stream ended) and raises
    WebcastConnectionClosedError after an abnormal one.
    """

    def __init__(
        self,
        ws: aiohttp.ClientWebSocketResponse,
        *,
        unique_id: str,
        room_id: str,
        initial: pb.FetchResult | None,
        heartbeat_interval: float,
        silence_timeout: float | None,
    ) -> None:
        """Wrap an open WebSocket; nothing is sent until iteration starts.

        ``initial`` is the sign server's first fetch result; None for a direct
        connection, which has none (the room is entered with a heartbeat
        first, as TikTok's own web client does).
        """
        self._ws = ws
        self.unique_id = unique_id
        self.room_id = room_id
        self.heartbeat_interval = heartbeat_interval
        self.stats = ConnectionStats()
        self._decoder = WebcastDecoder(self.stats)
        self._initial = initial
        self._silence_timeout = silence_timeout
        self._heartbeat: asyncio.Task[None] | None = None
        self._closing = False
        self._iterated = False
        self._close_code: int | None = None

    @property
    def closed(self) -> bool:
        """Whether the socket is closed (or closing)."""
        return self._closing or self._ws.closed

    def __aiter__(self) -> AsyncIterator[WebcastEvent]:
        """The connection's events; a connection can be iterated once."""
        if self._iterated:
            raise RuntimeError("A WebcastConnection can be iterated only once")
        self._iterated = True
        return self._events()

    async def close(self) -> None:
        """Close the socket with 1000; safe to call at any time, more than once."""
        self._closing = True
        await self._stop_heartbeat()
        if not self._ws.closed:
            with contextlib.suppress(
                aiohttp.ClientError, OSError, asyncio.TimeoutError
            ):
                await self._ws.close(code=1000)

    async def __aenter__(self) -> WebcastConnection:
        """Use as ``async with``: closed on exit."""
        return self

    async def __aexit__(self, *_exc: object) -> None:
        """Close on leaving the block."""
        await self.close()

    # ----------------------------------------------------------- internals

    async def _events(self) -> AsyncIterator[WebcastEvent]:
        try:
            initial = self._initial
            if initial is None:
                # Direct: one heartbeat, then enter the room, then heartbeats.
                await self._send(heartbeat_frame(int(self.room_id), 1))
                self.stats.heartbeats_sent += 1
                await self._enter_room(next_heartbeat=2)
                yield ConnectEvent(unique_id=self.unique_id, room_id=self.room_id)
            elif initial.is_first:
                await self._enter_room()
                yield ConnectEvent(unique_id=self.unique_id, room_id=self.room_id)
            ended = False
            # The first result comes from the sign server, not a frame: never acked.
            result = initial if initial is not None else await self._next_result()
            while result is not None:
                for count, event in enumerate(self._decoder.events(result), 1):
                    ended = ended or isinstance(event, LiveEndEvent)
                    yield event
                    if count % EVENTS_PER_TURN == 0:
                        # A frame can hold thousands of tiny messages: other
                        # work on the event loop gets its turn in between.
                        await asyncio.sleep(0)
                if ended:
                    break
                result = await self._next_result()
            if not ended:
                yield DisconnectEvent(code=self._disconnect_code())
                return
            # The stream ended: leave like TikTok's own client does.
            await self.close()
            yield DisconnectEvent(code=1000, reason="stream ended")
        except BaseException:
            # However iteration stops (error, cancellation), the socket must not
            # outlive it: this connection cannot be iterated again.
            await self.close()
            raise
        finally:
            await self._stop_heartbeat()

    def _disconnect_code(self) -> int | None:
        """The close code to report: ours (1000) after close(), else the server's."""
        code = self._close_code
        if code in NO_CLOSE_CODE:
            return 1000 if self._closing else None
        return code

    async def _next_result(self) -> pb.FetchResult | None:
        """The next data frame's result (acked when asked); None after a normal close."""
        while True:
            # One frame per loop turn: a socket read can hold thousands of
            # small frames, and handling them all at once would stall
            # everything else on the event loop.
            await asyncio.sleep(0)
            if self._closing:
                return None
            try:
                message = await self._ws.receive(timeout=self._silence_timeout)
            except TimeoutError:
                raise WebcastConnectionError(
                    f"No frame from TikTok for {self._silence_timeout} seconds"
                ) from None
            if message.type in (aiohttp.WSMsgType.BINARY, aiohttp.WSMsgType.TEXT):
                data = (
                    message.data
                    if isinstance(message.data, bytes)
                    else str(message.data).encode(errors="replace")
                )
                result = await self._handle_frame(data)
                if result is not None:
                    return result
                continue
            if message.type == aiohttp.WSMsgType.PING:
                # Answered as a browser would; TikTok itself never pings.
                await self._send(message.data, pong=True)
                continue
            if message.type == aiohttp.WSMsgType.PONG:
                continue
            code = self._ws.close_code
            if message.type == aiohttp.WSMsgType.CLOSE:
                code = message.data if isinstance(message.data, int) else code
            self._close_code = code
            if self._closing or code in NORMAL_CLOSE_CODES or code in NO_CLOSE_CODE:
                return None
            reason = (
                str(message.extra or "")
                if message.type == aiohttp.WSMsgType.CLOSE
                else ""
            )
            if message.type == aiohttp.WSMsgType.ERROR:
                reason = type(message.data).__name__
            raise WebcastConnectionClosedError(code, reason)

    async def _handle_frame(self, data: bytes) -> pb.FetchResult | None:
        """The result of one frame, after acking it; None for anything we skip."""
        self.stats.frames_received += 1
        frame = pb.PushFrame()
        try:
            frame.ParseFromString(data)
        except Exception:  # noqa: BLE001 - protobuf raises DecodeError or worse on junk
            self.stats.malformed_frames += 1
            _LOGGER.debug(
                "Dropped a frame that is not a push frame (%d bytes)", len(data)
            )
            return None
        if frame.payload_type != "msg":
            if frame.payload_type == "hb":
                self.stats.heartbeats_received += 1
            return None
        payload = self._inflate(frame)
        if payload is None:
            return None
        result = self._decoder.parse_result(payload)
        if result is None:
            return None
        if result.need_ack:
            await self._send(ack_frame(frame.log_id, result.internal_ext))
            self.stats.acks_sent += 1
        if result.is_first:
            await self._enter_room()
        return result

    def _inflate(self, frame: pb.PushFrame) -> bytes | None:
        """The frame's payload, gunzipped when it says (or looks) so; None if hostile."""
        compression = next(
            (h.value for h in frame.headers if h.key == "compress_type"), ""
        )
        payload = frame.payload
        if compression != "gzip" and not (
            compression in ("", "none") and payload.startswith(GZIP_MAGIC)
        ):
            if compression not in ("", "none"):
                _LOGGER.debug(
                    "Unknown compress_type %r, reading the payload as is", compression
                )
            return payload
        inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        try:
            inflated = inflater.decompress(payload, MAX_INFLATED_PAYLOAD + 1)
        except zlib.error:
            self.stats.bad_gzip += 1
            _LOGGER.debug("Dropped a frame with a broken gzip payload")
            return None
        if len(inflated) > MAX_INFLATED_PAYLOAD or inflater.unconsumed_tail:
            self.stats.oversized_payloads += 1
            # Once per connection: a hostile server must not fill the log.
            _LOGGER.log(
                logging.DEBUG if self.stats.oversized_payloads > 1 else logging.WARNING,
                "Dropped a frame that inflates past %d bytes",
                MAX_INFLATED_PAYLOAD,
            )
            return None
        if not inflater.eof:
            self.stats.bad_gzip += 1
            _LOGGER.debug("Dropped a frame with a truncated gzip payload")
            return None
        return inflated

    async def _enter_room(self, next_heartbeat: int = 1) -> None:
        """Enter the room, then (re)start heartbeats: TikTok wants them in that order.

        ``next_heartbeat`` above 1: that many heartbeats went out already; the
        next one follows after an interval.
        """
        await self._send(enter_room_frame(int(self.room_id)))
        await self._stop_heartbeat()
        self._heartbeat = asyncio.create_task(
            self._heartbeat_loop(next_heartbeat),
            name=f"tiktok_live heartbeat {self.room_id}",
        )

    async def _heartbeat_loop(self, seq_id: int) -> None:
        if seq_id > 1:
            await asyncio.sleep(self.heartbeat_interval)
        while not self.closed:
            try:
                await self._ws.send_bytes(heartbeat_frame(int(self.room_id), seq_id))
            except Exception as err:  # noqa: BLE001 - the read loop reports the socket's end
                _LOGGER.debug("Heartbeat stopped: %s", type(err).__name__)
                return
            self.stats.heartbeats_sent += 1
            seq_id += 1
            await asyncio.sleep(self.heartbeat_interval)

    async def _stop_heartbeat(self) -> None:
        task, self._heartbeat = self._heartbeat, None
        if task is not None and task is not asyncio.current_task():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _send(self, data: bytes, *, pong: bool = False) -> None:
        if self.closed:
            return
        try:
            if pong:
                await self._ws.pong(data)
            else:
                await self._ws.send_bytes(data)
        except (aiohttp.ClientError, OSError, ConnectionError) as err:
            raise WebcastConnectionClosedError(
                self._ws.close_code, type(err).__name__
            ) from None
