"""Where Rapport's outbound Bot Framework calls may go: the `serviceUrl`s allowed for a channel.

A `serviceUrl` arrives in every activity and is where the bot answers (and, stored in a
conversation reference, where its proactive messages go later). One that is not Microsoft's
would make Rapport POST to any address someone names, so every outbound call is checked:

    channel msteams     https://smba.trafficmanager.net/...             public cloud
                        https://smba.infra.gcc.teams.microsoft.com/...  GCC
                        https://smba.infra.gov.teams.microsoft.us/...   GCC High
                        https://smba.infra.dod.teams.microsoft.us/...   DoD
    other channels      https://<name>.botframework.com/...             Web Chat, Direct Line...
                        https://<name>.botframework.azure.us/...        Azure Government
    local mode only     http(s)://localhost, 127.0.0.1 or [::1], any port (the Agents Playground
                        serves its connector at http://localhost:56150/_connector)
    always              the prefixes in RAPPORT_TEAMS_SERVICE_URLS (tests, other clouds)

Sources: the Bot Connector API reference, "Base URI" (https://smba.trafficmanager.net/teams/ is
the Teams service URL, https://learn.microsoft.com/azure/bot-service/rest-api/
bot-framework-rest-connector-api-reference); the Microsoft 365 Agents SDK's
`TeamsServiceEndpoints` (publicGlobal, gcc, gccHigh, dod, https://microsoft.github.io/
Agents-for-js/variables/_microsoft_agents-hosting.TeamsServiceEndpoints.html); "Configure Bot
Framework bots for US Government customers" (channel service https://botframework.azure.us,
https://learn.microsoft.com/azure/bot-service/how-to-deploy-gov-cloud-high); Microsoft Q&A 85514
(the serviceUrl is per channel: directline.botframework.com, webchat.botframework.com...).

Microsoft hosts are matched exactly (https, port 443, no user info): `smba.trafficmanager.net.evil
.example`, `evil.example/?smba.trafficmanager.net` or `smba.trafficmanager.net@evil.example` are
refused, and so is anything with a backslash, whitespace or a non-ASCII character (which URL
parsers disagree about).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import SplitResult, urlsplit

from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import ConnectorFactory

log = logging.getLogger("rapport.teams")

TEAMS_CHANNEL = "msteams"
TEAMS_HOSTS = frozenset({
    "smba.trafficmanager.net",
    "smba.infra.gcc.teams.microsoft.com",
    "smba.infra.gov.teams.microsoft.us",
    "smba.infra.dod.teams.microsoft.us",
})
BOT_FRAMEWORK_DOMAINS = (".botframework.com", ".botframework.azure.us")
LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})
_UNSAFE = frozenset("\\@ \t\r\n")


class ServiceUrlRefused(Exception):
    """An outbound Bot Framework call to a service URL that is not allowed."""

    def __init__(self, url: str | None) -> None:
        super().__init__(f"service URL not allowed: {host_of(url)}")


def _split(url: str | None) -> SplitResult | None:
    """The URL's parts, or None when it is not a plain http(s) URL we can trust a parser on."""
    if not url or len(url) > 2048 or not url.isascii() or any(c in _UNSAFE for c in url) or (
            not url.isprintable()):
        return None
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return parts


def _port(parts: SplitResult) -> int:
    return parts.port or (443 if parts.scheme == "https" else 80)


def host_of(url: str | None) -> str:
    """What to log of a refused URL: its host, never the rest."""
    parts = _split(url)
    if parts is None:
        return "(malformed)"
    return parts.hostname or "?"


@dataclass(frozen=True, slots=True)
class _Prefix:
    scheme: str
    host: str
    port: int
    path: str

    @classmethod
    def of(cls, url: str) -> _Prefix:
        parts = _split(url)
        if parts is None or parts.hostname is None:
            raise ValueError(f"not an http(s) URL: {url!r}")
        return cls(parts.scheme, parts.hostname, _port(parts), parts.path.rstrip("/"))

    def matches(self, parts: SplitResult) -> bool:
        path = parts.path or "/"
        return (parts.scheme, parts.hostname, _port(parts)) == (self.scheme, self.host,
                                                                self.port) and (
            path == self.path or path.startswith(self.path + "/"))


@dataclass(frozen=True, slots=True)
class ServiceUrls:
    """The allow-list: Microsoft's hosts, loopback in local mode, and the explicit prefixes.

    >>> urls = ServiceUrls(local=False)
    >>> urls.allows("https://smba.trafficmanager.net/emea/", "msteams")
    True
    >>> urls.allows("http://127.0.0.1:6379/", "msteams")
    False
    """

    local: bool
    extra: tuple[str, ...] = ()
    _prefixes: tuple[_Prefix, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_prefixes", tuple(_Prefix.of(url) for url in self.extra))

    @classmethod
    def of(cls, local: bool, extra: Iterable[str]) -> ServiceUrls:
        return cls(local=local, extra=tuple(extra))

    def allows(self, url: str | None, channel: str | None = None) -> bool:
        """May a Bot Framework call go to `url` for `channel` (None: for any channel)?"""
        parts = _split(url)
        if parts is None or parts.hostname is None:
            return False
        if any(prefix.matches(parts) for prefix in self._prefixes):
            return True
        if self.local and parts.hostname in LOOPBACK:
            return True
        if parts.scheme != "https" or _port(parts) != 443:
            return False
        host = parts.hostname
        teams = host in TEAMS_HOSTS
        bot_framework = any(host.endswith(domain) and len(host) > len(domain)
                            for domain in BOT_FRAMEWORK_DOMAINS)
        if channel is None:
            return teams or bot_framework
        return teams if channel == TEAMS_CHANNEL else bot_framework


class GuardedConnectorFactory(ConnectorFactory):  # type: ignore[misc]
    """botbuilder's connector factory, refusing service URLs that are not allowed: every
    outbound call of a turn, a proactive send or a new conversation gets its client here."""

    def __init__(self, inner: ConnectorFactory, urls: ServiceUrls) -> None:
        self.inner = inner
        self.urls = urls

    async def create(self, service_url: str, audience: str | None = None) -> ConnectorClient:
        if not self.urls.allows(service_url):
            log.warning("Teams call refused: service URL host %s is not allowed",
                        host_of(service_url))
            raise ServiceUrlRefused(service_url)
        return await self.inner.create(service_url, audience)
