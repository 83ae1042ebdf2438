"""统一社会信用代码, 居民身份证号码 and phone numbers (domain-rules §1), including property-based checks."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fugong.core.identifiers import (
    USCC_ALPHABET,
    USCC_AUTHORITIES,
    IdentifierError,
    id_check_char,
    make_uscc,
    normalise_phone,
    org_code_check_char,
    uscc_check_char,
    validate_id_number,
    validate_uscc,
)

TODAY = dt.date(2020, 3, 2)


def with_check(first17: str) -> str:
    return first17 + id_check_char(first17)


# --- 统一社会信用代码 -----------------------------------------------------------------------------------
digits = st.text("0123456789", min_size=6, max_size=6)
valid_usccs = st.builds(
    lambda a, k, division, org: (body := a + k + division + org) + uscc_check_char(body),
    st.sampled_from(sorted(USCC_AUTHORITIES)),
    st.sampled_from(USCC_ALPHABET),
    digits,
    st.text(USCC_ALPHABET, min_size=9, max_size=9),
)
# Characters that survive normalisation as themselves (no lower case, no spaces): valid ones and not.
REPLACEMENTS = USCC_ALPHABET + "IOZSV#-中"


def test_the_standards_example_code_is_valid():
    result = validate_uscc("91350100M000100Y43")
    assert result.code == "91350100M000100Y43" and result.warnings == ()


@given(valid_usccs)
def test_every_generated_valid_code_passes(code):
    assert validate_uscc(code).code == code


@settings(max_examples=300)
@given(valid_usccs, st.integers(min_value=0, max_value=17), st.sampled_from(REPLACEMENTS))
def test_every_single_character_change_fails_naming_a_position(code, index, replacement):
    if code[index] == replacement:
        replacement = REPLACEMENTS[(REPLACEMENTS.index(replacement) + 1) % len(REPLACEMENTS)]
    changed = code[:index] + replacement + code[index + 1 :]
    with pytest.raises(IdentifierError) as caught:
        validate_uscc(changed)
    error = caught.value
    assert error.position is not None
    assert f"第{error.position}" in error.message
    if replacement not in USCC_ALPHABET:
        assert error.position == index + 1  # an illegal character is named where it is


@pytest.mark.parametrize(
    "raw",
    [
        "91350100m000100y43",
        "９１３５０１００Ｍ０００１００Ｙ４３",  # full-width, as typed with a Chinese input method
        " 9135 0100 M000 100Y 43 ",
        "9135\u30000100M000100Y43",
    ],
)
def test_lower_case_full_width_and_spaced_input_is_normalised(raw):
    assert validate_uscc(raw).code == "91350100M000100Y43"


def test_a_wrong_check_character_names_position_18_and_the_expected_one():
    with pytest.raises(IdentifierError) as caught:
        validate_uscc("91350100M000100Y44")
    assert caught.value.position == 18 and caught.value.code == "checksum"
    assert "“3”" in caught.value.message


@pytest.mark.parametrize(
    ("raw", "code"),
    [("", "required"), ("91350100M000100Y4", "length"), ("91350100M000100Y433", "length")],
)
def test_empty_and_wrong_length_codes_are_refused(raw, code):
    with pytest.raises(IdentifierError) as caught:
        validate_uscc(raw)
    assert caught.value.code == code


def test_an_inner_organisation_code_mismatch_is_a_warning_not_an_error():
    org8 = "MA4L0001"
    wrong = "0" if org_code_check_char(org8) != "0" else "1"
    body = "91431003" + org8 + wrong
    code = body + uscc_check_char(body)
    result = validate_uscc(code)
    assert result.code == code
    assert len(result.warnings) == 1 and "组织机构代码" in result.warnings[0]


def test_a_code_built_from_its_parts_has_no_warning():
    assert validate_uscc(make_uscc("431003", "MA4L0001")).warnings == ()


# --- 居民身份证号码 -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("number", "birth", "gender"),
    [("11010519491231002X", dt.date(1949, 12, 31), "F"), ("440524188001010014", dt.date(1880, 1, 1), "M")],
)
def test_the_standards_examples_are_valid_with_derived_birth_and_gender(number, birth, gender):
    result = validate_id_number(number, today=TODAY)
    assert (result.number, result.birth_date, result.gender) == (number, birth, gender)
    assert result.region_code == number[:6] and not result.upgraded_from_15


def test_a_lower_case_x_is_accepted_and_upper_cased():
    assert validate_id_number("11010519491231002x", today=TODAY).number == "11010519491231002X"


def test_a_legacy_15_digit_number_is_upgraded_with_a_computed_check():
    result = validate_id_number("110105491231002", today=TODAY)
    assert result.number == "11010519491231002X" and result.upgraded_from_15
    assert result.birth_date == dt.date(1949, 12, 31) and result.gender == "F"


@pytest.mark.parametrize("birth", ["19990230", "20190229", "20201301", "19990000"])
def test_an_impossible_birth_date_is_refused(birth):
    with pytest.raises(IdentifierError) as caught:
        validate_id_number(with_check("431003" + birth + "123"), today=TODAY)
    assert caught.value.code == "birth_date" and caught.value.position == 7


def test_a_birth_date_in_the_future_is_refused():
    tomorrow = TODAY + dt.timedelta(days=1)
    with pytest.raises(IdentifierError) as caught:
        validate_id_number(with_check("431003" + tomorrow.strftime("%Y%m%d") + "123"), today=TODAY)
    assert caught.value.code == "birth_date"
    assert validate_id_number(with_check("431003" + TODAY.strftime("%Y%m%d") + "123"), today=TODAY)


@pytest.mark.parametrize(
    ("raw", "code", "position"),
    [
        ("", "required", None),
        ("4310031990010112", "length", None),
        ("43100319900101123Y", "character", 18),
        ("4310031990010A123X", "character", 14),
        ("11010519491231002Y", "character", 18),
        ("110105194912310021", "checksum", 18),
        ("11010549123100A", "character", None),
    ],
)
def test_malformed_id_numbers_are_refused_with_what_and_where(raw, code, position):
    with pytest.raises(IdentifierError) as caught:
        validate_id_number(raw, today=TODAY)
    assert caught.value.code == code and caught.value.position == position


def test_a_wrong_id_check_character_names_the_expected_one():
    with pytest.raises(IdentifierError) as caught:
        validate_id_number("110105194912310021", today=TODAY)
    assert "“X”" in caught.value.message


births = st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY)
regions = st.text("0123456789", min_size=5, max_size=5).map(lambda s: "4" + s)
sequences = st.integers(min_value=0, max_value=999).map(lambda n: f"{n:03d}")


@given(regions, births, sequences)
def test_generated_valid_numbers_round_trip_with_birth_and_gender(region, birth, seq):
    number = with_check(region + birth.strftime("%Y%m%d") + seq)
    result = validate_id_number(number.lower(), today=TODAY)
    assert result.number == number
    assert result.birth_date == birth
    assert result.gender == ("M" if int(seq[-1]) % 2 else "F")
    assert result.region_code == region


@given(regions, st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(1999, 12, 31)), sequences)
def test_generated_15_digit_numbers_upgrade_to_the_valid_18_digit_number(region, birth, seq):
    legacy = region + birth.strftime("%y%m%d") + seq
    result = validate_id_number(legacy, today=TODAY)
    assert result.number == with_check(region + birth.strftime("%Y%m%d") + seq)
    assert result.upgraded_from_15 and result.birth_date == birth


@given(regions, births, sequences, st.integers(min_value=0, max_value=16), st.sampled_from("0123456789"))
def test_a_changed_digit_in_a_valid_number_is_caught(region, birth, seq, index, digit):
    number = with_check(region + birth.strftime("%Y%m%d") + seq)
    if number[index] == digit:
        return
    changed = number[:index] + digit + number[index + 1 :]
    with pytest.raises(IdentifierError):
        validate_id_number(changed, today=TODAY)


# --- phones ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "raw",
    ["13800138000", "+8613800138000", "+86 138 0013 8000", "8613800138000", "138-0013-8000", "１３８００１３８０００"],
)
def test_a_mobile_number_is_normalised_to_eleven_digits(raw):
    assert normalise_phone(raw) == "13800138000"


@pytest.mark.parametrize("raw", ["12345", "12800138000", "1380013800", "138001380001", "abc", "+1 415 555 0100"])
def test_an_invalid_mobile_number_is_refused(raw):
    with pytest.raises(IdentifierError) as caught:
        normalise_phone(raw)
    assert caught.value.code == "phone"


def test_an_empty_phone_is_refused_as_required():
    with pytest.raises(IdentifierError) as caught:
        normalise_phone("  ")
    assert caught.value.code == "required"


def test_a_landline_is_accepted_only_where_allowed():
    assert normalise_phone("0735-2222333", allow_landline=True) == "07352222333"
    with pytest.raises(IdentifierError):
        normalise_phone("0735-2222333")
