"""Serve the fake TikTok with the looping demo stream.

    python -m tests.fake_tiktok --host 127.0.0.1 --port 8765

prints the base URLs to point the integration (or any TikTokLive-style client)
at, then plays @demo_streamer's stream forever until SIGINT/SIGTERM.
``--no-demo`` serves the fake without a creator; ``--speed 10`` plays faster.

It also serves the fault control (control.py) on ``--control-port`` (by
default the fake's port + 1; ``--no-control`` leaves it out): a page at
``/_control`` and ``POST /_control/fault/{name}``, as ``scripts/demo-fault`` uses.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal

from .control import ControlServer
from .demo import DEMO_CREATOR, add_demo_creator, run_demo
from .server import FakeTikTok


async def _serve(args: argparse.Namespace) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with contextlib.AsyncExitStack() as stack:
        fake = await stack.enter_async_context(
            FakeTikTok(
                host=args.host,
                port=args.port,
                ping_interval=args.ping_interval,
                answer_heartbeats=True,
            )
        )
        control = None
        if args.control:
            control_port = args.control_port
            if control_port is None:
                control_port = args.port + 1 if args.port else 0
            control = await stack.enter_async_context(
                ControlServer(fake, host=args.host, port=control_port)
            )
        lines = [
            f"fake TikTok listening on {fake.web_url}",
            f"  web_url          {fake.web_url}",
            f"  webcast_url      {fake.webcast_url}",
            f"  sign_server_url  {fake.sign_server_url}",
            f"  push server      {fake.push_server_url}",
        ]
        if control is not None:
            lines.append(f"  fault control    {control.url}")
        if args.demo:
            add_demo_creator(fake)
            lines.append(f"  demo creator     @{DEMO_CREATOR} (loops a stream)")
        print("\n".join(lines), flush=True)  # noqa: T201 - the command's output
        player = (
            asyncio.create_task(
                run_demo(fake, offline_seconds=args.offline_seconds, speed=args.speed)
            )
            if args.demo
            else None
        )
        await stop.wait()
        if player is not None:
            player.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await player


def main() -> None:
    """Parse the arguments and serve until SIGINT/SIGTERM."""
    parser = argparse.ArgumentParser(
        prog="python -m tests.fake_tiktok", description="A fake TikTok LIVE on loopback"
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument(
        "--demo",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="play the looping demo stream (default; --no-demo to serve only)",
    )
    parser.add_argument(
        "--control",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="serve the fault control page and API (default; --no-control to leave it out)",
    )
    parser.add_argument(
        "--control-port",
        type=int,
        default=None,
        help="port of the fault control (default: the fake's port + 1; 0 picks a free port)",
    )
    parser.add_argument(
        "--speed", type=float, default=1.0, help="play the demo this many times faster"
    )
    parser.add_argument(
        "--offline-seconds",
        type=float,
        default=20.0,
        help="offline time between two demo streams",
    )
    parser.add_argument(
        "--ping-interval",
        type=float,
        default=None,
        help="heartbeat interval the push server asks for (Handshake-Options)",
    )
    args = parser.parse_args()
    if args.speed <= 0:
        parser.error("--speed must be positive")
    logging.basicConfig(level=logging.INFO, format="fake TikTok: %(message)s")
    asyncio.run(_serve(args))


if __name__ == "__main__":
    main()
