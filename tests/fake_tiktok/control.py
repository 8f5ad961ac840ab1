"""Break the fake TikTok on purpose, over HTTP: the demo's fault control.

``python -m tests.fake_tiktok`` serves this next to the fake (on its own port,
by default the fake's port + 1), so that anyone trying the demo can make the
simulated TikTok fail the way the real one does and watch Home Assistant cope::

    POST /_control/fault/{name}    inject a fault (JSON answer; a browser's
                                   form post is redirected back to the page)
    POST /_control/clear/{name}    clear one fault
    POST /_control/clear           clear every fault
    GET  /_control/state           JSON: the faults, which are active, the creators
    GET  /_control                 a small HTML page with a button per fault

``FAULTS`` below is the only place that says what each fault does. Each entry
is small functions (apply, clear, active) built on the fake's public API (``fake.faults`` slots,
the helpers of faults.py, ``creator.go_offline()``/``go_live()``,
``fake.inject(...)``). Sticky faults hold until cleared; one-shot faults
(``drop``, ``silence``) hit the open connections once.

Faults that only matter when a client (re)connects (direct refused, rate
limited, sign server down, blocked, user not found, age restricted) also cut
the open push connections, so their effect shows at once instead of at the
next reconnect. The sign server's faults only matter to a connection that
goes through it: with Automatic, after ``direct_refused``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
import html
from typing import Any

from aiohttp import web

from . import faults
from .faults import ApiFault, FaultSlot, PageFault, SignUrlReply
from .server import FakeTikTok

CONTROL_PREFIX = "/_control"

# How long the rate-limited sign server asks clients to wait (seconds).
RATE_LIMIT_SECONDS = 30

type Action = Callable[[FakeTikTok], Awaitable[None]]
type Check = Callable[[FakeTikTok], bool]


@dataclass(frozen=True)
class Fault:
    """One fault of the table: what it does, how to apply and clear it, and
    whether it holds right now (always False for one-shot faults)."""

    summary: str
    apply: Action
    clear: Action
    active: Check
    sticky: bool = True


# ------------------------------------------------------------------ helpers


async def _cut_connections(fake: FakeTikTok) -> None:
    """Drop the open push connections: the client must connect again."""
    await fake.inject(None, faults.drop())


def _unset(slot: FaultSlot[Any], matches: Callable[[Any], bool]) -> bool:
    """Clear the slot's sticky fault if it is this one (slots are shared)."""
    if slot.sticky is not None and matches(slot.sticky):
        slot.sticky = None
        return True
    return False


def _is(value: object) -> Callable[[Any], bool]:
    return lambda sticky: sticky is value


def _status(status: int) -> Callable[[Any], bool]:
    return lambda sticky: getattr(sticky, "status", None) == status


def _never(_fake: FakeTikTok) -> bool:
    return False


# --------------------------------------------------------------- the faults


async def _offline_apply(fake: FakeTikTok) -> None:
    # TikTok says "offline" everywhere until cleared; a running stream ends now.
    fake.faults.live_page.always(PageFault.OFFLINE)
    fake.faults.room_api.always(ApiFault.OFFLINE)
    fake.faults.check_alive.always(False)
    for creator in list(fake.creators.values()):
        if creator.is_live:
            await creator.end_stream()


async def _offline_clear(fake: FakeTikTok) -> None:
    # check_alive False is this fault's alone (the other slots are shared).
    held = _unset(fake.faults.check_alive, _is(False))
    _unset(fake.faults.room_api, _is(ApiFault.OFFLINE))
    _unset(fake.faults.live_page, _is(PageFault.OFFLINE))
    if not held:
        return
    for creator in fake.creators.values():
        if not creator.is_live and creator.last_room is not None:
            # Back on air with a new stream (the demo loop carries on with it).
            last = creator.last_room
            creator.go_live(title=last.title, viewers=max(last.viewers, 1))


def _offline_active(fake: FakeTikTok) -> bool:
    return fake.faults.check_alive.sticky is False


