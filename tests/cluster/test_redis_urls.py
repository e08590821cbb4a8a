"""REDIS_URL forms: Cluster, Sentinel and TLS, each against a real server on loopback."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import subprocess
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from ipaddress import IPv4Address
from pathlib import Path
from types import ModuleType

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from redis.asyncio import Redis, RedisCluster
from redis.exceptions import ConnectionError as RedisConnectionError

from adapters.redis.connection import RedisUrlError, client_for

# --- parsing, no server needed ---


async def test_a_cluster_url_gives_a_cluster_client_with_every_startup_node() -> None:
    client = client_for("redis+cluster://app:s%40cret@10.0.0.1:6379,10.0.0.2:6380")
    assert isinstance(client, RedisCluster)
    assert [(n.host, n.port) for n in client.startup_nodes] == [
        ("10.0.0.1", 6379), ("10.0.0.2", 6380)]
    kwargs = client.connection_kwargs
    assert kwargs["username"] == "app" and kwargs["password"] == "s@cret"
    assert not kwargs.get("ssl")
    await client.aclose()


async def test_rediss_cluster_uses_tls_and_the_ca_file(tmp_path: Path) -> None:
    client = client_for("rediss+cluster://redis:6379", ca_file=tmp_path / "ca.pem")
    assert isinstance(client, RedisCluster)
    assert client.connection_kwargs["ssl_ca_certs"] == str(tmp_path / "ca.pem")
    await client.aclose()


@pytest.mark.parametrize("url", [
    "redis+cluster://redis:6379/2",
    "redis+cluster://redis",
    "redis+sentinel://s1:26379",
    "redis+sentinel://s1:26379/mymaster/zero",
    "redis+sentinel://s1:26379,:26380/mymaster",
])
def test_unusable_urls_are_refused_without_repeating_the_password(url: str) -> None:
    with pytest.raises(RedisUrlError) as refused:
        client_for(url.replace("://", "://u:hunter2@"))
    assert "hunter2" not in str(refused.value)


async def test_plain_and_unix_urls_keep_working(tmp_path: Path) -> None:
    assert isinstance(client_for("redis://localhost:6379/3"), Redis)
    unix = client_for(f"unix://{tmp_path}/redis.sock")
    assert unix.connection_pool.connection_kwargs["path"] == f"{tmp_path}/redis.sock"


# --- Sentinel ---


@pytest.fixture
def sentinel_port(tmp_path: Path, plain_server: int, redis_server_binary: str,
                  helpers: ModuleType) -> Iterator[int]:
    """A real sentinel monitoring `plain_server` as the service `rapport`."""
    port = helpers.free_port()
    config = tmp_path / "sentinel.conf"
    config.write_text(f"port {port}\nbind 127.0.0.1\ndir {tmp_path}\n"
                      f"sentinel monitor rapport 127.0.0.1 {plain_server} 1\n")
    process = subprocess.Popen([redis_server_binary, str(config), "--sentinel"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        helpers.wait_for_port(port, process)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


async def test_a_sentinel_url_reaches_the_master_even_if_the_first_sentinel_is_down(
    sentinel_port: int, plain_server: int, helpers: ModuleType,
) -> None:
    dead = helpers.free_port()
    client = client_for(f"redis+sentinel://127.0.0.1:{dead},127.0.0.1:{sentinel_port}/rapport/2")
    try:
        await client.set("rp:{u:x}:k", b"v")
        assert await client.get("rp:{u:x}:k") == b"v"
        direct = Redis(port=plain_server, db=2)
        assert await direct.get("rp:{u:x}:k") == b"v"  # it really is the master, database 2
        await direct.aclose()
    finally:
        await client.aclose()


async def test_the_store_works_through_sentinel(sentinel_port: int) -> None:
    from adapters.redis.store import redis_ports
    from bot.ports import Job
    from habits.people import PersonRef

    client = client_for(f"redis+sentinel://127.0.0.1:{sentinel_port}/rapport")
    try:
        ports = redis_ports(client)
        now = datetime(2026, 11, 24, 9, tzinfo=UTC)
        await ports.due.schedule(Job("nudge.daily", PersonRef("slack", "T1", "U1"), "",
                                     now - timedelta(seconds=1)))
        assert len(await ports.due.claim(now, 60, 10)) == 1
        assert await ports.health.ping()
    finally:
        await client.aclose()


# --- TLS ---


def _certificates(folder: Path) -> tuple[Path, Path, Path]:
    """A throwaway CA, and a server certificate it signed for localhost and 127.0.0.1."""
    now = datetime.now(UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "rapport test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(hours=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False,
                                       encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                         critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
            .issuer_name(ca_name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(hours=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(IPv4Address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = folder / "ca.pem", folder / "server.pem", folder / "server.key"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return paths


@pytest.fixture
async def tls_port(tmp_path: Path, plain_server: int) -> AsyncIterator[tuple[int, Path]]:
    """TLS in front of a real redis-server (a small TLS-terminating proxy, so that the test
    needs no TLS build of redis-server). Yields the TLS port and the CA file."""
    ca, cert, key = _certificates(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)

    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.close()

    async def proxy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", plain_server)
        await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer))

    server = await asyncio.start_server(proxy, "127.0.0.1", 0, ssl=context)
    try:
        yield server.sockets[0].getsockname()[1], ca
    finally:
        server.close()


async def test_rediss_verifies_the_server_against_the_ca_file(tls_port: tuple[int, Path]) -> None:
    port, ca = tls_port
    client = client_for(f"rediss://localhost:{port}/0", ca_file=ca)
    try:
        assert await client.ping()
        await client.set("rp:{w:x}:k", b"over tls")
        assert await client.get("rp:{w:x}:k") == b"over tls"
    finally:
        await client.aclose()
    in_url = client_for(f"rediss://127.0.0.1:{port}/0?ssl_ca_certs={ca}")
    try:
        assert await in_url.ping()
    finally:
        await in_url.aclose()


async def test_rediss_refuses_a_server_it_cannot_verify(tls_port: tuple[int, Path]) -> None:
    port, _ = tls_port
    client = client_for(f"rediss://localhost:{port}/0")  # system CAs only
    try:
        with pytest.raises(RedisConnectionError, match=r"(?i)certificate verify failed"):
            await client.ping()
    finally:
        await client.aclose()
