"""Config, reconfigure, reauth and options flows of the TikTok LIVE integration."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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

from .compat import vol
from .const import (
    CONF_BUS_EVENT_TYPES,
    CONF_CREATOR,
    CONF_GIFT_STREAK_UPDATES,
    CONF_LIKE_MILESTONE,
    CONF_OFFLINE_CHECK_INTERVAL,
    CONF_SESSION_ID,
    CONF_SESSION_TRUSTED_HOST,
    CONF_SIGN_API_KEY,
    CONF_SIGN_SERVER_URL,
    CONF_TT_TARGET_IDC,
    CONF_UNIQUE_ID,
    CONF_USER_ID,
    CONF_WEB_URL,
    DEFAULT_BUS_EVENT_TYPES,
    DEFAULT_GIFT_STREAK_UPDATES,
    DEFAULT_LIKE_MILESTONE,
    DEFAULT_OFFLINE_CHECK_INTERVAL,
    DOMAIN,
    MAX_OFFLINE_CHECK_INTERVAL,
    MIN_OFFLINE_CHECK_INTERVAL,
    EventType,
)
from .coordinator import TikTokLiveConfigEntry
from .failures import CONF_REAUTH_REASON, REAUTH_SESSION, REAUTH_SESSION_REJECTED
from .validation import (
    CONF_ADVANCED,
    CONF_TRUST_SIGN_SERVER,
    async_validate_api_key,
    async_validate_creator,
    async_validate_session,
    sign_server_host,
)
from .webcast import DEFAULT_SIGN_SERVER_URL

PASSWORD = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
URL = TextSelector(TextSelectorConfig(type=TextSelectorType.URL))


def _user_schema(defaults: Mapping[str, Any]) -> vol.Schema:
    return vol.Schema(
        {
            vol.Required(CONF_CREATOR, default=defaults.get(CONF_CREATOR, "")): str,
            vol.Optional(CONF_SIGN_API_KEY): PASSWORD,
            vol.Required(CONF_ADVANCED): section(
                vol.Schema(
                    {
                        vol.Optional(
                            CONF_SIGN_SERVER_URL,
                            description={
                                "suggested_value": defaults.get(CONF_SIGN_SERVER_URL)
                            },
                        ): URL
                    }
                ),
                {"collapsed": True},
            ),
        }
    )


def hidden_endpoints() -> dict[str, str]:
    """TikTok endpoint overrides for new entries: none for users.

    The demo and the tests point entries at the fake TikTok; the URLs live in
    the entry's data and are never part of a form.
    """
    return {}


class TikTokLiveConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add a creator."""

    VERSION = 1

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
            data = {**hidden_endpoints(), **_flatten(user_input)}
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
                return self.async_create_entry(
                    title=f"@{creator.unique_id}", data=entry_data
                )
        return self.async_show_form(
            step_id="user",
            data_schema=_user_schema(_flatten(user_input or {})),
            errors=errors,
            # hassfest keeps URLs out of translations: they come in as placeholders.
            description_placeholders={
                "live_url_example": "https://www.tiktok.com/@creator/live",
                "default_sign_server": DEFAULT_SIGN_SERVER_URL,
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
            data = {**entry.data, **_flatten(user_input)}
            if not user_input.get(CONF_SIGN_SERVER_URL) and not hidden:
                # A cleared field means the default sign server.
                data.pop(CONF_SIGN_SERVER_URL, None)
            if not user_input.get(CONF_SIGN_API_KEY):
                # A password field cannot show the stored key: empty keeps it.
                data[CONF_SIGN_API_KEY] = entry.data.get(CONF_SIGN_API_KEY)
                if not data[CONF_SIGN_API_KEY]:
                    data.pop(CONF_SIGN_API_KEY)
            creator, errors = await async_validate_creator(self.hass, data)
            if creator is not None and user_input.get(CONF_SIGN_API_KEY):
                errors = await async_validate_api_key(self.hass, data)
            if creator is not None and not errors:
                await self.async_set_unique_id(str(creator.user_id))
                self._abort_if_unique_id_mismatch(reason="wrong_account")
                data.pop(CONF_CREATOR, None)
                data[CONF_UNIQUE_ID] = creator.unique_id
                return self._async_update_and_reload(
                    entry, data, title=f"@{creator.unique_id}"
                )
        defaults = {
            CONF_CREATOR: f"@{entry.data[CONF_UNIQUE_ID]}",
            CONF_SIGN_SERVER_URL: None
            if hidden
            else entry.data.get(CONF_SIGN_SERVER_URL),
        }
        schema = vol.Schema(
            {
                vol.Required(CONF_CREATOR, default=defaults[CONF_CREATOR]): str,
                vol.Optional(CONF_SIGN_API_KEY): PASSWORD,
                vol.Optional(
                    CONF_SIGN_SERVER_URL,
                    description={"suggested_value": defaults[CONF_SIGN_SERVER_URL]},
                ): URL,
            }
        )
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=schema,
            errors=errors,
            description_placeholders={
                "creator": entry.title,
                "default_sign_server": DEFAULT_SIGN_SERVER_URL,
            },
        )

    async def async_step_reauth(
        self, entry_data: Mapping[str, Any]
    ) -> ConfigFlowResult:
        """TikTok wants a session (age restriction) or the sign server a valid key."""
        if entry_data.get(CONF_REAUTH_REASON) in (
            REAUTH_SESSION,
            REAUTH_SESSION_REJECTED,
        ):
            return await self.async_step_reauth_session()
        return await self.async_step_reauth_api_key()

    async def async_step_reauth_api_key(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for a new sign server API key."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {**entry.data, CONF_SIGN_API_KEY: user_input[CONF_SIGN_API_KEY]}
            errors = await async_validate_api_key(self.hass, data)
            if not errors:
                return self._async_update_and_reload(entry, data)
        return self.async_show_form(
            step_id="reauth_api_key",
            data_schema=vol.Schema({vol.Required(CONF_SIGN_API_KEY): PASSWORD}),
            errors=errors,
            description_placeholders={"creator": entry.title},
        )

    async def async_step_reauth_session(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for a TikTok session: age-restricted streams need a signed-in viewer."""
        entry = self._get_reauth_entry()
        host = sign_server_host(entry.data.get(CONF_SIGN_SERVER_URL))
        errors: dict[str, str] = {}
        if user_input is not None:
            if not user_input.get(CONF_TRUST_SIGN_SERVER):
                errors[CONF_TRUST_SIGN_SERVER] = "must_trust_sign_server"
            else:
                data = {
                    **entry.data,
                    CONF_SESSION_ID: user_input[CONF_SESSION_ID].strip(),
                    CONF_TT_TARGET_IDC: user_input.get(CONF_TT_TARGET_IDC)
                    or "useast1a",
                    CONF_SESSION_TRUSTED_HOST: host,
                }
                errors = await async_validate_session(self.hass, data)
                if not errors:
                    return self._async_update_and_reload(entry, data)
        schema = vol.Schema(
            {
                vol.Required(CONF_SESSION_ID): PASSWORD,
                vol.Optional(
                    CONF_TT_TARGET_IDC,
                    default=entry.data.get(CONF_TT_TARGET_IDC, "useast1a"),
                ): str,
                vol.Required(CONF_TRUST_SIGN_SERVER, default=False): BooleanSelector(),
            }
        )
        return self.async_show_form(
            step_id="reauth_session",
            data_schema=schema,
            errors=errors,
            description_placeholders={"creator": entry.title, "sign_server": host},
        )

    def _async_update_and_reload(
        self,
        entry: TikTokLiveConfigEntry,
        data: Mapping[str, Any],
        *,
        title: str | None = None,
    ) -> ConfigFlowResult:
        """Store the new data and start the entry over with it."""
        async_update_and_reload(self.hass, entry, data, title=title)
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
) -> None:
    """Update an entry and reload it exactly once.

    A loaded entry reloads through its update listener; one that failed to set
    up has no listener, so it is reloaded here.
    """
    kwargs: dict[str, Any] = {"data": dict(data)}
    if title is not None:
        kwargs["title"] = title
    changed = hass.config_entries.async_update_entry(entry, **kwargs)
    if not changed or not entry.update_listeners:
        hass.config_entries.async_schedule_reload(entry.entry_id)


def _flatten(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """Lift the advanced section's fields to the top level."""
    data = {k: v for k, v in user_input.items() if k != CONF_ADVANCED}
    data.update(user_input.get(CONF_ADVANCED) or {})
    if isinstance(data.get(CONF_SIGN_API_KEY), str):
        data[CONF_SIGN_API_KEY] = data[CONF_SIGN_API_KEY].strip()
    if isinstance(data.get(CONF_SIGN_SERVER_URL), str):
        data[CONF_SIGN_SERVER_URL] = data[CONF_SIGN_SERVER_URL].strip().rstrip("/")
    return data


class TikTokLiveOptionsFlow(OptionsFlow):
    """How gifts, likes and bus events are handled."""

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show and store the options."""
        if user_input is not None:
            user_input[CONF_LIKE_MILESTONE] = int(user_input[CONF_LIKE_MILESTONE])
            user_input[CONF_OFFLINE_CHECK_INTERVAL] = int(
                user_input[CONF_OFFLINE_CHECK_INTERVAL]
            )
            return self.async_create_entry(data=user_input)
        schema = vol.Schema(
            {
                vol.Required(
                    CONF_GIFT_STREAK_UPDATES, default=DEFAULT_GIFT_STREAK_UPDATES
                ): BooleanSelector(),
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
                vol.Required(
                    CONF_BUS_EVENT_TYPES, default=list(DEFAULT_BUS_EVENT_TYPES)
                ): SelectSelector(
                    SelectSelectorConfig(
                        options=[t.value for t in EventType],
                        multiple=True,
                        translation_key=CONF_BUS_EVENT_TYPES,
                    )
                ),
            }
        )
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(
                schema, self.config_entry.options
            ),
        )
