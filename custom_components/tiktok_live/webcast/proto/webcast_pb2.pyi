from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PushFrame(_message.Message):
    __slots__ = ("seq_id", "log_id", "service", "method", "headers", "payload_encoding", "payload_type", "payload")
    SEQ_ID_FIELD_NUMBER: _ClassVar[int]
    LOG_ID_FIELD_NUMBER: _ClassVar[int]
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    HEADERS_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_ENCODING_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_TYPE_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    seq_id: int
    log_id: int
    service: int
    method: int
    headers: _containers.RepeatedCompositeFieldContainer[PushHeader]
    payload_encoding: str
    payload_type: str
    payload: bytes
    def __init__(self, seq_id: _Optional[int] = ..., log_id: _Optional[int] = ..., service: _Optional[int] = ..., method: _Optional[int] = ..., headers: _Optional[_Iterable[_Union[PushHeader, _Mapping]]] = ..., payload_encoding: _Optional[str] = ..., payload_type: _Optional[str] = ..., payload: _Optional[bytes] = ...) -> None: ...

class PushHeader(_message.Message):
    __slots__ = ("key", "value")
    KEY_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    key: str
    value: str
    def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...

class HeartbeatPayload(_message.Message):
    __slots__ = ("room_id", "send_packet_seq_id")
    ROOM_ID_FIELD_NUMBER: _ClassVar[int]
    SEND_PACKET_SEQ_ID_FIELD_NUMBER: _ClassVar[int]
    room_id: int
    send_packet_seq_id: int
    def __init__(self, room_id: _Optional[int] = ..., send_packet_seq_id: _Optional[int] = ...) -> None: ...

class EnterRoomPayload(_message.Message):
    __slots__ = ("room_id", "room_tag", "live_region", "live_id", "identity", "cursor", "account_type", "enter_unique_id", "filter_welcome_msg", "is_anchor_continue_keep_msg")
    ROOM_ID_FIELD_NUMBER: _ClassVar[int]
    ROOM_TAG_FIELD_NUMBER: _ClassVar[int]
    LIVE_REGION_FIELD_NUMBER: _ClassVar[int]
    LIVE_ID_FIELD_NUMBER: _ClassVar[int]
    IDENTITY_FIELD_NUMBER: _ClassVar[int]
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_TYPE_FIELD_NUMBER: _ClassVar[int]
    ENTER_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    FILTER_WELCOME_MSG_FIELD_NUMBER: _ClassVar[int]
    IS_ANCHOR_CONTINUE_KEEP_MSG_FIELD_NUMBER: _ClassVar[int]
    room_id: int
    room_tag: str
    live_region: str
    live_id: int
    identity: str
    cursor: str
    account_type: int
    enter_unique_id: int
    filter_welcome_msg: str
    is_anchor_continue_keep_msg: bool
    def __init__(self, room_id: _Optional[int] = ..., room_tag: _Optional[str] = ..., live_region: _Optional[str] = ..., live_id: _Optional[int] = ..., identity: _Optional[str] = ..., cursor: _Optional[str] = ..., account_type: _Optional[int] = ..., enter_unique_id: _Optional[int] = ..., filter_welcome_msg: _Optional[str] = ..., is_anchor_continue_keep_msg: bool = ...) -> None: ...

class FetchResult(_message.Message):
    __slots__ = ("messages", "cursor", "fetch_interval", "now", "internal_ext", "fetch_type", "route_params", "heartbeat_duration", "need_ack", "push_server", "is_first")
    class RouteParamsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    FETCH_INTERVAL_FIELD_NUMBER: _ClassVar[int]
    NOW_FIELD_NUMBER: _ClassVar[int]
    INTERNAL_EXT_FIELD_NUMBER: _ClassVar[int]
    FETCH_TYPE_FIELD_NUMBER: _ClassVar[int]
    ROUTE_PARAMS_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_DURATION_FIELD_NUMBER: _ClassVar[int]
    NEED_ACK_FIELD_NUMBER: _ClassVar[int]
    PUSH_SERVER_FIELD_NUMBER: _ClassVar[int]
    IS_FIRST_FIELD_NUMBER: _ClassVar[int]
    messages: _containers.RepeatedCompositeFieldContainer[WireMessage]
    cursor: str
    fetch_interval: int
    now: int
    internal_ext: str
    fetch_type: int
    route_params: _containers.ScalarMap[str, str]
    heartbeat_duration: int
    need_ack: bool
    push_server: str
    is_first: bool
    def __init__(self, messages: _Optional[_Iterable[_Union[WireMessage, _Mapping]]] = ..., cursor: _Optional[str] = ..., fetch_interval: _Optional[int] = ..., now: _Optional[int] = ..., internal_ext: _Optional[str] = ..., fetch_type: _Optional[int] = ..., route_params: _Optional[_Mapping[str, str]] = ..., heartbeat_duration: _Optional[int] = ..., need_ack: bool = ..., push_server: _Optional[str] = ..., is_first: bool = ...) -> None: ...

