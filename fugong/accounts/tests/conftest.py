import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The persona world hashes a dozen passwords; PBKDF2's work factor would make each test take seconds.
    # Hashing is not what these tests check (the validators and check_password behave the same).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
