"""Repair flows: fix what stops a creator's stream from connecting."""

from __future__ import annotations

from typing import Any

from homeassistant.components.repairs import ConfirmRepairFlow, RepairsFlow
from homeassistant.core import HomeAssistant
from homeassistant.helpers.selector import (
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)

from .api import sign_server_host
from .compat import FixFlowResult, vol
from .config_flow import async_update_and_reload, keep_typed
from .const import (
    CONF_CREATOR,
    CONF_SESSION_ID,
    CONF_SESSION_TRUSTED_HOST,
    CONF_SIGN_API_KEY,
    CONF_SIGN_SERVER_URL,
    CONF_TT_TARGET_IDC,
    CONF_UNIQUE_ID,
    DOMAIN,
)
from .coordinator import TikTokLiveConfigEntry
from .failures import (
    ISSUE_PREMIUM_REQUIRED,
    ISSUE_SESSION_NOT_TRUSTED,
    ISSUE_USER_NOT_FOUND,
)
from .validation import async_validate_api_key, async_validate_creator, input_errors


class _EntryRepairFlow(RepairsFlow):
    """A repair of one config entry."""

    def __init__(self, entry: TikTokLiveConfigEntry) -> None:
        self._entry = entry

    @property
    def _placeholders(self) -> dict[str, str]:
        return {
            "creator": self._entry.title,
            "sign_server": sign_server_host(self._entry.data.get(CONF_SIGN_SERVER_URL)),
        }

    def _done(self, data: dict[str, Any], title: str | None = None) -> FixFlowResult:
        async_update_and_reload(self.hass, self._entry, data, title=title)
        return self.async_create_entry(data={})


class UserNotFoundRepairFlow(_EntryRepairFlow):
    """The handle is gone: take the account's new handle."""

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> FixFlowResult:
        """Start with the form (the flow manager's init data is not user input)."""
        return await self.async_step_new_handle()

    async def async_step_new_handle(
        self, user_input: dict[str, Any] | None = None
    ) -> FixFlowResult:
        """Ask for the new handle and check it is the same account."""
        errors: dict[str, str] = {}
        if user_input is not None:
            typed = str(user_input.get(CONF_CREATOR) or "").strip()
            data = {**self._entry.data, CONF_CREATOR: typed}
            creator, errors = await async_validate_creator(self.hass, data)
            if creator is not None:
                if str(creator.user_id) != self._entry.unique_id:
                    errors = {CONF_CREATOR: "wrong_account"}
                else:
                    data.pop(CONF_CREATOR)
                    data[CONF_UNIQUE_ID] = creator.unique_id
                    return self._done(data, title=f"@{creator.unique_id}")
        return self.async_show_form(
            step_id="new_handle",
            data_schema=self.add_suggested_values_to_schema(
                vol.Schema({vol.Required(CONF_CREATOR): str}),
                keep_typed(user_input, errors),
            ),
            errors=errors,
            description_placeholders=self._placeholders,
        )


class PremiumKeyRepairFlow(_EntryRepairFlow):
    """The sign server wants a (premium) API key."""

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> FixFlowResult:
        """Start with the form (the flow manager's init data is not user input)."""
        return await self.async_step_api_key()

    async def async_step_api_key(
        self, user_input: dict[str, Any] | None = None
    ) -> FixFlowResult:
        """Ask for the key and check the sign server accepts it."""
        errors: dict[str, str] = {}
        if user_input is not None:
            key = str(user_input.get(CONF_SIGN_API_KEY) or "").strip()
            errors = input_errors({CONF_SIGN_API_KEY: key})
            if not errors:
                data = {**self._entry.data, CONF_SIGN_API_KEY: key}
                errors = await async_validate_api_key(self.hass, data)
                if not errors:
                    return self._done(data)
        return self.async_show_form(
            step_id="api_key",
            data_schema=self.add_suggested_values_to_schema(
                vol.Schema(
                    {
                        vol.Required(CONF_SIGN_API_KEY): TextSelector(
                            TextSelectorConfig(type=TextSelectorType.PASSWORD)
                        )
                    }
                ),
                keep_typed(user_input, errors),
            ),
            errors=errors,
            description_placeholders=self._placeholders,
        )


class SessionTrustRepairFlow(_EntryRepairFlow):
    """A TikTok session would go to a sign server nobody opted in for."""

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> FixFlowResult:
        """Explain the risk and offer both ways out."""
        return self.async_show_menu(
            step_id="init",
            menu_options=["trust_sign_server", "remove_session"],
            description_placeholders=self._placeholders,
        )

    async def async_step_trust_sign_server(
        self, user_input: dict[str, Any] | None = None
    ) -> FixFlowResult:
        """Opt in: this sign server may receive the session."""
        if user_input is not None:
            host = sign_server_host(self._entry.data.get(CONF_SIGN_SERVER_URL))
            return self._done({**self._entry.data, CONF_SESSION_TRUSTED_HOST: host})
        return self.async_show_form(
            step_id="trust_sign_server",
            data_schema=vol.Schema({}),
            description_placeholders=self._placeholders,
        )

    async def async_step_remove_session(
        self, user_input: dict[str, Any] | None = None
    ) -> FixFlowResult:
        """Forget the session: age-restricted streams will ask for one again."""
        data = {
            key: value
            for key, value in self._entry.data.items()
            if key
            not in (CONF_SESSION_ID, CONF_SESSION_TRUSTED_HOST, CONF_TT_TARGET_IDC)
        }
        return self._done(data)


async def async_create_fix_flow(
    hass: HomeAssistant, issue_id: str, data: dict[str, str | int | float | None] | None
) -> RepairsFlow:
    """Create the flow that fixes an issue."""
    entry_id = str((data or {}).get("entry_id"))
    entry: TikTokLiveConfigEntry | None = hass.config_entries.async_get_entry(entry_id)
    issue = (data or {}).get("issue")
    if entry is not None and entry.domain == DOMAIN:
        if issue == ISSUE_USER_NOT_FOUND:
            return UserNotFoundRepairFlow(entry)
        if issue == ISSUE_PREMIUM_REQUIRED:
            return PremiumKeyRepairFlow(entry)
        if issue == ISSUE_SESSION_NOT_TRUSTED:
            return SessionTrustRepairFlow(entry)
    return ConfirmRepairFlow()