async def _rate_limited_apply(fake: FakeTikTok) -> None:
    fake.faults.sign_fetch.always(
        faults.rate_limited(
            remaining=0,
            reset=RATE_LIMIT_SECONDS,
            retry_after=RATE_LIMIT_SECONDS,
            message="Too many connections started (simulated by the demo)",
            label="demo",
        )
    )
    await _cut_connections(fake)


async def _rate_limited_clear(fake: FakeTikTok) -> None:
    _unset(fake.faults.sign_fetch, _status(429))


def _rate_limited_active(fake: FakeTikTok) -> bool:
    return _status(429)(fake.faults.sign_fetch.sticky)


async def _user_not_found_apply(fake: FakeTikTok) -> None:
    # What TikTok answers for a handle that no longer exists.
    fake.faults.room_api.always(ApiFault.USER_NOT_FOUND)
    fake.faults.live_page.always(PageFault.NO_LIVE_ROOM)
    await _cut_connections(fake)


async def _user_not_found_clear(fake: FakeTikTok) -> None:
    _unset(fake.faults.room_api, _is(ApiFault.USER_NOT_FOUND))
    _unset(fake.faults.live_page, _is(PageFault.NO_LIVE_ROOM))


def _user_not_found_active(fake: FakeTikTok) -> bool:
    return fake.faults.room_api.sticky is ApiFault.USER_NOT_FOUND


async def _age_restricted_apply(fake: FakeTikTok) -> None:
    # The fake asks for a signed-in adult (a session in fake.valid_session_ids).
    for creator in fake.creators.values():
        creator.age_restricted = True
    await _cut_connections(fake)


async def _age_restricted_clear(fake: FakeTikTok) -> None:
    for creator in fake.creators.values():
        creator.age_restricted = False


def _age_restricted_active(fake: FakeTikTok) -> bool:
    return any(creator.age_restricted for creator in fake.creators.values())


async def _sign_server_down_apply(fake: FakeTikTok) -> None:
    fake.faults.sign_fetch.always(
        faults.sign_status(503, "Service unavailable (simulated by the demo)")
    )
    fake.faults.sign_url.always(SignUrlReply(status=503, body=b""))
    await _cut_connections(fake)


async def _sign_server_down_clear(fake: FakeTikTok) -> None:
    _unset(fake.faults.sign_fetch, _status(503))
    _unset(fake.faults.sign_url, _status(503))


def _sign_server_down_active(fake: FakeTikTok) -> bool:
    return _status(503)(fake.faults.sign_fetch.sticky)


async def _direct_refused_apply(fake: FakeTikTok) -> None:
    fake.faults.direct_handshake.always(faults.blocked(200, "not from this network"))
    await _cut_connections(fake)


async def _direct_refused_clear(fake: FakeTikTok) -> None:
    _unset(fake.faults.direct_handshake, lambda sticky: not sticky.stall)


def _direct_refused_active(fake: FakeTikTok) -> bool:
    sticky = fake.faults.direct_handshake.sticky
    return sticky is not None and not sticky.stall


async def _blocked_apply(fake: FakeTikTok) -> None:
    refused = faults.blocked(200, "illegal secret key")
    fake.faults.ws_handshake.always(refused)
    fake.faults.direct_handshake.always(refused)
    await _cut_connections(fake)


async def _blocked_clear(fake: FakeTikTok) -> None:
    _unset(fake.faults.ws_handshake, lambda sticky: not sticky.stall)
    _unset(fake.faults.direct_handshake, lambda sticky: not sticky.stall)


def _blocked_active(fake: FakeTikTok) -> bool:
    sticky = fake.faults.ws_handshake.sticky
    return sticky is not None and not sticky.stall


async def _drop_apply(fake: FakeTikTok) -> None:
    if fake.open_sockets():
        await fake.inject(None, faults.drop())
    else:  # nobody connected right now: the next connection gets it
        fake.faults.socket.once(faults.drop())