class WireMessage(_message.Message):
    __slots__ = ("method", "payload", "msg_id", "msg_type", "offset", "is_history")
    METHOD_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    MSG_ID_FIELD_NUMBER: _ClassVar[int]
    MSG_TYPE_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    IS_HISTORY_FIELD_NUMBER: _ClassVar[int]
    method: str
    payload: bytes
    msg_id: int
    msg_type: int
    offset: int
    is_history: bool
    def __init__(self, method: _Optional[str] = ..., payload: _Optional[bytes] = ..., msg_id: _Optional[int] = ..., msg_type: _Optional[int] = ..., offset: _Optional[int] = ..., is_history: bool = ...) -> None: ...

class Text(_message.Message):
    __slots__ = ("key", "default_pattern")
    KEY_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_PATTERN_FIELD_NUMBER: _ClassVar[int]
    key: str
    default_pattern: str
    def __init__(self, key: _Optional[str] = ..., default_pattern: _Optional[str] = ...) -> None: ...

class MessageCommon(_message.Message):
    __slots__ = ("method", "msg_id", "room_id", "create_time", "display_text")
    METHOD_FIELD_NUMBER: _ClassVar[int]
    MSG_ID_FIELD_NUMBER: _ClassVar[int]
    ROOM_ID_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_TEXT_FIELD_NUMBER: _ClassVar[int]
    method: str
    msg_id: int
    room_id: int
    create_time: int
    display_text: Text
    def __init__(self, method: _Optional[str] = ..., msg_id: _Optional[int] = ..., room_id: _Optional[int] = ..., create_time: _Optional[int] = ..., display_text: _Optional[_Union[Text, _Mapping]] = ...) -> None: ...

class Image(_message.Message):
    __slots__ = ("url_list",)
    URL_LIST_FIELD_NUMBER: _ClassVar[int]
    url_list: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, url_list: _Optional[_Iterable[str]] = ...) -> None: ...

class FollowInfo(_message.Message):
    __slots__ = ("following_count", "follower_count", "follow_status")
    FOLLOWING_COUNT_FIELD_NUMBER: _ClassVar[int]
    FOLLOWER_COUNT_FIELD_NUMBER: _ClassVar[int]
    FOLLOW_STATUS_FIELD_NUMBER: _ClassVar[int]
    following_count: int
    follower_count: int
    follow_status: int
    def __init__(self, following_count: _Optional[int] = ..., follower_count: _Optional[int] = ..., follow_status: _Optional[int] = ...) -> None: ...

class UserIdentity(_message.Message):
    __slots__ = ("is_gift_giver_of_anchor", "is_subscriber_of_anchor", "is_mutual_following_with_anchor", "is_follower_of_anchor", "is_moderator_of_anchor", "is_anchor")
    IS_GIFT_GIVER_OF_ANCHOR_FIELD_NUMBER: _ClassVar[int]
    IS_SUBSCRIBER_OF_ANCHOR_FIELD_NUMBER: _ClassVar[int]
    IS_MUTUAL_FOLLOWING_WITH_ANCHOR_FIELD_NUMBER: _ClassVar[int]
    IS_FOLLOWER_OF_ANCHOR_FIELD_NUMBER: _ClassVar[int]
    IS_MODERATOR_OF_ANCHOR_FIELD_NUMBER: _ClassVar[int]
    IS_ANCHOR_FIELD_NUMBER: _ClassVar[int]
    is_gift_giver_of_anchor: bool
    is_subscriber_of_anchor: bool
    is_mutual_following_with_anchor: bool
    is_follower_of_anchor: bool
    is_moderator_of_anchor: bool
    is_anchor: bool
    def __init__(self, is_gift_giver_of_anchor: bool = ..., is_subscriber_of_anchor: bool = ..., is_mutual_following_with_anchor: bool = ..., is_follower_of_anchor: bool = ..., is_moderator_of_anchor: bool = ..., is_anchor: bool = ...) -> None: ...

