"""Configuration from environment variables (and CLI flags, which win).

Every variable is documented in the README (Configuration; Serving over HTTP). A bad value refuses to
start before any credential is used: `ConfigError` carries one line for the CLI to print.

A plain pydantic model read from `os.environ` by `load_settings`: a settings framework would
cost every start-up its import for what a dozen lines do here.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator, model_validator

from sinch_provisioning_mcp.api.errors import UrlNotAllowedError
from sinch_provisioning_mcp.guardrails.urls import check_url
from sinch_provisioning_mcp.sandbox.faults import parse_faults

DEFAULT_PROVISIONING_URL = "https://provisioning.api.sinch.com"
DEFAULT_AUTH_URL = "https://auth.sinch.com/oauth2/token"
# An API key is a bearer credential over the network: long enough not to be guessed.
MIN_API_KEY_LENGTH = 32
# Enough to rotate; each key is also a credential the redactor holds for the process lifetime.
MAX_API_KEYS = 8
# Replicas derive their shared keys (confirmation tokens, request state, fences) from SINCH_MCP_CONFIRM_SECRET.
MIN_SHARED_SECRET_LENGTH = 32


class ConfigError(Exception):
    """A configuration the server refuses to start with."""


class Settings(BaseModel):
    # Each field's alias is its environment variable; code (and the CLI) may also give it by name.
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    project_id: str | None = Field(None, alias="SINCH_PROJECT_ID")
    key_id: SecretStr | None = Field(None, alias="SINCH_KEY_ID")
    key_secret: SecretStr | None = Field(None, alias="SINCH_KEY_SECRET")
    access_token: SecretStr | None = Field(None, alias="SINCH_ACCESS_TOKEN")
    auth_mode: Literal["oauth", "basic"] = Field("oauth", alias="SINCH_AUTH_MODE")
    provisioning_url: str = Field(DEFAULT_PROVISIONING_URL, alias="SINCH_PROVISIONING_URL")
    auth_url: str = Field(DEFAULT_AUTH_URL, alias="SINCH_AUTH_URL")
    allow_loopback: bool = Field(False, alias="SINCH_ALLOW_LOOPBACK")

    sandbox: bool = Field(False, alias="SINCH_MCP_SANDBOX")
    # Lets any client watch an access token expire in seconds against the embedded sandbox.
    sandbox_token_lifetime: int = Field(3599, ge=1, le=86_400, alias="SINCH_SANDBOX_TOKEN_LIFETIME")
    # How long its reviews take, so an interactive session (or a test) sees states move.
    sandbox_transition_delay: float = Field(5.0, ge=0, le=3600, alias="SINCH_SANDBOX_TRANSITION_DELAY")
    # Failures the embedded sandbox injects from the start (a JSON list, sandbox/faults.py): load and chaos runs.
    sandbox_faults: str | None = Field(None, alias="SINCH_SANDBOX_FAULTS")
    toolsets: list[str] | None = Field(None, alias="SINCH_MCP_TOOLSETS")
    read_only: bool = Field(False, alias="SINCH_MCP_READ_ONLY")
    mode: Literal["full", "compact"] = Field("full", alias="SINCH_MCP_MODE")
    confirm: Literal["auto", "elicitation"] = Field("auto", alias="SINCH_MCP_CONFIRM")
    confirm_secret: SecretStr | None = Field(None, alias="SINCH_MCP_CONFIRM_SECRET")
    confirm_ttl_seconds: int = Field(300, ge=10, le=3600, alias="SINCH_MCP_CONFIRM_TTL_SECONDS")
    state_dir: Path | None = Field(None, alias="SINCH_MCP_STATE_DIR")
    # Hosted mode (state/redis.py): replicas share the confirmation ledger, received events, webhook
    # nonces and the OAuth token through Redis (or Valkey). A URL may carry a password: a secret.
    redis_url: SecretStr | None = Field(None, alias="SINCH_MCP_REDIS_URL")
    # WARNING by default: INFO adds a line per API call (and, over HTTP, per request), which costs
    # every call its building, redaction and write (benchmarks/: about 0.1 ms of CPU).
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field("WARNING", alias="SINCH_MCP_LOG_LEVEL")

    # The HTTP transport (server/http.py); the README's "Serving over HTTP" says what each defends.
    api_keys: list[SecretStr] = Field([], alias="SINCH_MCP_API_KEYS")
    allowed_hosts: list[str] = Field([], alias="SINCH_MCP_ALLOWED_HOSTS")
    allowed_origins: list[str] = Field([], alias="SINCH_MCP_ALLOWED_ORIGINS")
    http_max_body_bytes: int = Field(1_048_576, ge=1024, le=67_108_864, alias="SINCH_MCP_HTTP_MAX_BODY_BYTES")
    http_max_sessions: int = Field(100, ge=1, le=100_000, alias="SINCH_MCP_HTTP_MAX_SESSIONS")
    http_max_connections: int = Field(200, ge=2, le=100_000, alias="SINCH_MCP_HTTP_MAX_CONNECTIONS")
    http_header_timeout_seconds: float = Field(10.0, gt=0, le=300, alias="SINCH_MCP_HTTP_HEADER_TIMEOUT_SECONDS")
    http_shutdown_seconds: int = Field(30, ge=1, le=3600, alias="SINCH_MCP_HTTP_SHUTDOWN_SECONDS")
    # What each call costs over HTTP (README "Serving over HTTP", benchmarks/): a JSON body instead
    # of an SSE stream, no sessions, no access-log line per request.
    http_json_response: bool = Field(False, alias="SINCH_MCP_HTTP_JSON_RESPONSE")
    # Unset: stateless exactly when replicas share state through Redis (no session lives in one replica).
    http_stateless: bool | None = Field(None, alias="SINCH_MCP_HTTP_STATELESS")
    http_access_log: bool = Field(True, alias="SINCH_MCP_HTTP_ACCESS_LOG")
    # Provisioning events received over HTTP (server/receiver.py): the webhook secret(s), the first one
    # used to subscribe, the others still accepted during a rotation; and where Sinch can reach /events.
    events_secret: list[SecretStr] = Field([], alias="SINCH_MCP_EVENTS_SECRET")
    public_url: str | None = Field(None, alias="SINCH_MCP_PUBLIC_URL")

    @field_validator("toolsets", mode="before")
    @classmethod
    def _split_toolsets(cls, value: object) -> object:
        if isinstance(value, str):
            return [name.strip() for name in value.split(",") if name.strip()] or None
        return value

    @field_validator("api_keys", "allowed_hosts", "allowed_origins", "events_secret", mode="before")
    @classmethod
    def _split_list(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("api_keys")
    @classmethod
    def _strong_keys(cls, keys: list[SecretStr]) -> list[SecretStr]:
        if len(keys) > MAX_API_KEYS:
            raise ValueError(f"at most {MAX_API_KEYS} keys (two or three are enough to rotate)")
        for number, key in enumerate(keys, 1):
            text = key.get_secret_value()
            # Never the key itself in the message: which one, and what is wrong.
            if len(text) < MIN_API_KEY_LENGTH or not text.isascii() or not text.isprintable() or " " in text:
                raise ValueError(
                    f"key {number} must be at least {MIN_API_KEY_LENGTH} printable ASCII characters without spaces "
                    "(e.g. the output of `openssl rand -hex 32`)"
                )
        return keys

    @field_validator("events_secret")
    @classmethod
    def _webhook_secrets(cls, secrets: list[SecretStr]) -> list[SecretStr]:
        for number, secret in enumerate(secrets, 1):
            # A provisioning webhook's secret is 1..128 characters; shorter than 16 is guessable.
            if not 16 <= len(secret.get_secret_value()) <= 128:
                raise ValueError(f"secret {number} must be 16 to 128 characters")
        return secrets

    @field_validator("sandbox_faults")
    @classmethod
    def _faults(cls, value: str | None) -> str | None:
        if value is not None:
            parse_faults(value)
        return value

    @field_validator("public_url")
    @classmethod
    def _absolute_http_url(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", value):
            raise ValueError("must be an absolute http(s) URL without query or fragment, e.g. https://mcp.example.com")
        return value

    @field_validator("provisioning_url", "auth_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @model_validator(mode="after")
    def _first_party_urls(self) -> Settings:
        for name, url in (("SINCH_PROVISIONING_URL", self.provisioning_url), ("SINCH_AUTH_URL", self.auth_url)):
            try:
                check_url(url, allow_loopback=self.allow_loopback)
            except UrlNotAllowedError as exc:
                raise ValueError(f"{name}: {exc}") from None
        return self

    @model_validator(mode="after")
    def _hosted(self) -> Settings:
        if self.redis_url is None:
            return self
        if not re.fullmatch(r"(rediss?|unix)://\S+", self.redis_url.get_secret_value()):
            raise ValueError("SINCH_MCP_REDIS_URL: must be a redis://, rediss:// or unix:// URL")
        secret = self.confirm_secret.get_secret_value() if self.confirm_secret else ""
        if len(secret) < MIN_SHARED_SECRET_LENGTH:
            raise ValueError(
                f"SINCH_MCP_REDIS_URL needs SINCH_MCP_CONFIRM_SECRET, the same on every replica, at least "
                f"{MIN_SHARED_SECRET_LENGTH} characters (e.g. the output of `openssl rand -hex 32`)"
            )
        if self.state_dir is not None:
            raise ValueError("SINCH_MCP_REDIS_URL and SINCH_MCP_STATE_DIR: set one (Redis keeps the confirmation ledger)")
        if self.http_stateless is False:
            raise ValueError("SINCH_MCP_REDIS_URL: replicas serve statelessly; leave SINCH_MCP_HTTP_STATELESS unset or 1")
        return self

    @property
    def stateless_http(self) -> bool:
        return self.http_stateless if self.http_stateless is not None else self.redis_url is not None

    def missing_credentials(self) -> list[str]:
        """The variables a real (non-sandbox) call still needs, empty when it can run."""
        missing = [] if self.project_id else ["SINCH_PROJECT_ID"]
        if self.auth_mode == "basic" or not self.access_token:
            missing += [name for name, value in (("SINCH_KEY_ID", self.key_id), ("SINCH_KEY_SECRET", self.key_secret)) if not value]
        return missing


def load_settings(**overrides: object) -> Settings:
    """Environment plus CLI overrides (None means "not given on the command line").

    Variable names are matched whatever their case; every value is keyed by its variable, so
    an error names the variable to fix.
    """
    environment = {name.upper(): value for name, value in os.environ.items()}
    fields = Settings.model_fields
    values: dict[str, object] = {
        field.alias: environment[field.alias] for field in fields.values() if field.alias in environment
    }
    values.update({fields[name].alias or name: value for name, value in overrides.items() if value is not None})
    try:
        return Settings.model_validate(values)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        message = first["msg"].removeprefix("Value error, ")
        raise ConfigError(f"configuration error: {field + ': ' if field else ''}{message}") from None
