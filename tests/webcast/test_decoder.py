"""Decoding rules that need no socket: classification and fallbacks."""

from __future__ import annotations

from custom_components.tiktok_live.webcast import (
    ControlEvent,
    FollowEvent,
    LiveEndEvent,
    ShareEvent,
    WebcastDecoder,
)
from custom_components.tiktok_live.webcast.proto import webcast_pb2 as pb
from tests.fake_tiktok import messages

FAN = messages.user(1, "fan", "Fan")


def decode(*wire: pb.WireMessage) -> list[object]:
    return list(WebcastDecoder().events(pb.FetchResult(messages=list(wire))))


def social(key: str, action: int) -> pb.WireMessage:
    return messages.wire(
        "WebcastSocialMessage",
        pb.SocialMessage(
            common=pb.MessageCommon(display_text=pb.Text(key=key)),
            user=FAN,
            action=action,
        ),
    )


def test_follow_and_share_by_display_key_then_action() -> None:
    """The display text key decides; the action only when there is no key."""
    events = decode(
        social("pm_main_follow_message_viewer_2", 3),
        social("pm_mt_guidance_viewer_5_share", 1),
        social("", 1),
        social("", 3),
        social("something_else", 1),
    )
    assert [type(e) for e in events] == [
        FollowEvent,
        ShareEvent,
        FollowEvent,
        ShareEvent,
    ]


def test_control_actions() -> None:
    """Suspended ends the stream too; unknown actions stay plain control events."""
    events = decode(messages.control(4), messages.control(0))
    assert isinstance(events[0], LiveEndEvent)
    assert type(events[1]) is ControlEvent


def test_members_other_than_joins_are_skipped() -> None:
    """Member action 3 (subscribed member) is not a join."""
    member = messages.wire(
        "WebcastMemberMessage",
        pb.MemberMessage(common=pb.MessageCommon(), user=FAN, action=3),
    )
    decoder = WebcastDecoder()
    assert list(decoder.events(pb.FetchResult(messages=[member]))) == []
    assert decoder.stats.messages_decoded == 1


def test_msg_id_falls_back_to_common() -> None:
    """Without a wrapper msg_id, the message's own common.msg_id is used."""
    wire = messages.comment(FAN, "hi")
    wire.msg_id = 0
    [event] = decode(wire)
    assert event.msg_id  # type: ignore[attr-defined]


def test_not_a_fetch_result() -> None:
    """Bytes that are not a FetchResult are counted, not raised."""
    decoder = WebcastDecoder()
    assert decoder.parse_result(b"\x0a\xff\xff") is None
    assert decoder.stats.malformed_frames == 1