class BadgeStruct(_message.Message):
    __slots__ = ("display_type", "priority_type", "scene_type")
    DISPLAY_TYPE_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_TYPE_FIELD_NUMBER: _ClassVar[int]
    SCENE_TYPE_FIELD_NUMBER: _ClassVar[int]
    display_type: int
    priority_type: int
    scene_type: int
    def __init__(self, display_type: _Optional[int] = ..., priority_type: _Optional[int] = ..., scene_type: _Optional[int] = ...) -> None: ...

class User(_message.Message):
    __slots__ = ("id", "nickname", "avatar_thumb", "verified", "follow_info", "display_id", "sec_uid", "badge_list")
    ID_FIELD_NUMBER: _ClassVar[int]
    NICKNAME_FIELD_NUMBER: _ClassVar[int]
    AVATAR_THUMB_FIELD_NUMBER: _ClassVar[int]
    VERIFIED_FIELD_NUMBER: _ClassVar[int]
    FOLLOW_INFO_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_ID_FIELD_NUMBER: _ClassVar[int]
    SEC_UID_FIELD_NUMBER: _ClassVar[int]
    BADGE_LIST_FIELD_NUMBER: _ClassVar[int]
    id: int
    nickname: str
    avatar_thumb: Image
    verified: bool
    follow_info: FollowInfo
    display_id: str
    sec_uid: str
    badge_list: _containers.RepeatedCompositeFieldContainer[BadgeStruct]
    def __init__(self, id: _Optional[int] = ..., nickname: _Optional[str] = ..., avatar_thumb: _Optional[_Union[Image, _Mapping]] = ..., verified: bool = ..., follow_info: _Optional[_Union[FollowInfo, _Mapping]] = ..., display_id: _Optional[str] = ..., sec_uid: _Optional[str] = ..., badge_list: _Optional[_Iterable[_Union[BadgeStruct, _Mapping]]] = ...) -> None: ...

class Gift(_message.Message):
    __slots__ = ("image", "describe", "id", "type", "diamond_count", "name", "icon")
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    DESCRIBE_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    DIAMOND_COUNT_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ICON_FIELD_NUMBER: _ClassVar[int]
    image: Image
    describe: str
    id: int
    type: int
    diamond_count: int
    name: str
    icon: Image
    def __init__(self, image: _Optional[_Union[Image, _Mapping]] = ..., describe: _Optional[str] = ..., id: _Optional[int] = ..., type: _Optional[int] = ..., diamond_count: _Optional[int] = ..., name: _Optional[str] = ..., icon: _Optional[_Union[Image, _Mapping]] = ...) -> None: ...

class GiftMessage(_message.Message):
    __slots__ = ("common", "gift_id", "repeat_count", "user", "repeat_end", "group_id", "gift", "user_identity")
    COMMON_FIELD_NUMBER: _ClassVar[int]
    GIFT_ID_FIELD_NUMBER: _ClassVar[int]
    REPEAT_COUNT_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    REPEAT_END_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    GIFT_FIELD_NUMBER: _ClassVar[int]
    USER_IDENTITY_FIELD_NUMBER: _ClassVar[int]
    common: MessageCommon
    gift_id: int
    repeat_count: int
    user: User
    repeat_end: int
    group_id: int
    gift: Gift
    user_identity: UserIdentity
    def __init__(self, common: _Optional[_Union[MessageCommon, _Mapping]] = ..., gift_id: _Optional[int] = ..., repeat_count: _Optional[int] = ..., user: _Optional[_Union[User, _Mapping]] = ..., repeat_end: _Optional[int] = ..., group_id: _Optional[int] = ..., gift: _Optional[_Union[Gift, _Mapping]] = ..., user_identity: _Optional[_Union[UserIdentity, _Mapping]] = ...) -> None: ...

