"""Settings from the environment, under the names the Slack and Bot Framework ecosystems use."""

from __future__ import annotations

from enum import StrEnum
from ipaddress import ip_network
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class AppType(StrEnum):
    MULTI_TENANT = "MultiTenant"
    SINGLE_TENANT = "SingleTenant"
    USER_ASSIGNED_MSI = "UserAssignedMSI"


class TeamsMode(StrEnum):
    """How `/api/messages` runs (docs/teams.md, "Authentication").

    AUTHENTICATED  MICROSOFT_APP_ID is set: every request needs a valid Bot Framework token.
    LOCAL          no token asked for (the Agents Playground): only when no platform
                   credential of any kind is configured (the quick start), or
                   RAPPORT_TEAMS_LOCAL=on. A WARNING at every start and on /readyz.
    OFF            anything else (Slack only, RAPPORT_TEAMS_LOCAL=off): not mounted, 404.
    """

    AUTHENTICATED = "authenticated"
    LOCAL = "local"
    OFF = "off"


REDIS_SCHEMES = ("redis://", "rediss://", "unix://", "redis+cluster://", "rediss+cluster://",
                 "redis+sentinel://", "rediss+sentinel://")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore", case_sensitive=False)

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_client_id: str | None = None
    slack_client_secret: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    # An app-level token (xapp-, scope connections:write): Socket Mode, a WebSocket out to
    # Slack instead of /slack/events (docs/slack.md, "Socket Mode").
    slack_app_token: SecretStr | None = None
    # False: `rapport serve` only accepts Slack deliveries; `rapport slack-worker` processes them.
    slack_process_inbox: bool = True
    microsoft_app_id: str | None = None
    microsoft_app_password: SecretStr | None = None
    microsoft_app_tenant_id: str | None = None
    # SingleTenant by default: since 2025-07-31 Azure creates no new multi-tenant bots, so a
    # new deployment's bot is single-tenant (or a user-assigned managed identity).
    microsoft_app_type: AppType = AppType.SINGLE_TENANT
    redis_url: SecretStr | None = None
    redis_ca_file: Path | None = None
    # on: start even when Redis keeps no append-only file (a WARNING at every start); managed:
    # the operator vouches that a managed Redis persists every write (docs/deploy.md).
    rapport_allow_volatile_redis: bool = False
    rapport_redis_persistence: Literal["check", "managed"] = "check"
    # Fernet keys (comma separated, newest first) that encrypt Slack tokens at rest; required
    # with SLACK_CLIENT_ID (docs/storage.md, "Tokens at rest").
    rapport_encryption_key: SecretStr | None = None
    # on: Teams without authentication even beside other credentials; off: never local mode
    # (Teams is then off without MICROSOFT_APP_ID); unset: local only with no credential at all.
    rapport_teams_local: bool | None = None
    # Extra Bot Framework service URLs (comma separated URL prefixes) that outbound calls may go
    # to, beside Microsoft's own hosts: a test connector, the Playground on another port.
    rapport_teams_service_urls: Annotated[tuple[str, ...], NoDecode] = ()
    # Teams reports no admin roles in activities: the Teams users (their AAD object ids or
    # 29: ids, comma separated) who may create teams and name managers (docs/privacy.md).
    rapport_teams_admins: Annotated[tuple[str, ...], NoDecode] = ()
    # The public base URL of this server (https://rapport.example.com): links Rapport shows to
    # users (Teams export downloads) are built from it, never from request headers.
    rapport_public_url: str | None = None
    port: Annotated[int, Field(ge=1, le=65535)] = 3978
    rapport_data_dir: Path = Path(".rapport")
    rapport_log_level: str = "INFO"
    rapport_tick: bool = True
    rapport_tick_seconds: Annotated[float, Field(gt=0, le=3600)] = 30.0
    # The HTTP server's guards (docs/reliability.md, "Slow connections"): open connections at
    # most; seconds from a request's first byte to its last header, and for its body; seconds
    # an idle keep-alive connection stays open.
    rapport_max_connections: Annotated[int, Field(ge=1, le=100_000)] = 1000
    rapport_header_timeout: Annotated[float, Field(gt=0, le=300)] = 10.0
    rapport_body_timeout: Annotated[float, Field(gt=0, le=300)] = 10.0
    rapport_keepalive_timeout: Annotated[float, Field(gt=0, le=3600)] = 75.0
    # Reverse proxies (IPs or CIDRs, comma separated) whose X-Forwarded-For names the client;
    # empty: X-Forwarded-For is never believed and the client is the peer address.
    rapport_trusted_proxies: Annotated[tuple[str, ...], NoDecode] = ()

    @field_validator("slack_api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL, e.g. https://slack.com/api/")
        return value if value.endswith("/") else value + "/"

    @field_validator("slack_app_token")
    @classmethod
    def _app_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        if not value.get_secret_value().strip().startswith("xapp-"):
            raise ValueError("must be an app-level token starting with xapp- (Basic Information "
                             "> App-Level Tokens, scope connections:write); a bot token (xoxb-) "
                             "goes in SLACK_BOT_TOKEN")
        return SecretStr(value.get_secret_value().strip())

    @field_validator("microsoft_app_id")
    @classmethod
    def _app_id(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("is set but empty: give the Azure Bot's Microsoft App ID, or unset "
                             "the variable (with MICROSOFT_APP_PASSWORD) to run without Teams")
        return value.strip() if value is not None else None

    @field_validator("rapport_teams_admins", mode="before")
    @classmethod
    def _admins(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part for part in value.replace(",", " ").split() if part)
        return value

    @field_validator("rapport_teams_service_urls", mode="before")
    @classmethod
    def _service_urls(cls, value: object) -> object:
        if isinstance(value, str):
            value = [part for part in value.replace(",", " ").split() if part]
        if isinstance(value, list | tuple):
            for url in value:
                _check_url(str(url), "e.g. http://127.0.0.1:56150/_connector")
        return value

    @field_validator("rapport_trusted_proxies", mode="before")
    @classmethod
    def _proxies(cls, value: object) -> object:
        if isinstance(value, str):
            value = tuple(part for part in value.replace(",", " ").split() if part)
        if isinstance(value, list | tuple):
            for network in value:
                try:
                    ip_network(str(network), strict=False)
                except ValueError:
                    raise ValueError(f"{network!r} is not an IP address or CIDR, "
                                     "e.g. 10.0.0.0/8") from None
        return value

    @field_validator("rapport_public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        _check_url(value, "e.g. https://rapport.example.com")
        parts = urlsplit(value)
        if parts.query or parts.fragment:
            raise ValueError("must be a base URL without ?query or #fragment, "
                             "e.g. https://rapport.example.com")
        return value.rstrip("/")

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        if not value.get_secret_value().startswith(REDIS_SCHEMES):
            raise ValueError("must start with one of " + ", ".join(REDIS_SCHEMES))
        return value

    @field_validator("rapport_encryption_key")
    @classmethod
    def _encryption_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        from adapters.crypto import parse_keys  # cryptography loads only when a key is given

        parse_keys(value.get_secret_value())  # ValueError, worded without the key
        return value

    @field_validator("rapport_log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        if value.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
        return value.upper()

    @field_validator("microsoft_app_type", mode="before")
    @classmethod
    def _app_type(cls, value: object) -> object:
        if isinstance(value, str):
            for member in AppType:
                if member.value.lower() == value.strip().lower():
                    return member
        return value

    @model_validator(mode="after")
    def _pairs(self) -> Settings:
        if not self.microsoft_app_id and self.microsoft_app_password:
            raise ValueError("MICROSOFT_APP_PASSWORD is set but MICROSOFT_APP_ID is not: set "
                             "both (Teams with Bot Framework authentication) or neither")
        if not self.microsoft_app_id and self.microsoft_app_tenant_id:
            raise ValueError("MICROSOFT_APP_TENANT_ID is set but MICROSOFT_APP_ID is not: set "
                             "the app id too, or unset the tenant id")
        if self.microsoft_app_id and self.rapport_teams_local:
            raise ValueError("RAPPORT_TEAMS_LOCAL=on turns Teams authentication off, but "
                             "MICROSOFT_APP_ID is set: unset one of them")
        if self.slack_app_token and not self.slack_bot_token:
            raise ValueError("SLACK_APP_TOKEN (Socket Mode) needs SLACK_BOT_TOKEN too: the "
                             "app token opens the connection, the bot token (xoxb-) answers")
        if self.slack_app_token and self.slack_client_id:
            raise ValueError("SLACK_APP_TOKEN (Socket Mode) is for one workspace: unset "
                             "SLACK_CLIENT_ID and SLACK_CLIENT_SECRET, or the app token to "
                             "serve many workspaces over HTTPS with OAuth")
        if (self.slack_bot_token or self.slack_client_id) and not self.slack_signing_secret \
                and not self.slack_app_token:
            raise ValueError("SLACK_SIGNING_SECRET is required when SLACK_BOT_TOKEN or "
                             "SLACK_CLIENT_ID is set (find it under Basic Information in your "
                             "Slack app's settings)")
        if self.slack_client_id and not self.rapport_encryption_key:
            raise ValueError("RAPPORT_ENCRYPTION_KEY is required with SLACK_CLIENT_ID: Rapport "
                             "stores each workspace's bot token in Redis encrypted with it. "
                             "Make one with `rapport generate-key` (docs/storage.md, \"Tokens "
                             "at rest\")")
        if bool(self.slack_client_id) != bool(self.slack_client_secret):
            raise ValueError("SLACK_CLIENT_ID and SLACK_CLIENT_SECRET go together: set both or "
                             "neither")
        if self.microsoft_app_id and not self.microsoft_app_password and (
                self.microsoft_app_type is not AppType.USER_ASSIGNED_MSI):
            raise ValueError("MICROSOFT_APP_PASSWORD is required when MICROSOFT_APP_ID is set")
        if self.microsoft_app_type is AppType.SINGLE_TENANT and self.microsoft_app_id and (
                not self.microsoft_app_tenant_id):
            raise ValueError("MICROSOFT_APP_TENANT_ID is required: MICROSOFT_APP_TYPE is "
                             "SingleTenant (the default; Azure has created no new multi-tenant "
                             "bots since 2025-07-31). Give the Directory (tenant) ID of the "
                             "bot's app registration, or MICROSOFT_APP_TYPE=MultiTenant for a "
                             "bot registered as multi-tenant before then (docs/teams.md)")
        if not self.microsoft_app_id:
            # No app id, no bot registration to be single-tenant: local mode is botbuilder's
            # anonymous path, which only its MultiTenant configuration takes.
            self.microsoft_app_type = AppType.MULTI_TENANT
        return self

    def credentials(self) -> list[str]:
        """The names of the platform credentials that are configured."""
        given = {"SLACK_BOT_TOKEN": self.slack_bot_token,
                 "SLACK_SIGNING_SECRET": self.slack_signing_secret,
                 "SLACK_CLIENT_ID": self.slack_client_id,
                 "SLACK_CLIENT_SECRET": self.slack_client_secret,
                 "SLACK_APP_TOKEN": self.slack_app_token,
                 "MICROSOFT_APP_ID": self.microsoft_app_id,
                 "MICROSOFT_APP_PASSWORD": self.microsoft_app_password,
                 "MICROSOFT_APP_TENANT_ID": self.microsoft_app_tenant_id}
        return [name for name, value in given.items() if value]

    @property
    def teams_mode(self) -> TeamsMode:
        if self.microsoft_app_id:
            return TeamsMode.AUTHENTICATED
        if self.rapport_teams_local is not None:
            return TeamsMode.LOCAL if self.rapport_teams_local else TeamsMode.OFF
        return TeamsMode.OFF if self.credentials() else TeamsMode.LOCAL


def _check_url(value: str, example: str) -> None:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or "@" in parts.netloc:
        raise ValueError(f"must be an http:// or https:// URL without user info, {example}")


class SettingsError(ValueError):
    """Invalid settings, worded for the operator: which variable, and what is wrong."""


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        lines = []
        for problem in error.errors():
            name = "_".join(str(part) for part in problem["loc"]).upper()
            message = problem["msg"].removeprefix("Value error, ")
            given = problem.get("input")
            shown = f" (got {given!r})" if name and isinstance(given, str) and (
                "SECRET" not in name and "TOKEN" not in name and "PASSWORD" not in name
                and "REDIS_URL" not in name and "KEY" not in name) else ""
            lines.append(f"{name}: {message}{shown}" if name else message)
        raise SettingsError("Invalid settings:\n  " + "\n  ".join(lines)) from None
