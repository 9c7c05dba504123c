"""Passwords: Argon2id with the OWASP Password Storage Cheat Sheet's minimum configuration
(19 MiB = 19 × 1024 KiB of memory, 2 iterations, 1 lane); accounts hashed with PBKDF2 before
still sign in, and their hash is then replaced by an Argon2id one."""

import pytest
from helpers import PASSWORD, SCHOOL_A, setup_portal

pytestmark = pytest.mark.django_db

PRODUCTION = ["nianbao.web.hashers.Argon2idPasswordHasher", "django.contrib.auth.hashers.PBKDF2PasswordHasher"]
OWASP = "argon2$argon2id$v=19$m=19456,t=2,p=1$"


def test_a_new_password_is_hashed_with_argon2id_at_owasps_parameters(settings):
    from django.contrib.auth.hashers import check_password, make_password

    settings.PASSWORD_HASHERS = PRODUCTION
    hashed = make_password(PASSWORD)
    assert hashed.startswith(OWASP)
    assert check_password(PASSWORD, hashed)
    assert not check_password(PASSWORD + "x", hashed)


def test_a_pbkdf2_account_signs_in_and_its_hash_becomes_argon2id(client, settings):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    setup_portal()
    settings.PASSWORD_HASHERS = PRODUCTION
    user = get_user_model().objects.get(username="school_a")
    old = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
    user.password = old
    user.save(update_fields=["password"])

    r = client.post("/login/", {"username": "school_a", "password": PASSWORD + "x"})
    assert r.status_code == 200 and "_auth_user_id" not in client.session
    user.refresh_from_db()
    assert user.password == old  # a wrong password changes nothing

    r = client.post("/login/", {"username": "school_a", "password": PASSWORD}, follow=True)
    assert "_auth_user_id" in client.session
    assert "/s/" in r.redirect_chain[-1][0] and SCHOOL_A in r.content.decode()
    user.refresh_from_db()
    assert user.password.startswith(OWASP) and user.check_password(PASSWORD)


def test_an_argon2_hash_of_other_parameters_is_upgraded_at_sign_in(client, settings):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import Argon2PasswordHasher

    setup_portal()
    settings.PASSWORD_HASHERS = PRODUCTION
    user = get_user_model().objects.get(username="school_a")
    user.password = Argon2PasswordHasher().encode(PASSWORD, Argon2PasswordHasher().salt())  # Django's defaults
    assert not user.password.startswith(OWASP)
    user.save(update_fields=["password"])
    client.post("/login/", {"username": "school_a", "password": PASSWORD})
    user.refresh_from_db()
    assert user.password.startswith(OWASP)
