import datetime as dt

import pytest

from safehub.matching import standardise as s


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("  JAYDEN ", "jayden"),
        ("Zoë", "zoe"),
        ("Łukasz", "lukasz"),
        ("O'Neil", "oneil"),
        ("Smith-Jones", "smith jones"),
        ("Smith  Jones", "smith jones"),
        ("", None),
        ("--", None),
        (None, None),
    ],
)
def test_names_lose_case_accents_and_punctuation(given, expected):
    assert s.name(given) == expected


def test_a_double_barrelled_surname_splits_and_joins():
    assert s.name_parts("Smith-Jones") == ("smith", "jones")
    assert s.joined("Smith-Jones") == s.joined("Smithjones") == "smithjones"


@pytest.mark.parametrize(
    ("variant", "canonical"),
    [
        ("Muhammad", "mohammed"),
        ("Mohamed", "mohammed"),
        ("Mo", "mohammed"),
        ("Ayesha", "aisha"),
        ("Oleksandr", "alexander"),
        ("Alex", "alexander"),
        ("Katarzyna", "katherine"),
        ("Bill", "william"),
        ("Jadzia", "jadzia"),
    ],
)
def test_nicknames_and_transliterations_share_a_canonical_form(variant, canonical):
    assert s.canonical(variant) == canonical


def test_initials():
    assert s.is_initial("J.")
    assert not s.is_initial("Jo")
    assert s.initial("jayden") == "j"


def test_sound_alike_names_share_a_phonetic_key():
    assert s.phonetic("Smyth") == s.phonetic("Smith")
    assert s.phonetic("Jayden") == s.phonetic("Jaden")
    assert s.phonetic("Smith") != s.phonetic("Jones")


def test_a_day_month_swap_is_offered_only_when_it_is_a_date():
    assert s.birth_date("2009-07-03").swapped == "2009-03-07"
    assert s.birth_date("2009-07-13").swapped is None
    assert s.birth_date("2009-05-05").swapped is None


def test_dates_of_birth_missing_or_invalid_are_none_and_approximate_is_flagged():
    assert s.birth_date("") is None
    assert s.birth_date("2009-02-30") is None
    assert s.birth_date(dt.date(2009, 7, 3), approximate=True).approximate
    assert not s.birth_date(dt.date(2009, 7, 3)).approximate


@pytest.mark.parametrize(
    ("text", "full", "sector", "district"),
    [
        ("bd11aa", "BD1 1AA", "BD1 1", "BD1"),
        (" BD10 8QP ", "BD10 8QP", "BD10 8", "BD10"),
        ("SW1A 1AA", "SW1A 1AA", "SW1A 1", "SW1A"),
        ("m1 1ae", "M1 1AE", "M1 1", "M1"),
    ],
)
def test_postcodes_are_normalised_with_sector_and_district(text, full, sector, district):
    assert s.postcode(text) == s.Postcode(full, sector, district)


def test_a_malformed_postcode_is_missing():
    assert s.postcode("BD1") is None
    assert s.postcode("not known") is None


def test_an_nhs_number_failing_modulus_11_is_missing():
    assert s.nhs_number("943 476 5919") == "9434765919"
    assert s.nhs_number("9434765918") is None
    assert s.nhs_number("") is None


def test_a_upn_check_letter_is_validated():
    tail = "801200001001"
    good = s.upn_check_letter(tail) + tail
    assert s.upn_is_valid(good)
    assert s.upn(good.lower()) == good
    wrong = ("A" if good[0] != "A" else "B") + tail
    assert not s.upn_is_valid(wrong)
    assert s.upn(wrong) is None
    assert not s.upn_is_valid("I" + tail)  # I, O and S are never check letters


def test_a_temporary_upn_ends_in_a_letter():
    tail = "80120000100A"
    assert s.upn_is_valid(s.upn_check_letter(tail) + tail)


def test_unknown_sex_is_none():
    assert s.sex("F") == "F"
    assert s.sex("U") is None
    assert s.sex("I") is None
    assert s.sex("") is None


def test_a_record_has_every_column_and_nulls_for_missing():
    row = s.record(given_name="Jayden", family_name="Smyth", date_of_birth="2009-07-03")
    assert tuple(row) == s.COLUMNS
    assert row["dob_swapped"] == "2009-03-07"
    assert row["postcode"] is None
    assert row["nhs_number"] is None
