"""Secrets at rest: Fernet encryption with the keys in RAPPORT_ENCRYPTION_KEY.

`RAPPORT_ENCRYPTION_KEY` holds one or more Fernet keys (32 random bytes, url-safe base64, as
`rapport generate-key` prints), comma separated, newest first. Rapport encrypts with the first
and decrypts with any (`cryptography`'s MultiFernet), so rotating is:

1. put a new key in front: `RAPPORT_ENCRYPTION_KEY=<new>,<old>`, roll it out to every process;
2. `rapport encrypt-tokens`: re-encrypts everything stored with the new key;
3. drop the old key: `RAPPORT_ENCRYPTION_KEY=<new>`.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

FERNET_PREFIX = b"gAAAAA"  # every Fernet token starts so (version byte 0x80, then a timestamp)


class UndecryptableError(ValueError):
    """Stored ciphertext that none of the configured keys opens."""


def parse_keys(text: str) -> list[bytes]:
    """The keys of a RAPPORT_ENCRYPTION_KEY value; ValueError (never quoting a key) if one is
    not a Fernet key."""
    parts = [part.strip() for part in text.replace(",", " ").split() if part.strip()]
    if not parts:
        raise ValueError("is empty: give a key made with `rapport generate-key`, or unset it")
    keys = []
    for number, part in enumerate(parts, 1):
        try:
            Fernet(part.encode())
        except (ValueError, TypeError):
            raise ValueError(f"key {number} of {len(parts)} is not a Fernet key (32 bytes in "
                             "url-safe base64, 44 characters, as `rapport generate-key` "
                             "prints)") from None
        keys.append(part.encode())
    return keys


def generate_key() -> str:
    return Fernet.generate_key().decode()


class Cipher:
    """Encrypts with the newest key, decrypts with any of them.

    >>> cipher = Cipher.from_setting(generate_key())
    >>> cipher.decrypt(cipher.encrypt(b"xoxb-fake")) == b"xoxb-fake"
    True
    """

    def __init__(self, keys: list[bytes]) -> None:
        if not keys:
            raise ValueError("at least one key")
        self._fernet = MultiFernet([Fernet(key) for key in keys])

    @classmethod
    def from_setting(cls, text: str) -> Cipher:
        return cls(parse_keys(text))

    def encrypt(self, plain: bytes) -> bytes:
        return self._fernet.encrypt(plain)

    def decrypt(self, token: bytes) -> bytes:
        try:
            return self._fernet.decrypt(token)
        except InvalidToken:
            raise UndecryptableError("none of the keys in RAPPORT_ENCRYPTION_KEY opens it: was "
                                     "the key it was stored with removed before `rapport "
                                     "encrypt-tokens` re-encrypted it?") from None

    def rotate(self, token: bytes) -> bytes:
        """The same secret, encrypted with the newest key."""
        try:
            return self._fernet.rotate(token)
        except InvalidToken:
            raise UndecryptableError("none of the keys in RAPPORT_ENCRYPTION_KEY opens it")\
                from None

    @staticmethod
    def encrypted(value: bytes) -> bool:
        return value.startswith(FERNET_PREFIX)
