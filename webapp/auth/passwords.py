"""Password hashing with argon2id at OWASP's recommended minimum, set explicitly.

OWASP Password Storage Cheat Sheet: argon2id, 19 MiB memory, 2 iterations,
parallelism 1. Hashes record their parameters, so raising them later re-hashes users
on their next successful login (see :func:`needs_rehash`).
"""

from __future__ import annotations

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher(
    time_cost=2, memory_cost=19 * 1024, parallelism=1, hash_len=32, salt_len=16, type=Type.ID
)

MIN_LENGTH = 10


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


# A dummy hash to verify against when the account does not exist, so that the answer
# takes the same time either way and does not reveal which e-mails are registered.
DUMMY_HASH = hash_password("not-a-real-password-0")
