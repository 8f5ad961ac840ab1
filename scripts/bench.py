"""Benchmarks: how fast and how lean the client handles a busy stream.

Prints numbers, asserts nothing (targets live here, not in timed unit tests):
  1. decoding: gunzip + parse + typed events of realistic frames (per frame/message)
  2. end to end over loopback: the fake TikTok pushes frames, the client yields events
  3. memory: peak allocation while decoding, and the retained size of an idle connection
  4. hostile: the biggest messages a connection accepts (4 MiB inflated), built to
     make the decoder work hard: every one must cost milliseconds, not seconds

Run: .venv/bin/python scripts/bench.py
"""

from __future__ import annotations

import asyncio
import gzip
from pathlib import Path
import sys
import time
import tracemalloc

import aiohttp
from google import protobuf
from google.protobuf.internal import api_implementation

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from custom_components.tiktok_live.webcast import (
    ConnectEvent,
    TikTokLiveClient,
    ViewerCountEvent,
    WebcastDecoder,
    WebcastEvent,
)
from custom_components.tiktok_live.webcast.const import MAX_INFLATED_PAYLOAD
from custom_components.tiktok_live.webcast.proto import webcast_pb2 as pb
from tests.fake_tiktok import FakeTikTok, messages

FANS = [messages.user(7000 + n, f"fan_{n}", f"Fan {n}") for n in range(50)]


def busy_batch(size: int = 20) -> pb.FetchResult:
    """A frame as a busy stream sends it: gifts, likes, comments, joins, viewers."""
    builders = [
        lambda n: messages.gift(
            FANS[n % 50], "Rose", repeat_count=n % 5 + 1, repeat_end=n % 5 == 4
        ),
        lambda n: messages.like(FANS[n % 50], 15, total=10_000 + n),
        lambda n: messages.comment(
            FANS[n % 50], f"comment number {n} with some text in it"
        ),
        lambda n: messages.join(FANS[n % 50], 1200 + n),
        lambda n: messages.viewers(1200 + n),
    ]
    return pb.FetchResult(
        messages=[builders[n % len(builders)](n) for n in range(size)],
        cursor="c",
        internal_ext="ie",
        need_ack=True,
    )


def bench_decode(frames: int = 3000, rounds: int = 5) -> None:
    """Inflate, parse and decode frames in a tight loop; the best of ``rounds``."""
    payload = gzip.compress(busy_batch().SerializeToString())
    frame = pb.PushFrame(
        log_id=1,
        payload_type="msg",
        headers=[pb.PushHeader(key="compress_type", value="gzip")],
        payload=payload,
    ).SerializeToString()
    decoder = WebcastDecoder()
    elapsed = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        events = 0
        for _ in range(frames):
            push = pb.PushFrame()
            push.ParseFromString(frame)
            result = decoder.parse_result(gzip.decompress(push.payload))
            assert result is not None
            events += sum(1 for _ in decoder.events(result))
        elapsed = min(elapsed, time.perf_counter() - start)
    print(
        f"decode: {frames} frames of 20 messages ({len(frame)} bytes gzipped) in {elapsed:.2f} s "
        f"(best of {rounds}): {frames / elapsed:,.0f} frames/s, {events / elapsed:,.0f} events/s, "
        f"{elapsed / events * 1e6:.2f} µs per event"
    )


