"""Redis clients from settings: a REDIS_URL, or the embedded server when there is none.

`client_for` understands, besides redis-py's own `redis://`, `rediss://` (TLS) and `unix://`:

    redis+cluster://[user:password@]host:port[,host:port...][?query]      Redis Cluster
    rediss+cluster://…                                                    the same over TLS
    redis+sentinel://[user:password@]host:port[,host:port...]/<service>[/<db>][?query]
    rediss+sentinel://…                                                   the same over TLS

For Cluster, the hosts are startup nodes (one is enough; more survive one being down) and the
client discovers the rest. For Sentinel, the hosts are the sentinels and `<service>` the name
they monitor (`sentinel monitor <service> …`); the client asks them for the current master and
follows a failover. The URL's credentials are the data nodes'; sentinels that require their own
password take it as `?sentinel_password=…` (and `?sentinel_username=…`).

TLS: a `rediss…` URL verifies the server's certificate against the system CAs, or against
`ca_file` (REDIS_CA_FILE) when given, or `?ssl_ca_certs=/path` in the URL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeAlias, cast
from urllib.parse import parse_qs, unquote, urlsplit

from redis.asyncio import BlockingConnectionPool, Redis, RedisCluster
from redis.asyncio.cluster import ClusterNode
from redis.asyncio.retry import Retry
from redis.asyncio.sentinel import Sentinel
from redis.backoff import NoBackoff

from adapters.redis.embedded import EmbeddedRedis

# What client_for can return. The store is typed against `Redis`; RedisCluster offers the same
# commands for everything the store does (the cluster test suite proves it), see client_for.
RedisClient: TypeAlias = Redis | RedisCluster

_COMMON: dict[str, Any] = {"decode_responses": False, "socket_connect_timeout": 5,
                           "socket_timeout": 10}


# The pool of one process: at most MAX_CONNECTIONS connections to Redis (a Redis serves 10,000
# clients by default: room for dozens of replicas). When all are busy a command waits for one
# up to POOL_TIMEOUT, well inside the 2 s a Slack ack may take, and then fails (a clean 503: it
# never reached Redis). Before, the pool refused at once beyond 1,000: a burst of 3,000 cold
# commands got 74 503s it had the capacity to answer.
MAX_CONNECTIONS = 500
POOL_TIMEOUT = 1.0


class RedisUrlError(ValueError):
    """A REDIS_URL that cannot be used; the message never repeats the password."""


def client_for(url: str, ca_file: str | Path | None = None) -> Redis:
    """An asyncio client for `url`: a plain, TLS, Unix-socket, Cluster or Sentinel Redis.

    A Cluster URL gives a `redis.asyncio.RedisCluster`, typed here as `Redis` because the
    store uses only commands both share (single-slot transactions, scripts, SCAN over every
    primary); see `RedisClient` for the honest union.
    """
    scheme = url.split("://", 1)[0].lower()
    if scheme in ("redis+cluster", "rediss+cluster"):
        return cast(Redis, cluster_client(url, ca_file))
    if scheme in ("redis+sentinel", "rediss+sentinel"):
        return sentinel_client(url, ca_file)
    extra: dict[str, Any] = {}
    if scheme == "rediss" and ca_file is not None:
        extra["ssl_ca_certs"] = str(ca_file)
    # A busy replica has many requests and sends in flight; redis-py's default pool raises
    # "Too many connections" under load rather than waiting: this one waits, a bounded time.
    pool = BlockingConnectionPool.from_url(url, health_check_interval=30,
                                           max_connections=MAX_CONNECTIONS, timeout=POOL_TIMEOUT,
                                           **_COMMON, **extra)
    client = Redis(connection_pool=pool)
    client.auto_close_connection_pool = True  # aclose() closes the pool it owns
    return client


def _hosts(netloc: str, url: str) -> tuple[list[tuple[str, int]], str | None, str | None]:
    """host:port pairs and the credentials of a `user:password@h1:p1,h2:p2` netloc."""
    userinfo, _, hostlist = netloc.rpartition("@")
    username = password = None
    if userinfo:
        user, colon, secret = userinfo.partition(":")
        username = unquote(user) or None
        password = unquote(secret) if colon else None
    hosts = []
    for item in hostlist.split(","):
        host, _, port = item.strip().rpartition(":")
        if host.startswith("[") and host.endswith("]"):
            host = host[1:-1]
        if not host or not port.isdigit():
            raise RedisUrlError(f"{url.split('://', 1)[0]}:// URL: {item.strip() or '(empty)'!r} "
                                "is not host:port")
        hosts.append((host, int(port)))
    return hosts, username, password


def _split(url: str) -> tuple[str, list[tuple[str, int]], str | None, str | None, str,
                              dict[str, str]]:
    parts = urlsplit(url)
    hosts, username, password = _hosts(parts.netloc, url)
    query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
    return parts.scheme.lower(), hosts, username, password, parts.path, query


def _tls(tls: bool, ca_file: str | Path | None, query: dict[str, str]) -> dict[str, Any]:
    if not tls:
        return {}
    options: dict[str, Any] = {"ssl": True}
    ca = query.get("ssl_ca_certs") or (str(ca_file) if ca_file is not None else None)
    if ca:
        options["ssl_ca_certs"] = ca
    if query.get("ssl_cert_reqs"):
        options["ssl_cert_reqs"] = query["ssl_cert_reqs"]
    return options


def cluster_client(url: str, ca_file: str | Path | None = None) -> RedisCluster:
    """A RedisCluster from `redis[s]+cluster://[user:pass@]host:port[,host:port…]`."""
    scheme, hosts, username, password, path, query = _split(url)
    if path not in ("", "/", "/0"):
        raise RedisUrlError("Redis Cluster has only database 0: drop the /<db> from the URL")
    # redis-py's cluster client refuses a command at once (MaxConnectionsError) when a node's
    # pool is full, 100 connections by default: a morning tick's concurrent sends reached that.
    # The same per-node budget as the single server's pool.
    return RedisCluster(
        startup_nodes=[ClusterNode(host, port) for host, port in hosts],
        username=username, password=password, health_check_interval=30,
        max_connections=MAX_CONNECTIONS,
        **_COMMON, **_tls(scheme.startswith("rediss"), ca_file, query))


def sentinel_client(url: str, ca_file: str | Path | None = None) -> Redis:
    """The current master of a Sentinel-managed Redis, from
    `redis[s]+sentinel://[user:pass@]host:port[,host:port…]/<service>[/<db>]`."""
    scheme, hosts, username, password, path, query = _split(url)
    segments = [unquote(s) for s in path.split("/") if s]
    if not segments or len(segments) > 2 or (len(segments) == 2 and not segments[1].isdigit()):
        raise RedisUrlError("a Sentinel URL names the monitored service: "
                            "redis+sentinel://host:26379[,host:26379]/<service>[/<db>]")
    tls = _tls(scheme.startswith("rediss"), ca_file, query)
    sentinel_auth = {name: query[f"sentinel_{name}"] for name in ("username", "password")
                     if query.get(f"sentinel_{name}")}
    # A sentinel that is down is skipped at once for the next one, not retried with backoff.
    quick = {"retry": Retry(NoBackoff(), 0), "socket_connect_timeout": 2}
    sentinel = Sentinel(hosts, sentinel_kwargs={**_COMMON, **tls, **sentinel_auth, **quick},
                        username=username, password=password,
                        db=int(segments[1]) if len(segments) == 2 else 0,
                        health_check_interval=30, **_COMMON, **tls)  # type: ignore[no-untyped-call]
    return cast(Redis, sentinel.master_for(segments[0], redis_class=Redis))


def embedded(folder: Path) -> EmbeddedRedis:
    return EmbeddedRedis(folder).start()