async def _silence_apply(fake: FakeTikTok) -> None:
    if fake.open_sockets():
        await fake.inject(None, faults.silence())
    else:
        fake.faults.socket.once(faults.silence())


async def _socket_clear(fake: FakeTikTok) -> None:
    fake.faults.socket.clear()  # a drop or silence still queued for the next socket


FAULTS: dict[str, Fault] = {
    "offline": Fault(
        "The creator ends the stream and TikTok shows them offline; clear: back live",
        _offline_apply,
        _offline_clear,
        _offline_active,
    ),
    "direct_refused": Fault(
        "TikTok refuses the direct connection (Automatic moves to the sign server)",
        _direct_refused_apply,
        _direct_refused_clear,
        _direct_refused_active,
    ),
    "rate_limited": Fault(
        f"The sign server answers 429 (retry in {RATE_LIMIT_SECONDS} s) to every"
        " connection it signs",
        _rate_limited_apply,
        _rate_limited_clear,
        _rate_limited_active,
    ),
    "user_not_found": Fault(
        "TikTok no longer knows the handle (renamed or deleted)",
        _user_not_found_apply,
        _user_not_found_clear,
        _user_not_found_active,
    ),
    "age_restricted": Fault(
        "The stream is for signed-in adults only (the demo's session id"
        " demo-adult-session lifts it)",
        _age_restricted_apply,
        _age_restricted_clear,
        _age_restricted_active,
    ),
    "sign_server_down": Fault(
        "The sign server answers 503 to everything",
        _sign_server_down_apply,
        _sign_server_down_clear,
        _sign_server_down_active,
    ),
    "blocked": Fault(
        "TikTok refuses every push connection, direct or signed"
        " (Handshake-Msg: illegal secret key)",
        _blocked_apply,
        _blocked_clear,
        _blocked_active,
    ),
    "drop": Fault(
        "Once: the connection is cut without a goodbye (reconnects at once)",
        _drop_apply,
        _socket_clear,
        _never,
        sticky=False,
    ),
    "silence": Fault(
        "Once: the connection stays open but nothing arrives (reconnects after"
        " about a minute)",
        _silence_apply,
        _socket_clear,
        _never,
        sticky=False,
    ),
}


# ------------------------------------------------------------- the state


def active_faults(fake: FakeTikTok) -> dict[str, bool]:
    """Which faults hold right now (as far as the fake's state shows)."""
    return {name: fault.active(fake) for name, fault in FAULTS.items()}


def state(fake: FakeTikTok) -> dict[str, Any]:
    """Everything the page and ``scripts/demo-fault`` show."""
    active = active_faults(fake)
    return {
        "faults": {
            name: {
                "summary": fault.summary,
                "sticky": fault.sticky,
                "active": active[name],
            }
            for name, fault in FAULTS.items()
        },
        "creators": {
            creator.unique_id: {
                "live": creator.is_live,
                "room_id": creator.room.room_id if creator.room else None,
                "age_restricted": creator.age_restricted,
            }
            for creator in fake.creators.values()
        },
        "open_connections": len(fake.open_sockets()),
    }


async def apply_fault(fake: FakeTikTok, name: str) -> None:
    """Inject a fault of the table by name (KeyError for an unknown one)."""
    await FAULTS[name].apply(fake)


async def clear_fault(fake: FakeTikTok, name: str | None = None) -> None:
    """Clear one fault, or all of them."""
    for fault in [FAULTS[name]] if name is not None else list(FAULTS.values()):
        await fault.clear(fake)


# --------------------------------------------------------------- over HTTP


def _answer(request: web.Request, fake: FakeTikTok, done: str) -> web.Response:
    if "text/html" in request.headers.get("Accept", ""):
        # A button of the page (a browser): back to the page (Post/Redirect/Get).
        raise web.HTTPSeeOther(CONTROL_PREFIX)
    return web.json_response({"ok": True, "done": done, **state(fake)})


