"""The limits on SMS codes (accounts.phone_codes): per number, per client address and in total,
answered with 429 and a clear message, counted atomically in the shared cache, and the same for
numbers with and without an account."""

import threading
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from accounts import phone_codes
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db

EN = "/en/accounts"
PHONE = "+8613900000000"


@pytest.fixture
def clock(time_machine):
    time_machine.move_to("2026-06-01 09:00 +08:00", tick=False)
    return time_machine


@pytest.fixture
def fresh_post(django_capture_on_commit_callbacks):
    """A post from a new browser each time (no session), as a script pumping codes would."""

    def posting(url, data, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return Client().post(url, data, **extra)

    return posting


def ask(post, phone=PHONE, **extra):
    return post(f"{EN}/login/code/", {"phone": phone}, **extra)


def test_a_second_code_within_a_minute_is_refused_with_a_clear_429(fresh_post, outbox, clock):
    assert ask(fresh_post).status_code == 302
    response = ask(fresh_post)
    assert response.status_code == 429
    assert "less than a minute ago" in response.content.decode()
    assert len(outbox) == 1


def test_the_sixth_code_in_an_hour_is_refused(fresh_post, outbox, clock):
    for _ in range(5):
        assert ask(fresh_post).status_code == 302
        clock.shift(61)
    response = ask(fresh_post)
    assert response.status_code == 429
    assert "this hour" in response.content.decode()
    assert len(outbox) == 5


def test_the_eleventh_code_in_a_day_is_refused(fresh_post, outbox, clock):
    for _ in range(10):
        assert ask(fresh_post).status_code == 302
        clock.shift(61 * 60)
    assert ask(fresh_post).status_code == 429
    assert len(outbox) == 10


def test_a_refused_request_uses_up_nothing(fresh_post, outbox, clock):
    ask(fresh_post)
    assert ask(fresh_post).status_code == 429  # within the minute
    for _ in range(4):
        clock.shift(61)
        assert ask(fresh_post).status_code == 302  # so the hour still has four more
    assert len(outbox) == 5


def test_one_client_address_cannot_ask_for_many_numbers(fresh_post, outbox, clock):
    numbers = [f"+86139000000{n:02d}" for n in range(11)]
    answers = [ask(fresh_post, number).status_code for number in numbers]
    assert answers == [302] * 10 + [429]
    assert "your connection" in ask(fresh_post, "+8613800138000").content.decode()
    # Another address is not held back by it.
    assert ask(fresh_post, "+8613800138000", REMOTE_ADDR="10.0.0.9").status_code == 302


def test_the_daily_total_caps_every_code(fresh_post, outbox, clock, settings):
    settings.PHONE_CODE_LIMITS = {**settings.PHONE_CODE_LIMITS, "total": [(3, 24 * 60 * 60)]}
    for n in range(3):
        assert ask(fresh_post, f"+861390000000{n}", REMOTE_ADDR=f"10.0.0.{n}").status_code == 302
    response = ask(fresh_post, "+8613900000009", REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 429
    assert "cannot send more codes today" in response.content.decode()
    clock.shift(24 * 60 * 60)
    assert ask(fresh_post, "+8613900000009", REMOTE_ADDR="10.0.0.9").status_code == 302


def test_the_limit_message_is_chinese_on_the_chinese_pages(fresh_post, outbox, clock):
    fresh_post("/accounts/login/code/", {"phone": PHONE})
    response = fresh_post("/accounts/login/code/", {"phone": PHONE})
    assert response.status_code == 429
    assert "一分钟内已向此号码发送过验证码" in response.content.decode()


def test_known_and_unknown_numbers_get_the_same_answers(fresh_post, outbox, clock):
    UserFactory(email=None, phone_number="+8613900000001", phone_verified=True)
    known = [ask(fresh_post, "+8613900000001"), ask(fresh_post, "+8613900000001")]
    unknown = [ask(fresh_post, "+8613900000002"), ask(fresh_post, "+8613900000002")]
    assert [r.status_code for r in known] == [r.status_code for r in unknown] == [302, 429]
    assert known[0].url == unknown[0].url


def test_a_sign_up_over_the_limit_creates_no_account(fresh_post, outbox, clock):
    assert ask(fresh_post).status_code == 302  # someone asked a code for this number a moment ago
    response = fresh_post(f"{EN}/signup/", {"phone": PHONE})
    assert response.status_code == 429
    assert not get_user_model().objects.filter(phone_number=PHONE).exists()
    assert len(outbox) == 1


def at_once(calls):
    """Each call in its own thread, released together; a Counter of their outcomes."""
    barrier = threading.Barrier(len(calls))
    results, lock = [], threading.Lock()

    def run(call):
        barrier.wait(timeout=30)
        try:
            outcome = call()
        except phone_codes.TooManyCodes:
            outcome = "refused"
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return Counter(results)


@pytest.mark.parametrize("per_minute", [1, 3])
def test_twenty_threads_asking_for_one_number_send_at_most_the_limit(outbox, settings, per_minute):
    settings.PHONE_CODE_LIMITS = {**settings.PHONE_CODE_LIMITS, "number": [(per_minute, 60), (5, 3600)]}

    def ask_code():
        phone_codes.issue_code(PHONE, "10.0.0.1")
        return "sent"

    outcomes = at_once([ask_code] * 20)
    assert outcomes == Counter({"sent": per_minute, "refused": 20 - per_minute})
    assert len(outbox) == per_minute


def test_asking_again_in_the_same_browser_sends_no_second_code(post, outbox, clock):
    ask(post)
    response = ask(post)
    assert response.status_code in (302, 429)
    assert len(outbox) == 1


def test_several_sign_ups_from_one_address_are_counted_by_our_limits_alone(fresh_post, outbox, clock):
    # allauth's own phone limit (3 a minute an address) would fail mid-sign-up with a 500.
    answers = [fresh_post(f"{EN}/signup/", {"phone": f"+861390000000{n}"}).status_code for n in range(5)]
    assert answers == [302] * 5
    assert len(outbox) == 5