async def bench_loopback(frames: int = 500) -> None:
    """The fake pushes busy frames; the client acks and yields their events."""
    async with FakeTikTok() as fake, aiohttp.ClientSession() as session:
        creator = fake.add_creator("bench", user_id=1)
        creator.go_live(title="bench")
        client = TikTokLiveClient(
            session,
            web_url=fake.web_url,
            webcast_url=fake.webcast_url,
            sign_server_url=fake.sign_server_url,
        )
        connection = await client.connect("bench")
        batch = busy_batch()
        received = 0
        expected = frames * len(batch.messages)

        async def read() -> None:
            nonlocal received
            async for event in connection:
                if not isinstance(event, ConnectEvent):
                    received += 1
                if received >= expected:
                    return

        reader = asyncio.create_task(read())
        await fake.wait_connected(creator)
        [socket] = fake.open_sockets(creator)
        start = time.perf_counter()
        for _ in range(frames):
            await socket.send_result(batch)
        await asyncio.wait_for(reader, 60)
        elapsed = time.perf_counter() - start
        print(
            f"loopback: {frames} frames, {received} events through a real WebSocket in "
            f"{elapsed:.2f} s: {received / elapsed:,.0f} events/s "
            f"(acks sent: {connection.stats.acks_sent})"
        )
        await connection.close()


def bench_memory(frames: int = 1000) -> None:
    """Peak Python allocation while decoding, and what decoding leaves behind."""
    payload = busy_batch().SerializeToString()
    decoder = WebcastDecoder()
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    for _ in range(frames):
        result = decoder.parse_result(payload)
        assert result is not None
        for _event in decoder.events(result):
            pass
    _current, peak = tracemalloc.get_traced_memory()
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    retained = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    print(
        f"memory: decoding {frames * 20} messages peaks at {peak / 1024:.0f} KiB of Python "
        f"allocations and retains {retained / 1024:.1f} KiB (upb's own C memory is not traced)"
    )


def _best_of(
    runs: int, payload: bytes
) -> tuple[float, WebcastDecoder, list[WebcastEvent]]:
    """Fastest of ``runs`` decodes of a serialized FetchResult, with a fresh decoder each."""
    best = float("inf")
    decoder, events = WebcastDecoder(), list[WebcastEvent]()
    for _ in range(runs):
        decoder = WebcastDecoder()
        start = time.perf_counter()
        events = list(decoder.decode_bytes(payload))
        best = min(best, time.perf_counter() - start)
    return best, decoder, events


def bench_hostile(runs: int = 3) -> None:
    """One message as big as a connection accepts, built to make decoding expensive."""
    room = MAX_INFLATED_PAYLOAD - 1024  # what is left for the message after framing
    ranks = room // 10
    crowded = pb.FetchResult(messages=[messages.crowded_viewers(1234, ranks)])
    payload = crowded.SerializeToString()
    elapsed, _decoder, events = _best_of(runs, payload)
    [event] = events
    assert isinstance(event, ViewerCountEvent)
    print(
        f"hostile: a {len(payload) / 2**20:.2f} MiB viewer count with {ranks:,} ranks "
        f"decodes in {elapsed * 1000:,.1f} ms"
    )
    like = messages.like(FANS[0], 1)
    like.payload += b"\xc0\x0c\x01" * (room // 3)  # field 200, varint 1: unknown
    payload = pb.FetchResult(messages=[like]).SerializeToString()
    elapsed, decoder, _events = _best_of(runs, payload)
    print(
        f"hostile: a {len(payload) / 2**20:.2f} MiB like with {room // 3:,} unknown fields "
        f"decodes in {elapsed * 1000:,.1f} ms ({decoder.stats.unknown_fields:,} counted)"
    )
    names = pb.FetchResult(
        messages=[pb.WireMessage(method=f"Webcast{n:x}" * 20) for n in range(10_000)]
    ).SerializeToString()
    elapsed, decoder, _events = _best_of(runs, names)
    print(
        f"hostile: 10,000 distinct unknown method names of ~100 characters in "
        f"{elapsed * 1000:,.1f} ms; the stats keep {len(decoder.stats.unknown_methods):,} "
        f"names, {sum(map(len, decoder.stats.unknown_methods)):,} characters"
    )


def main() -> None:
    """Run every benchmark once."""
    print(
        f"Python {sys.version.split()[0]}, protobuf {protobuf.__version__} ({api_implementation.Type()})"
    )
    bench_decode()
    asyncio.run(bench_loopback())
    bench_memory()
    bench_hostile()


if __name__ == "__main__":
    main()