class LikeMessage(_message.Message):
    __slots__ = ("common", "count", "total", "user")
    COMMON_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    common: MessageCommon
    count: int
    total: int
    user: User
    def __init__(self, common: _Optional[_Union[MessageCommon, _Mapping]] = ..., count: _Optional[int] = ..., total: _Optional[int] = ..., user: _Optional[_Union[User, _Mapping]] = ...) -> None: ...

class MemberMessage(_message.Message):
    __slots__ = ("common", "user", "member_count", "action")
    COMMON_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    MEMBER_COUNT_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    common: MessageCommon
    user: User
    member_count: int
    action: int
    def __init__(self, common: _Optional[_Union[MessageCommon, _Mapping]] = ..., user: _Optional[_Union[User, _Mapping]] = ..., member_count: _Optional[int] = ..., action: _Optional[int] = ...) -> None: ...

class SocialMessage(_message.Message):
    __slots__ = ("common", "user", "share_type", "action", "follow_count", "share_count")
    COMMON_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    SHARE_TYPE_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    FOLLOW_COUNT_FIELD_NUMBER: _ClassVar[int]
    SHARE_COUNT_FIELD_NUMBER: _ClassVar[int]
    common: MessageCommon
    user: User
    share_type: int
    action: int
    follow_count: int
    share_count: int
    def __init__(self, common: _Optional[_Union[MessageCommon, _Mapping]] = ..., user: _Optional[_Union[User, _Mapping]] = ..., share_type: _Optional[int] = ..., action: _Optional[int] = ..., follow_count: _Optional[int] = ..., share_count: _Optional[int] = ...) -> None: ...

class Contributor(_message.Message):
    __slots__ = ("score", "user", "rank")
    SCORE_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    RANK_FIELD_NUMBER: _ClassVar[int]
    score: int
    user: User
    rank: int
    def __init__(self, score: _Optional[int] = ..., user: _Optional[_Union[User, _Mapping]] = ..., rank: _Optional[int] = ...) -> None: ...

class RoomUserSeqMessage(_message.Message):
    __slots__ = ("common", "ranks", "total", "total_user")
    COMMON_FIELD_NUMBER: _ClassVar[int]
    RANKS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    TOTAL_USER_FIELD_NUMBER: _ClassVar[int]
    common: MessageCommon
    ranks: _containers.RepeatedCompositeFieldContainer[Contributor]
    total: int
    total_user: int
    def __init__(self, common: _Optional[_Union[MessageCommon, _Mapping]] = ..., ranks: _Optional[_Iterable[_Union[Contributor, _Mapping]]] = ..., total: _Optional[int] = ..., total_user: _Optional[int] = ...) -> None: ...

class ChatMessage(_message.Message):
    __slots__ = ("common", "user", "content", "content_language", "user_identity")
    COMMON_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    CONTENT_LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    USER_IDENTITY_FIELD_NUMBER: _ClassVar[int]
    common: MessageCommon
    user: User
    content: str
    content_language: str
    user_identity: UserIdentity
    def __init__(self, common: _Optional[_Union[MessageCommon, _Mapping]] = ..., user: _Optional[_Union[User, _Mapping]] = ..., content: _Optional[str] = ..., content_language: _Optional[str] = ..., user_identity: _Optional[_Union[UserIdentity, _Mapping]] = ...) -> None: ...

class ControlMessage(_message.Message):
    __slots__ = ("common", "action", "tips")
    COMMON_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    TIPS_FIELD_NUMBER: _ClassVar[int]
    common: MessageCommon
    action: int
    tips: str
    def __init__(self, common: _Optional[_Union[MessageCommon, _Mapping]] = ..., action: _Optional[int] = ..., tips: _Optional[str] = ...) -> None: ...

