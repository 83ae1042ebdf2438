"""Encryption at rest, keyed hashes and masking of personal data (domain-rules §7)."""

from __future__ import annotations

import pytest
from cryptography.exceptions import InvalidTag
from django.db import connection

from fugong.core import crypto
from fugong.core.masking import mask_id_number, mask_name, mask_phone
from fugong.enterprises.models import Enterprise


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- crypto ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["13800001234", "43100319900101123X", "张三", "", "a" * 2000])
def test_a_sealed_value_opens_back_to_itself(value):
    token = crypto.encrypt(value, "employee.id_number")
    assert token.startswith("a1:")
    assert crypto.decrypt(token, "employee.id_number") == value


def test_sealing_the_same_value_twice_gives_different_tokens():
    assert crypto.encrypt("13800001234", "p") != crypto.encrypt("13800001234", "p")


def test_a_token_for_one_purpose_does_not_open_under_another():
    token = crypto.encrypt("13800001234", "enterprise.contact_phone")
    with pytest.raises(InvalidTag):
        crypto.decrypt(token, "cadre.phone")


def test_a_tampered_token_does_not_open():
    token = crypto.encrypt("13800001234", "p")
    version, body = token.split(":", 1)
    flipped = body[:20] + ("A" if body[20] != "A" else "B") + body[21:]
    with pytest.raises(InvalidTag):
        crypto.decrypt(f"{version}:{flipped}", "p")


def test_a_token_sealed_under_another_master_key_does_not_open(settings):
    token = crypto.encrypt("13800001234", "p")
    settings.FUGONG_DATA_KEY = "another-master-key-for-this-test"
    with pytest.raises(InvalidTag):
        crypto.decrypt(token, "p")


def test_the_keyed_hash_is_deterministic_and_differs_by_purpose():
    a = crypto.keyed_hash("43100319900101123X", "employee.id_number")
    assert a == crypto.keyed_hash("43100319900101123X", "employee.id_number")
    assert a != crypto.keyed_hash("43100319900101123X", "subsidy.person")
    assert a != crypto.keyed_hash("43100319900101124X", "employee.id_number")
    assert len(a) == 64 and "123X" not in a


def test_the_keyed_hash_depends_on_the_master_key(settings):
    a = crypto.keyed_hash("13800001234", "p")
    settings.FUGONG_DATA_KEY = "another-master-key-for-this-test"
    assert crypto.keyed_hash("13800001234", "p") != a


def test_the_database_holds_no_plaintext_phone(world):
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact_phone FROM enterprises_enterprise WHERE id = %s", [world.x.pk])
        raw = cursor.fetchone()[0]
    assert raw.startswith("a1:")
    assert "13800001234" not in raw and "0001234" not in raw
    assert Enterprise.objects.get(pk=world.x.pk).contact_phone == "13800001234"


def test_a_like_search_on_the_encrypted_column_finds_nothing(world):
    assert not Enterprise.objects.filter(contact_phone__contains="1380000").exists()


def test_an_empty_phone_is_stored_empty_not_as_a_token(world):
    Enterprise.objects.filter(pk=world.y.pk).update(contact_phone="")
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact_phone FROM enterprises_enterprise WHERE id = %s", [world.y.pk])
        assert cursor.fetchone()[0] == ""
    assert Enterprise.objects.get(pk=world.y.pk).contact_phone == ""


# --- masking ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("43100319900101123X", "431003********123X"),
        ("110105491231002", "110105*****1002"),  # a legacy 15-digit number keeps 6 + 4 as well
        ("12345", "*****"),
        ("", ""),
        (None, ""),
    ],
)
def test_an_id_number_shows_its_first_six_and_last_four(value, masked):
    assert mask_id_number(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("13812341234", "138****1234"),
        ("073122223333", "********3333"),  # a landline keeps only its last four
        ("123", "***"),
        ("", ""),
        (None, ""),
    ],
)
def test_a_phone_shows_its_first_three_and_last_four(value, masked):
    assert mask_phone(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("张三", "张*"),
        ("张三丰", "张**"),
        ("欧阳娜娜", "欧阳**"),
        ("欧阳修", "欧阳*"),
        ("司马迁", "司马*"),
        ("欧阳", "欧*"),  # two characters: a compound surname alone is not kept whole
        ("王", "王"),
        (" 李四 ", "李*"),
        ("", ""),
        (None, ""),
    ],
)
def test_a_name_keeps_its_surname_only(value, masked):
    assert mask_name(value) == masked


def test_the_model_exposes_its_phone_masked(world):
    assert world.x.contact_phone_masked == "138****1234"
