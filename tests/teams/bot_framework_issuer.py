"""A stand-in for the Bot Framework token issuer, so authenticated mode can be tested with
botbuilder's own validation: an OpenID metadata document and a key set served on 127.0.0.1,
and tokens signed with that key.

Shapes from "Authentication with the Bot Connector API", "Authenticate requests from the Bot
Connector service to your bot" (https://learn.microsoft.com/azure/bot-service/rest-api/
bot-framework-rest-connector-authentication): the metadata document names `jwks_uri`; each key
carries `endorsements` (the channel ids it may sign for, e.g. "msteams"); a token has `iss`,
`aud` (the bot's app id), `serviceurl` (equal to the activity's serviceUrl), `nbf` and `exp`.
Our issuer is https://issuer.rapport.test, not Microsoft's, and botbuilder is pointed at it
through TeamsOptions.bot_config (the configuration names botbuilder reads).

botbuilder fetches the metadata with blocking `requests.get` on the event loop, so the server
runs in its own thread.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

ISSUER = "https://issuer.rapport.test"
KEY_ID = "rapport-test-key-1"


@dataclass
class Issuer:
    url: str
    key: rsa.RSAPrivateKey

    @property
    def bot_config(self) -> dict[str, str]:
        """What botbuilder reads to trust this issuer (and the public cloud's outbound login)."""
        return {"TO_BOT_FROM_CHANNEL_TOKEN_ISSUER": ISSUER,
                "TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL": f"{self.url}/v1/.well-known/"
                                                           "openidconfiguration",
                "TO_CHANNEL_FROM_BOT_LOGIN_URL": "https://login.microsoftonline.com/"
                                                 "botframework.com",
                "TO_CHANNEL_FROM_BOT_OAUTH_SCOPE": "https://api.botframework.com"}

    def token(self, app_id: str, service_url: str, **claims: Any) -> str:
        now = int(time.time())
        body = {"iss": ISSUER, "aud": app_id, "serviceurl": service_url, "nbf": now - 10,
                "exp": now + 3600, **claims}
        return jwt.encode(body, self.key, algorithm="RS256", headers={"kid": KEY_ID})


def _handler(documents: dict[str, bytes]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = documents.get(self.path)
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body or b"{}")

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


@contextmanager
def running_issuer() -> Iterator[Issuer]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update(kid=KEY_ID, use="sig", endorsements=["msteams"])
    documents: dict[str, bytes] = {}
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(documents))
    url = f"http://127.0.0.1:{server.server_address[1]}"
    documents["/v1/.well-known/openidconfiguration"] = json.dumps({
        "issuer": ISSUER, "authorization_endpoint": "https://invalid.rapport.test",
        "jwks_uri": f"{url}/v1/.well-known/keys",
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["private_key_jwt"]}).encode()
    documents["/v1/.well-known/keys"] = json.dumps({"keys": [jwk]}).encode()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Issuer(url, key)
    finally:
        server.shutdown()
        server.server_close()