class SubNotifyMessage(_message.Message):
    __slots__ = ("common", "user", "sub_month", "subscribe_type", "message_type")
    COMMON_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    SUB_MONTH_FIELD_NUMBER: _ClassVar[int]
    SUBSCRIBE_TYPE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_TYPE_FIELD_NUMBER: _ClassVar[int]
    common: MessageCommon
    user: User
    sub_month: int
    subscribe_type: int
    message_type: int
    def __init__(self, common: _Optional[_Union[MessageCommon, _Mapping]] = ..., user: _Optional[_Union[User, _Mapping]] = ..., sub_month: _Optional[int] = ..., subscribe_type: _Optional[int] = ..., message_type: _Optional[int] = ...) -> None: ...

class RoomMessage(_message.Message):
    __slots__ = ("common", "content")
    COMMON_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    common: MessageCommon
    content: str
    def __init__(self, common: _Optional[_Union[MessageCommon, _Mapping]] = ..., content: _Optional[str] = ...) -> None: ...

class FetchResultView(_message.Message):
    __slots__ = ("messages", "cursor", "fetch_interval", "now", "internal_ext", "fetch_type", "route_params", "heartbeat_duration", "need_ack", "push_server", "is_first")
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    FETCH_INTERVAL_FIELD_NUMBER: _ClassVar[int]
    NOW_FIELD_NUMBER: _ClassVar[int]
    INTERNAL_EXT_FIELD_NUMBER: _ClassVar[int]
    FETCH_TYPE_FIELD_NUMBER: _ClassVar[int]
    ROUTE_PARAMS_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_DURATION_FIELD_NUMBER: _ClassVar[int]
    NEED_ACK_FIELD_NUMBER: _ClassVar[int]
    PUSH_SERVER_FIELD_NUMBER: _ClassVar[int]
    IS_FIRST_FIELD_NUMBER: _ClassVar[int]
    messages: _containers.RepeatedCompositeFieldContainer[WireMessageView]
    cursor: bytes
    fetch_interval: int
    now: int
    internal_ext: bytes
    fetch_type: int
    route_params: _containers.RepeatedCompositeFieldContainer[RouteParamView]
    heartbeat_duration: int
    need_ack: bool
    push_server: bytes
    is_first: bool
    def __init__(self, messages: _Optional[_Iterable[_Union[WireMessageView, _Mapping]]] = ..., cursor: _Optional[bytes] = ..., fetch_interval: _Optional[int] = ..., now: _Optional[int] = ..., internal_ext: _Optional[bytes] = ..., fetch_type: _Optional[int] = ..., route_params: _Optional[_Iterable[_Union[RouteParamView, _Mapping]]] = ..., heartbeat_duration: _Optional[int] = ..., need_ack: bool = ..., push_server: _Optional[bytes] = ..., is_first: bool = ...) -> None: ...

class RouteParamView(_message.Message):
    __slots__ = ("key", "value")
    KEY_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    key: bytes
    value: bytes
    def __init__(self, key: _Optional[bytes] = ..., value: _Optional[bytes] = ...) -> None: ...

class WireMessageView(_message.Message):
    __slots__ = ("method", "payload", "msg_id", "msg_type", "offset", "is_history")
    METHOD_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    MSG_ID_FIELD_NUMBER: _ClassVar[int]
    MSG_TYPE_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    IS_HISTORY_FIELD_NUMBER: _ClassVar[int]
    method: bytes
    payload: bytes
    msg_id: int
    msg_type: int
    offset: int
    is_history: bool
    def __init__(self, method: _Optional[bytes] = ..., payload: _Optional[bytes] = ..., msg_id: _Optional[int] = ..., msg_type: _Optional[int] = ..., offset: _Optional[int] = ..., is_history: bool = ...) -> None: ...

class TextView(_message.Message):
    __slots__ = ("key", "default_pattern")
    KEY_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_PATTERN_FIELD_NUMBER: _ClassVar[int]
    key: bytes
    default_pattern: bytes
    def __init__(self, key: _Optional[bytes] = ..., default_pattern: _Optional[bytes] = ...) -> None: ...

