"""Serve the fake TikTok: ``python -m tests.fake_tiktok --port 8765 --demo``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal

from .demo import run_demo
from .server import FakeTikTok


async def _serve(host: str, port: int, demo: bool) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with FakeTikTok(host=host, port=port) as fake:
        print(  # noqa: T201 - the command's output
            f"fake TikTok: web {fake.web_url}, webcast {fake.webcast_url}, "
            f"sign server {fake.sign_server_url}",
            flush=True,
        )
        player = asyncio.create_task(run_demo(fake)) if demo else None
        await stop.wait()
        if player is not None:
            player.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await player


def main() -> None:
    """Parse the arguments and serve until SIGINT/SIGTERM."""
    parser = argparse.ArgumentParser(description="A fake TikTok LIVE on loopback")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--demo", action="store_true", help="play the looping demo stream"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="fake TikTok: %(message)s")
    asyncio.run(_serve(args.host, args.port, args.demo))


if __name__ == "__main__":
    main()
