"""Personal-data encryption at rest (PIPL Art. 51, GB/T 35273 §6.3) and keyed look-up hashes.

Values are sealed with AES-256-GCM under a key derived from settings.FUGONG_DATA_KEY, which lives outside
the database. Look-ups and de-duplication use an HMAC-SHA256 of the normalised value under a second derived
key, so the database never holds a plaintext ID or phone and a LIKE on it finds nothing.

The cipher is pluggable (SM4-GCM can register as another version prefix) and every token carries its
version, so keys can be rotated by re-sealing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Sequence
from functools import lru_cache
from typing import Protocol

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


class Cipher(Protocol):
    version: str

    def seal(self, plaintext: bytes, aad: bytes) -> bytes: ...

    def open(self, token: bytes, aad: bytes) -> bytes: ...


def _derive(label: bytes) -> bytes:
    master = settings.FUGONG_DATA_KEY.encode()
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"fugong/v1", info=label).derive(master)


class AesGcmCipher:
    version = "a1"

    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)

    def seal(self, plaintext: bytes, aad: bytes) -> bytes:
        nonce = os.urandom(12)
        return nonce + self._aead.encrypt(nonce, plaintext, aad)

    def open(self, token: bytes, aad: bytes) -> bytes:
        return self._aead.decrypt(token[:12], token[12:], aad)


@lru_cache(maxsize=4)
def _ciphers(master: str) -> dict[str, Cipher]:
    return {AesGcmCipher.version: AesGcmCipher(_derive(b"encrypt"))}


@lru_cache(maxsize=4)
def _hash_key(master: str) -> bytes:
    return _derive(b"lookup-hash")


def current_cipher() -> Cipher:
    return _ciphers(settings.FUGONG_DATA_KEY)[AesGcmCipher.version]


def encrypt(value: str, purpose: str = "") -> str:
    """Seal `value`; `purpose` (e.g. the field name) is bound as associated data so tokens can't be swapped."""
    cipher = current_cipher()
    token = cipher.seal(value.encode(), purpose.encode())
    return f"{cipher.version}:{base64.urlsafe_b64encode(token).decode()}"


NONCE_BYTES = 12


def encrypt_many(values: Sequence[str], purpose: str = "") -> list[str]:
    """encrypt() of each value, same format and same fresh random nonce per value, for bulk writes (a roster
    import seals two values per row). The nonces are read from os.urandom in one call: a call per value
    releases the GIL each time, and with the import's reader thread running that hand-over cost ten times
    the encryption itself."""
    cipher = current_cipher()
    if not isinstance(cipher, AesGcmCipher):
        return [encrypt(v, purpose) for v in values]
    aad = purpose.encode()
    seal = cipher._aead.encrypt
    nonces = os.urandom(NONCE_BYTES * len(values))
    b64 = base64.urlsafe_b64encode
    prefix = f"{cipher.version}:"
    out = []
    for i, value in enumerate(values):
        nonce = nonces[i * NONCE_BYTES : (i + 1) * NONCE_BYTES]
        out.append(prefix + b64(nonce + seal(nonce, value.encode(), aad)).decode())
    return out


def decrypt(token: str, purpose: str = "") -> str:
    version, _, body = token.partition(":")
    cipher = _ciphers(settings.FUGONG_DATA_KEY)[version]
    return cipher.open(base64.urlsafe_b64decode(body), purpose.encode()).decode()


def keyed_hash(value: str, purpose: str = "") -> str:
    """Deterministic HMAC-SHA256 (hex) of a normalised value, for exact look-up and de-duplication."""
    msg = f"{purpose}\x1f{value}".encode()
    return hmac.new(_hash_key(settings.FUGONG_DATA_KEY), msg, hashlib.sha256).hexdigest()
