"""Config, reconfigure, reauth and options flows of the TikTok LIVE integration."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from homeassistant.config_entries import (
    SOURCE_RECONFIGURE,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlow,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.data_entry_flow import section
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
from homeassistant.helpers.translation import async_get_translations
from yarl import URL as YarlURL

from .compat import vol
from .const import (
    CONF_BUS_EVENT_TYPES,
    CONF_CONNECTION_METHOD,
    CONF_CREATOR,
    CONF_LIKE_MILESTONE,
    CONF_OFFLINE_CHECK_INTERVAL,
    CONF_PROXY_URL,
    CONF_SESSION_ID,
    CONF_SESSION_TRUSTED_HOST,
    CONF_SIGN_API_KEY,
    CONF_SIGN_SERVER_URL,
    CONF_TT_TARGET_IDC,
    CONF_UNIQUE_ID,
    CONF_USER_ID,
    CONF_WEB_URL,
    DEFAULT_BUS_EVENT_TYPES,
    DEFAULT_LIKE_MILESTONE,
    DEFAULT_OFFLINE_CHECK_INTERVAL,
    DOMAIN,
    MAX_OFFLINE_CHECK_INTERVAL,
    MIN_OFFLINE_CHECK_INTERVAL,
    EventType,
)
from .coordinator import TikTokLiveConfigEntry
from .failures import CONF_REAUTH_REASON, REAUTH_SESSION, REAUTH_SESSION_REJECTED
from .methods import ConnectionMethod
from .validation import (
    CONF_ADVANCED,
    CONF_TRUST_SIGN_SERVER,
    async_validate_api_key,
    async_validate_creator,
    async_validate_proxy,
    async_validate_session,
    input_errors,
    proxy_url_error,
    session_errors,
    sign_server_host,
)
from .webcast import DEFAULT_SIGN_SERVER_URL

PASSWORD = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
URL = TextSelector(TextSelectorConfig(type=TextSelectorType.URL))

# The data centre cookie most accounts have (the client's default too).
DEFAULT_TT_TARGET_IDC: Final = "useast1a"
# hassfest keeps URLs out of translations: the example comes in as a placeholder.
PROXY_EXAMPLE: Final = "socks5://user:password@192.168.1.2:1080"
# What a form shows instead of a stored proxy password; sent back unchanged,
# it stands for the stored one.
PROXY_PASSWORD_MASK: Final = "********"
# Errors that reject a typed secret: the form shows that field empty again.
REJECTED_SECRETS: Final = {
    "invalid_api_key": CONF_SIGN_API_KEY,
    "invalid_api_key_format": CONF_SIGN_API_KEY,
    "invalid_session": CONF_SESSION_ID,
    "invalid_session_format": CONF_SESSION_ID,
}


def keep_typed(
    user_input: Mapping[str, Any] | None, errors: Mapping[str, str]
) -> dict[str, Any]:
    """What a form shows again after a failed submit: what was typed.

    Except a secret the errors reject: it is typed anew. Sections are kept as
    the nested dicts the form sent.
    """
    rejected = {REJECTED_SECRETS.get(error) for error in errors.values()}
    return {
        key: value
        for key, value in (user_input or {}).items()
        if key not in rejected and value is not None
    }


def _user_schema(*, expanded: bool) -> vol.Schema:
    return vol.Schema(
        {
            vol.Required(CONF_CREATOR): str,
            vol.Optional(CONF_SIGN_API_KEY): PASSWORD,
            vol.Required(CONF_ADVANCED): section(
                vol.Schema(
                    {
                        vol.Optional(CONF_SIGN_SERVER_URL): URL,
                        vol.Optional(CONF_PROXY_URL): URL,
                    }
                ),
                {"collapsed": not expanded},
            ),
        }
    )


def masked_proxy(url: str | None) -> str | None:
    """The stored proxy as a form shows it: the password masked."""
    if not url:
        return None
    proxy = YarlURL(url)
    if proxy.password is None:
        return url
    return str(proxy.with_password(PROXY_PASSWORD_MASK))


def unmasked_proxy(typed: str | None, stored: str | None) -> str | None:
    """The proxy a form submitted, the masked password replaced by the stored one.

    Only for the same proxy and user: a mask sent to another host is typed
    text, and the check then fails on it.
    """
    if not typed or not stored:
        return typed or None
    try:
        sent, kept = YarlURL(typed), YarlURL(stored)
    except ValueError:
        return typed
    if sent.password != PROXY_PASSWORD_MASK or (
        sent.scheme,
        sent.user,
        sent.host,
        sent.port,
    ) != (kept.scheme, kept.user, kept.host, kept.port):
        return typed
    return str(sent.with_password(kept.password))


def _proxy_options(options: Mapping[str, Any], proxy: str | None) -> dict[str, Any]:
    """Options with ``proxy`` in place of the stored one (None: no proxy)."""
    new = {k: v for k, v in options.items() if k != CONF_PROXY_URL}
    if proxy:
        new[CONF_PROXY_URL] = proxy
    return new


def hidden_endpoints() -> dict[str, str]:
    """TikTok endpoint overrides for new entries: none for users.

    The demo and the tests point entries at the fake TikTok; the URLs live in
    the entry's data and are never part of a form.
    """
    return {}


class TikTokLiveConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add a creator."""

    VERSION = 1
    # 2: gift streak updates are a bus event type, not a switch of their own.
    # 3: goal_reached is an event type.
    MINOR_VERSION = 3

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: TikTokLiveConfigEntry) -> OptionsFlow:
        """Options: how events are fired."""
        return TikTokLiveOptionsFlow()

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the creator and, optionally, a sign server API key."""
        errors: dict[str, str] = {}
        if user_input is not None:
            typed = _flatten(user_input)
            data = {**hidden_endpoints(), **typed}
            # The URL fields are in a section: their errors show above it.
            errors = input_errors(
                typed, url_error_key=CONF_ADVANCED, proxy_error_key=CONF_ADVANCED
            )
            if not errors:
                creator, errors = await async_validate_creator(self.hass, data)
                if creator is not None and data.get(CONF_SIGN_API_KEY):
                    errors = await async_validate_api_key(self.hass, data)
                if creator is not None and not errors:
                    await self.async_set_unique_id(str(creator.user_id))
                    self._abort_if_unique_id_configured()
                    entry_data = {
                        **hidden_endpoints(),
                        CONF_UNIQUE_ID: creator.unique_id,
                        CONF_USER_ID: creator.user_id,
                    }
                    for key in (CONF_SIGN_API_KEY, CONF_SIGN_SERVER_URL):
                        if data.get(key):
                            entry_data[key] = data[key]
                    # The proxy is an option: changing it later needs no reauth.
                    return self.async_create_entry(
                        title=f"@{creator.unique_id}",
                        data=entry_data,
                        options=_proxy_options({}, data.get(CONF_PROXY_URL)),
                    )
        typed_url = bool((user_input or {}).get(CONF_ADVANCED))
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(
                _user_schema(expanded=CONF_ADVANCED in errors or typed_url),
                keep_typed(user_input, errors),
            ),
            errors=errors,
            # hassfest keeps URLs out of translations: they come in as placeholders.
            description_placeholders={
                "live_url_example": "https://www.tiktok.com/@creator/live",
                "default_sign_server": DEFAULT_SIGN_SERVER_URL,
                "proxy_example": PROXY_EXAMPLE,
            },
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the handle (after a rename) or the sign server."""
        entry = self._get_reconfigure_entry()
        # An entry pointed at another TikTok (the demo's fake, through hidden
        # endpoints) keeps its sign server: the form neither shows nor drops it.
        hidden = CONF_WEB_URL in entry.data
        errors: dict[str, str] = {}
        if user_input is not None:
            typed = _flatten(user_input)
            proxy = unmasked_proxy(
                typed.pop(CONF_PROXY_URL, None), entry.options.get(CONF_PROXY_URL)
            )
            # A password field cannot show the stored key: empty keeps it.
            data = {**entry.data, **typed}
            if CONF_SIGN_SERVER_URL not in typed and not hidden:
                # A cleared field means the default sign server.
                data.pop(CONF_SIGN_SERVER_URL, None)
            errors = input_errors({**typed, CONF_PROXY_URL: proxy})
            if not errors:
                # Checked through the proxy it will use.
                checked = {**data, CONF_PROXY_URL: proxy}
                creator, errors = await async_validate_creator(self.hass, checked)
                if creator is not None and typed.get(CONF_SIGN_API_KEY):
                    errors = await async_validate_api_key(self.hass, checked)
                if creator is not None and not errors:
                    await self.async_set_unique_id(str(creator.user_id))
                    self._abort_if_unique_id_mismatch(reason="wrong_account")
                    data.pop(CONF_CREATOR, None)
                    data[CONF_UNIQUE_ID] = creator.unique_id
                    return self._async_update_and_reload(
                        entry,
                        data,
                        title=f"@{creator.unique_id}",
                        options=_proxy_options(entry.options, proxy),
                    )
        shown: dict[str, Any] = {CONF_CREATOR: f"@{entry.data[CONF_UNIQUE_ID]}"}
        if not hidden and entry.data.get(CONF_SIGN_SERVER_URL):
            shown[CONF_SIGN_SERVER_URL] = entry.data[CONF_SIGN_SERVER_URL]
        if entry.options.get(CONF_PROXY_URL):
            shown[CONF_PROXY_URL] = masked_proxy(entry.options[CONF_PROXY_URL])
        schema = vol.Schema(
            {
                vol.Required(CONF_CREATOR): str,
                vol.Optional(CONF_SIGN_API_KEY): PASSWORD,
                vol.Optional(CONF_SIGN_SERVER_URL): URL,
                vol.Optional(CONF_PROXY_URL): URL,
            }
        )
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                schema, {**shown, **keep_typed(user_input, errors)}
            ),
            errors=errors,
            description_placeholders={
                "creator": entry.title,
                "default_sign_server": DEFAULT_SIGN_SERVER_URL,
                "proxy_example": PROXY_EXAMPLE,
            },
        )

    async def async_step_reauth(
        self, entry_data: Mapping[str, Any]
    ) -> ConfigFlowResult:
        """TikTok wants a session (age restriction, or it refused the one set up).

        Or the sign server wants a valid key.
        """
        reason = entry_data.get(CONF_REAUTH_REASON)
        if reason == REAUTH_SESSION:
            await self._async_name_flow("reauth_session")
            return await self.async_step_reauth_session()
        if reason == REAUTH_SESSION_REJECTED:
            await self._async_name_flow("reauth_session_rejected")
            return await self.async_step_reauth_session_rejected()
        await self._async_name_flow("reauth_api_key")
        return await self.async_step_reauth_api_key()

    async def _async_name_flow(self, step_id: str) -> None:
        """Name the flow after what it asks for, as the integrations page lists it.

        Home Assistant names a reauth flow after the entry alone; the
        integration's flow_title adds the title of the step the flow shows.
        """
        translations = await async_get_translations(
            self.hass, self.hass.config.language, "config", [DOMAIN]
        )
        self.context["title_placeholders"] = {
            "name": self._get_reauth_entry().title,
            "problem": translations.get(
                f"component.{DOMAIN}.config.step.{step_id}.title", ""
            ),
        }

    async def async_step_reauth_api_key(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for a new sign server API key."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            key = str(user_input.get(CONF_SIGN_API_KEY) or "").strip()
            errors = input_errors({CONF_SIGN_API_KEY: key})
            if not errors:
                data = {**entry.data, CONF_SIGN_API_KEY: key}
                errors = await async_validate_api_key(self.hass, data)
                if not errors:
                    return self._async_update_and_reload(entry, data)
        return self.async_show_form(
            step_id="reauth_api_key",
            data_schema=self.add_suggested_values_to_schema(
                vol.Schema({vol.Required(CONF_SIGN_API_KEY): PASSWORD}),
                keep_typed(user_input, errors),
            ),
            errors=errors,
            description_placeholders={"creator": entry.title},
        )

    async def async_step_reauth_session(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Age restriction: only a signed-in adult's session sees the stream."""
        return await self._async_session_step(user_input, rejected=False)

    async def async_step_reauth_session_rejected(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """TikTok refused the configured session ("illegal secret key")."""
        return await self._async_session_step(user_input, rejected=True)

    async def _async_session_step(
        self, user_input: dict[str, Any] | None, *, rejected: bool
    ) -> ConfigFlowResult:
        """Ask for a TikTok session, its data centre, and whether the sign server gets it.

        Without the opt-in the session goes to TikTok only: the direct path
        carries it, and the sign server is not used for this entry.
        """
        entry = self._get_reauth_entry()
        host = sign_server_host(entry.data.get(CONF_SIGN_SERVER_URL))
        errors: dict[str, str] = {}
        if user_input is not None:
            typed = {
                CONF_SESSION_ID: str(user_input.get(CONF_SESSION_ID) or "").strip(),
                CONF_TT_TARGET_IDC: str(
                    user_input.get(CONF_TT_TARGET_IDC) or ""
                ).strip()
                or DEFAULT_TT_TARGET_IDC,
            }
            errors = session_errors(typed)
            trusted = bool(user_input.get(CONF_TRUST_SIGN_SERVER))
            if not trusted and (
                entry.options.get(CONF_CONNECTION_METHOD)
                == ConnectionMethod.SIGN_SERVER
            ):
                # The one way this entry may connect needs the session.
                errors[CONF_TRUST_SIGN_SERVER] = "must_trust_sign_server"
            if not errors:
                data = {**entry.data, **typed}
                # Off: the session goes to TikTok only, over the direct path.
                data.pop(CONF_SESSION_TRUSTED_HOST, None)
                if trusted:
                    data[CONF_SESSION_TRUSTED_HOST] = host
                errors = await async_validate_session(self.hass, data)
                if not errors:
                    return self._async_update_and_reload(entry, data)
        schema = vol.Schema(
            {
                vol.Required(CONF_SESSION_ID): PASSWORD,
                vol.Optional(CONF_TT_TARGET_IDC): str,
                vol.Required(CONF_TRUST_SIGN_SERVER, default=False): BooleanSelector(),
            }
        )
        shown = {
            CONF_TT_TARGET_IDC: entry.data.get(
                CONF_TT_TARGET_IDC, DEFAULT_TT_TARGET_IDC
            ),
            # What the user chose before stays chosen.
            CONF_TRUST_SIGN_SERVER: entry.data.get(CONF_SESSION_TRUSTED_HOST) == host,
            **keep_typed(user_input, errors),
        }
        return self.async_show_form(
            step_id="reauth_session_rejected" if rejected else "reauth_session",
            data_schema=self.add_suggested_values_to_schema(schema, shown),
            errors=errors,
            description_placeholders={"creator": entry.title, "sign_server": host},
        )

    def _async_update_and_reload(
        self,
        entry: TikTokLiveConfigEntry,
        data: Mapping[str, Any],
        *,
        title: str | None = None,
        options: Mapping[str, Any] | None = None,
    ) -> ConfigFlowResult:
        """Store the new data and start the entry over with it."""
        async_update_and_reload(self.hass, entry, data, title=title, options=options)
        reason = (
            "reconfigure_successful"
            if self.source == SOURCE_RECONFIGURE
            else "reauth_successful"
        )
        return self.async_abort(reason=reason)


@callback
def async_update_and_reload(
    hass: HomeAssistant,
    entry: TikTokLiveConfigEntry,
    data: Mapping[str, Any],
    *,
    title: str | None = None,
    options: Mapping[str, Any] | None = None,
) -> None:
    """Update an entry and reload it exactly once.

    A loaded entry reloads through its update listener; one that failed to set
    up has no listener, so it is reloaded here.
    """
    kwargs: dict[str, Any] = {"data": dict(data)}
    if title is not None:
        kwargs["title"] = title
    if options is not None:
        kwargs["options"] = dict(options)
    changed = hass.config_entries.async_update_entry(entry, **kwargs)
    if not changed or not entry.update_listeners:
        hass.config_entries.async_schedule_reload(entry.entry_id)


def _flatten(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """Lift the advanced section's fields to the top level, trimmed.

    An empty key or URL is left out: no key (or the stored one), the default
    sign server, no proxy.
    """
    data = {k: v for k, v in user_input.items() if k != CONF_ADVANCED}
    data.update(user_input.get(CONF_ADVANCED) or {})
    for key in (CONF_CREATOR, CONF_SIGN_API_KEY, CONF_SIGN_SERVER_URL, CONF_PROXY_URL):
        if isinstance(data.get(key), str):
            data[key] = data[key].strip()
    for key in (CONF_SIGN_SERVER_URL, CONF_PROXY_URL):
        if isinstance(data.get(key), str):
            data[key] = data[key].rstrip("/")
    for key in (CONF_SIGN_API_KEY, CONF_SIGN_SERVER_URL, CONF_PROXY_URL):
        if not data.get(key):
            data.pop(key, None)
    return data


class TikTokLiveOptionsFlow(OptionsFlow):
    """Which events are fired (and so stored), how to connect, and how often to check."""

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show and store the options; a new proxy is tried before it is kept."""
        entry = self.config_entry
        errors: dict[str, str] = {}
        if user_input is not None:
            options = dict(user_input)
            options[CONF_LIKE_MILESTONE] = int(options[CONF_LIKE_MILESTONE])
            options[CONF_OFFLINE_CHECK_INTERVAL] = int(
                options[CONF_OFFLINE_CHECK_INTERVAL]
            )
            typed = str(options.pop(CONF_PROXY_URL, None) or "").strip().rstrip("/")
            proxy = unmasked_proxy(typed, entry.options.get(CONF_PROXY_URL))
            malformed = proxy_url_error(proxy or "")
            if malformed:
                errors[CONF_PROXY_URL] = malformed
            elif proxy and proxy != entry.options.get(CONF_PROXY_URL):
                # A failed check through a new proxy is the proxy's to fix.
                checked = {**entry.data, CONF_PROXY_URL: proxy}
                for failed in (await async_validate_proxy(self.hass, checked)).values():
                    errors[CONF_PROXY_URL] = failed
            if not errors:
                return self.async_create_entry(data=_proxy_options(options, proxy))
        schema = vol.Schema(
            {
                vol.Required(
                    CONF_BUS_EVENT_TYPES, default=list(DEFAULT_BUS_EVENT_TYPES)
                ): SelectSelector(
                    SelectSelectorConfig(
                        options=[t.value for t in EventType],
                        multiple=True,
                        translation_key=CONF_BUS_EVENT_TYPES,
                    )
                ),
                vol.Required(
                    CONF_CONNECTION_METHOD, default=ConnectionMethod.AUTOMATIC
                ): SelectSelector(
                    SelectSelectorConfig(
                        options=[m.value for m in ConnectionMethod],
                        translation_key=CONF_CONNECTION_METHOD,
                    )
                ),
                vol.Optional(CONF_PROXY_URL): URL,
                vol.Required(
                    CONF_LIKE_MILESTONE, default=DEFAULT_LIKE_MILESTONE
                ): NumberSelector(
                    NumberSelectorConfig(
                        min=0, max=1_000_000, step=1, mode=NumberSelectorMode.BOX
                    )
                ),
                vol.Required(
                    CONF_OFFLINE_CHECK_INTERVAL, default=DEFAULT_OFFLINE_CHECK_INTERVAL
                ): NumberSelector(
                    NumberSelectorConfig(
                        min=MIN_OFFLINE_CHECK_INTERVAL,
                        max=MAX_OFFLINE_CHECK_INTERVAL,
                        step=1,
                        unit_of_measurement="s",
                        mode=NumberSelectorMode.BOX,
                    )
                ),
            }
        )
        shown = dict(entry.options)
        if entry.options.get(CONF_PROXY_URL):
            shown[CONF_PROXY_URL] = masked_proxy(entry.options[CONF_PROXY_URL])
        shown.update(keep_typed(user_input, errors))
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(schema, shown),
            errors=errors,
            description_placeholders={"proxy_example": PROXY_EXAMPLE},
        )
