"""Governed responses are never cached; the admin login is locked per user and per client address."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.factories import make_person, make_system

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"


def test_every_governed_api_response_is_no_store_whatever_its_status():
    person = make_person()
    _s, client = make_system(grants=[("population.person.gender", "lookup", False)])
    responses = [
        client.get(f"/api/v1/population/persons/{person.id_number}/"),  # 200 with data
        client.get("/api/v1/population/persons/", {"gender": "1"}),  # 403 naming what is missing
        client.get("/api/v1/population/persons/110101190001011234/"),  # 404
        client.get("/api/v1/access/me/"),
        client.get("/api/v1/catalogue/datasets/"),
        Client().get("/api/v1/access/me/"),  # 401
    ]
    assert [r.status_code for r in responses][:1] == [200]
    for response in responses:
        assert response["Cache-Control"] == "no-store", (response.status_code, response.request["PATH_INFO"])


def test_the_schema_and_pages_outside_the_api_are_not_forced_to_no_store():
    user = get_user_model().objects.create_user("reader", password="pw-long-enough-1")
    browser = Client()
    browser.force_login(user)
    schema = browser.get("/api/v1/schema/")
    assert schema.status_code == 200
    assert "no-store" not in schema.get("Cache-Control", "")


def _fail(username, address="10.0.0.7"):
    return Client(REMOTE_ADDR=address).post(LOGIN, {"username": username, "password": "wrong"})


def _login(username, address="10.0.0.7"):
    browser = Client(REMOTE_ADDR=address)
    response = browser.post(LOGIN, {"username": username, "password": "correct-horse-battery"})
    return response, browser


@pytest.fixture
def stewards():
    users = [f"steward{i}" for i in range(8)]
    for name in users:
        get_user_model().objects.create_user(name, password="correct-horse-battery", is_staff=True)
    return users


def test_one_address_spraying_a_password_over_many_usernames_is_locked_out(settings, stewards):
    settings.AXES_FAILURE_LIMIT = 3
    settings.HUB_LOGIN_FAILURES_PER_ADDRESS = 6
    # Two failures per username never reaches the per-user limit, but six from one address do.
    statuses = [_fail(name).status_code for name in stewards[:3] for _twice in range(2)]
    assert statuses == [200] * 5 + [429]  # the sixth failure from the address locks it
    response, browser = _login(stewards[5])  # right password, untouched username, same address
    assert response.status_code == 429
    assert "_auth_user_id" not in browser.session
    # Another address is not affected.
    response, browser = _login(stewards[5], address="10.0.0.8")
    assert response.status_code == 302


def test_the_per_user_limit_still_holds_below_the_address_limit(settings, stewards):
    settings.AXES_FAILURE_LIMIT = 3
    settings.HUB_LOGIN_FAILURES_PER_ADDRESS = 50
    for _ in range(3):
        _fail(stewards[0])
    assert _login(stewards[0])[0].status_code == 429
    assert _login(stewards[1])[0].status_code == 302  # other usernames from the address are fine


def test_a_successful_login_does_not_wipe_the_addresss_count(settings, stewards):
    settings.AXES_FAILURE_LIMIT = 3
    settings.HUB_LOGIN_FAILURES_PER_ADDRESS = 5
    for name in stewards[:2]:
        _fail(name)
        _fail(name)
    assert _login(stewards[6])[0].status_code == 302  # 4 failures so far: still open
    _fail(stewards[3])  # the 5th failure from the address
    assert _login(stewards[7])[0].status_code == 429