def _unknown(name: str) -> web.Response:
    return web.json_response(
        {"ok": False, "error": f"unknown fault {name!r}", "faults": list(FAULTS)},
        status=404,
    )


def routes(fake: FakeTikTok) -> list[web.RouteDef]:
    """The control's routes, bound to one fake."""

    async def inject(request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in FAULTS:
            return _unknown(name)
        await apply_fault(fake, name)
        return _answer(request, fake, f"injected {name}")

    async def clear_one(request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in FAULTS:
            return _unknown(name)
        await clear_fault(fake, name)
        return _answer(request, fake, f"cleared {name}")

    async def clear_all(request: web.Request) -> web.Response:
        await clear_fault(fake)
        return _answer(request, fake, "cleared every fault")

    async def get_state(_request: web.Request) -> web.Response:
        return web.json_response(state(fake))

    async def page(_request: web.Request) -> web.Response:
        return web.Response(text=render_page(state(fake)), content_type="text/html")

    return [
        web.get(CONTROL_PREFIX, page),
        web.get(f"{CONTROL_PREFIX}/state", get_state),
        web.post(f"{CONTROL_PREFIX}/fault/{{name}}", inject),
        web.post(f"{CONTROL_PREFIX}/clear/{{name}}", clear_one),
        web.post(f"{CONTROL_PREFIX}/clear", clear_all),
    ]


def render_page(current: dict[str, Any]) -> str:
    """The control page: one row per fault, plain forms (no script)."""
    rows = []
    for name, info in current["faults"].items():
        label = "active" if info["active"] else ("once" if not info["sticky"] else "")
        clear = (
            f'<form method="post" action="{CONTROL_PREFIX}/clear/{name}">'
            f"<button>clear</button></form>"
            if info["sticky"]
            else ""
        )
        rows.append(
            f'<tr class="{"on" if info["active"] else ""}"><td>'
            f'<form method="post" action="{CONTROL_PREFIX}/fault/{name}">'
            f"<button><b>{html.escape(name)}</b></button></form></td>"
            f"<td>{html.escape(info['summary'])}</td><td>{label}</td><td>{clear}</td></tr>"
        )
    creators = ", ".join(
        f"@{html.escape(handle)} {'live' if c['live'] else 'offline'}"
        for handle, c in current["creators"].items()
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Demo faults</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; max-width: 60em; }}
td {{ padding: .3em .6em; }} tr.on {{ background: #fde8e8; }}
button {{ min-width: 9em; }}
</style></head><body>
<h1>Break the simulated TikTok</h1>
<p>Each button makes the fake TikTok of the demo fail like the real one can;
watch the creator's <i>Connection</i> sensor and <i>Settings → Repairs</i> in
Home Assistant. Sticky faults hold until cleared.</p>
<p>{creators or "no creator"}; {current["open_connections"]} open connection(s).</p>
<table>{"".join(rows)}</table>
<form method="post" action="{CONTROL_PREFIX}/clear"><button>clear all</button></form>
<p><small>Same from a shell: <code>scripts/demo-fault NAME</code>,
<code>scripts/demo-fault clear</code>. State as JSON:
<a href="{CONTROL_PREFIX}/state">{CONTROL_PREFIX}/state</a>.</small></p>
</body></html>
"""


class ControlServer:
    """The control routes on their own port (the fake itself stays faithful)."""

    def __init__(self, fake: FakeTikTok, *, host: str = "127.0.0.1", port: int = 0):
        self._fake = fake
        self._host = host
        self._port = port
        self._runner: web.AppRunner | None = None

    async def __aenter__(self) -> ControlServer:
        await self.start()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.stop()

    async def start(self) -> None:
        """Listen on the host and (free) port."""
        app = web.Application()
        app.add_routes(routes(self._fake))
        self._runner = web.AppRunner(
            app, handle_signals=False, access_log=None, shutdown_timeout=1.0
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        self._port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def url(self) -> str:
        """The control page."""
        return f"http://{self._host}:{self._port}{CONTROL_PREFIX}"