class MessageCommonView(_message.Message):
    __slots__ = ("method", "msg_id", "room_id", "create_time", "display_text")
    METHOD_FIELD_NUMBER: _ClassVar[int]
    MSG_ID_FIELD_NUMBER: _ClassVar[int]
    ROOM_ID_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_TEXT_FIELD_NUMBER: _ClassVar[int]
    method: bytes
    msg_id: int
    room_id: int
    create_time: int
    display_text: TextView
    def __init__(self, method: _Optional[bytes] = ..., msg_id: _Optional[int] = ..., room_id: _Optional[int] = ..., create_time: _Optional[int] = ..., display_text: _Optional[_Union[TextView, _Mapping]] = ...) -> None: ...

class ImageView(_message.Message):
    __slots__ = ("url_list",)
    URL_LIST_FIELD_NUMBER: _ClassVar[int]
    url_list: _containers.RepeatedScalarFieldContainer[bytes]
    def __init__(self, url_list: _Optional[_Iterable[bytes]] = ...) -> None: ...

class UserView(_message.Message):
    __slots__ = ("id", "nickname", "avatar_thumb", "verified", "follow_info", "display_id", "sec_uid", "badge_list")
    ID_FIELD_NUMBER: _ClassVar[int]
    NICKNAME_FIELD_NUMBER: _ClassVar[int]
    AVATAR_THUMB_FIELD_NUMBER: _ClassVar[int]
    VERIFIED_FIELD_NUMBER: _ClassVar[int]
    FOLLOW_INFO_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_ID_FIELD_NUMBER: _ClassVar[int]
    SEC_UID_FIELD_NUMBER: _ClassVar[int]
    BADGE_LIST_FIELD_NUMBER: _ClassVar[int]
    id: int
    nickname: bytes
    avatar_thumb: ImageView
    verified: bool
    follow_info: FollowInfo
    display_id: bytes
    sec_uid: bytes
    badge_list: _containers.RepeatedScalarFieldContainer[bytes]
    def __init__(self, id: _Optional[int] = ..., nickname: _Optional[bytes] = ..., avatar_thumb: _Optional[_Union[ImageView, _Mapping]] = ..., verified: bool = ..., follow_info: _Optional[_Union[FollowInfo, _Mapping]] = ..., display_id: _Optional[bytes] = ..., sec_uid: _Optional[bytes] = ..., badge_list: _Optional[_Iterable[bytes]] = ...) -> None: ...

class GiftView(_message.Message):
    __slots__ = ("image", "describe", "id", "type", "diamond_count", "name", "icon")
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    DESCRIBE_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    DIAMOND_COUNT_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ICON_FIELD_NUMBER: _ClassVar[int]
    image: ImageView
    describe: bytes
    id: int
    type: int
    diamond_count: int
    name: bytes
    icon: ImageView
    def __init__(self, image: _Optional[_Union[ImageView, _Mapping]] = ..., describe: _Optional[bytes] = ..., id: _Optional[int] = ..., type: _Optional[int] = ..., diamond_count: _Optional[int] = ..., name: _Optional[bytes] = ..., icon: _Optional[_Union[ImageView, _Mapping]] = ...) -> None: ...

class GiftMessageView(_message.Message):
    __slots__ = ("common", "gift_id", "repeat_count", "user", "repeat_end", "group_id", "gift", "user_identity")
    COMMON_FIELD_NUMBER: _ClassVar[int]
    GIFT_ID_FIELD_NUMBER: _ClassVar[int]
    REPEAT_COUNT_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    REPEAT_END_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    GIFT_FIELD_NUMBER: _ClassVar[int]
    USER_IDENTITY_FIELD_NUMBER: _ClassVar[int]
    common: MessageCommonView
    gift_id: int
    repeat_count: int
    user: UserView
    repeat_end: int
    group_id: int
    gift: GiftView
    user_identity: UserIdentity
    def __init__(self, common: _Optional[_Union[MessageCommonView, _Mapping]] = ..., gift_id: _Optional[int] = ..., repeat_count: _Optional[int] = ..., user: _Optional[_Union[UserView, _Mapping]] = ..., repeat_end: _Optional[int] = ..., group_id: _Optional[int] = ..., gift: _Optional[_Union[GiftView, _Mapping]] = ..., user_identity: _Optional[_Union[UserIdentity, _Mapping]] = ...) -> None: ...

