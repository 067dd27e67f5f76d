import datetime

import pytest
from django.test import override_settings

from gates import idcards

from .conftest import id_number

TODAY = datetime.date(2027, 3, 15)


def test_a_valid_id_card_number_is_accepted_and_normalised():
    assert idcards.clean_id_card("11010519491231002x", today=TODAY) == "11010519491231002X"
    assert idcards.clean_id_card(
        " 3301 0619 9003 0712 3" + idcards.check_digit("33010619900307123"), today=TODAY
    )


@pytest.mark.parametrize(
    ("number", "why"),
    [
        ("110105194912310021", "last character"),  # the check digit of ...1002 is X
        ("11010519491331002X", "birth date"),  # month 13
        ("110105" + "20270230" + "123", "birth date"),  # 30 February (check digit irrelevant)
        ("110105" + "20300101" + "123", "birth date"),  # born in the future
        ("11010519491231002", "18 characters"),
        ("01010519491231002X", "18 characters"),  # a region code never starts with 0
        ("1101051949123100XX", "18 characters"),
    ],
)
def test_bad_id_card_numbers_say_why(number, why):
    if len(number) == 17 and why == "birth date":
        number += idcards.check_digit(number)
    with pytest.raises(idcards.BadIdNumber) as caught:
        idcards.clean_id_card(number, today=TODAY)
    assert why in str(caught.value.message)


def test_birth_date_checked_before_a_matching_check_digit():
    first17 = "11010520270230123"  # 30 February 2027, with its correct check digit
    with pytest.raises(idcards.BadIdNumber, match="birth date"):
        idcards.clean_id_card(first17 + idcards.check_digit(first17), today=TODAY)


def test_passports():
    assert idcards.clean_passport("e1234567 8") == "E12345678"
    for bad in ("E12", "E1234567*", "X" * 21):
        with pytest.raises(idcards.BadIdNumber):
            idcards.clean_passport(bad)
    with pytest.raises(idcards.BadIdNumber):
        idcards.clean_number("driving_licence", "E12345678")


def test_mask_shows_four_and_four():
    assert idcards.mask("330106199003071234") == "3301**********1234"
    assert idcards.mask("E12345678") == "E1*****78"


def test_sealed_number_reads_back_and_is_not_the_number():
    number = id_number()
    sealed = idcards.seal(number)
    assert number not in sealed
    assert idcards.unseal(sealed) == number
    assert idcards.unseal("not-a-token") == ""


def test_fingerprint_is_keyed_and_stable():
    number = id_number()
    digest = idcards.fingerprint("id_card", number)
    assert digest == idcards.fingerprint("id_card", number)
    assert digest != idcards.fingerprint("passport", number)
    import hashlib

    assert digest != hashlib.sha256(number.encode()).hexdigest()
    idcards._key_material.cache_clear()
    try:
        with override_settings(SECRET_KEY="another-secret"):
            assert idcards.fingerprint("id_card", number) != digest
            assert idcards.unseal(idcards.seal(number)) == number
    finally:
        idcards._key_material.cache_clear()


def test_configured_key_is_used():
    from cryptography.fernet import Fernet

    key = Fernet.generate_key().decode()
    idcards._key_material.cache_clear()
    try:
        with override_settings(GATES_ID_KEY=key):
            sealed = idcards.seal("E12345678")
            assert Fernet(key.encode()).decrypt(sealed.encode()) == b"E12345678"
    finally:
        idcards._key_material.cache_clear()