class LikeMessageView(_message.Message):
    __slots__ = ("common", "count", "total", "user")
    COMMON_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    common: MessageCommonView
    count: int
    total: int
    user: UserView
    def __init__(self, common: _Optional[_Union[MessageCommonView, _Mapping]] = ..., count: _Optional[int] = ..., total: _Optional[int] = ..., user: _Optional[_Union[UserView, _Mapping]] = ...) -> None: ...

class MemberMessageView(_message.Message):
    __slots__ = ("common", "user", "member_count", "action")
    COMMON_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    MEMBER_COUNT_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    common: MessageCommonView
    user: UserView
    member_count: int
    action: int
    def __init__(self, common: _Optional[_Union[MessageCommonView, _Mapping]] = ..., user: _Optional[_Union[UserView, _Mapping]] = ..., member_count: _Optional[int] = ..., action: _Optional[int] = ...) -> None: ...

class SocialMessageView(_message.Message):
    __slots__ = ("common", "user", "share_type", "action", "follow_count", "share_count")
    COMMON_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    SHARE_TYPE_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    FOLLOW_COUNT_FIELD_NUMBER: _ClassVar[int]
    SHARE_COUNT_FIELD_NUMBER: _ClassVar[int]
    common: MessageCommonView
    user: UserView
    share_type: int
    action: int
    follow_count: int
    share_count: int
    def __init__(self, common: _Optional[_Union[MessageCommonView, _Mapping]] = ..., user: _Optional[_Union[UserView, _Mapping]] = ..., share_type: _Optional[int] = ..., action: _Optional[int] = ..., follow_count: _Optional[int] = ..., share_count: _Optional[int] = ...) -> None: ...

class RoomUserSeqMessageView(_message.Message):
    __slots__ = ("common", "total", "total_user")
    COMMON_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    TOTAL_USER_FIELD_NUMBER: _ClassVar[int]
    common: MessageCommonView
    total: int
    total_user: int
    def __init__(self, common: _Optional[_Union[MessageCommonView, _Mapping]] = ..., total: _Optional[int] = ..., total_user: _Optional[int] = ...) -> None: ...

class ChatMessageView(_message.Message):
    __slots__ = ("common", "user", "content", "content_language", "user_identity")
    COMMON_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    CONTENT_LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    USER_IDENTITY_FIELD_NUMBER: _ClassVar[int]
    common: MessageCommonView
    user: UserView
    content: bytes
    content_language: bytes
    user_identity: UserIdentity
    def __init__(self, common: _Optional[_Union[MessageCommonView, _Mapping]] = ..., user: _Optional[_Union[UserView, _Mapping]] = ..., content: _Optional[bytes] = ..., content_language: _Optional[bytes] = ..., user_identity: _Optional[_Union[UserIdentity, _Mapping]] = ...) -> None: ...

class ControlMessageView(_message.Message):
    __slots__ = ("common", "action", "tips")
    COMMON_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    TIPS_FIELD_NUMBER: _ClassVar[int]
    common: MessageCommonView
    action: int
    tips: bytes
    def __init__(self, common: _Optional[_Union[MessageCommonView, _Mapping]] = ..., action: _Optional[int] = ..., tips: _Optional[bytes] = ...) -> None: ...

class SubNotifyMessageView(_message.Message):
    __slots__ = ("common", "user", "sub_month", "subscribe_type", "message_type")
    COMMON_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    SUB_MONTH_FIELD_NUMBER: _ClassVar[int]
    SUBSCRIBE_TYPE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_TYPE_FIELD_NUMBER: _ClassVar[int]
    common: MessageCommonView
    user: UserView
    sub_month: int
    subscribe_type: int
    message_type: int
    def __init__(self, common: _Optional[_Union[MessageCommonView, _Mapping]] = ..., user: _Optional[_Union[UserView, _Mapping]] = ..., sub_month: _Optional[int] = ..., subscribe_type: _Optional[int] = ..., message_type: _Optional[int] = ...) -> None: ...

class RoomMessageView(_message.Message):
    __slots__ = ("common", "content")
    COMMON_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    common: MessageCommonView
    content: bytes
    def __init__(self, common: _Optional[_Union[MessageCommonView, _Mapping]] = ..., content: _Optional[bytes] = ...) -> None: ...
