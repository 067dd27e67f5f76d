"""The experience page: facts, prices, next free slots (pinned query count), the booking form."""

import datetime
import html as htmllib

import pytest
from django.urls import reverse
from django.utils import translation

from orders import reservations
from orders.models import BasketLine, ReservationKind
from tests.factories.attractions import ExperiencePageFactory, ImageFactory, TourSlotFactory, tomorrow_at
from tests.factories.home import translate
from tests.pages import WARM_BUDGET, warm_queries

from .tour_fixtures import tour_data

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]


def zh(message, **params):
    """``message`` as the Chinese page shows it (whatever translations are compiled), HTML-escaped."""
    with translation.override("zh-hans"):
        text = translation.gettext(message)
        return htmllib.escape(text % params if params else text)


def make_slots(experience, count):
    """``count`` slots over the next days (4 a day), each partly booked (one confirmed, one held)."""
    slots = []
    for i in range(count):
        day, hour = divmod(i, 4)
        slot = TourSlotFactory(experience=experience, starts_at=tomorrow_at(8 + 3 * hour, days=1 + day))
        reservations.confirm(reservations.reserve([reservations.Claim(ReservationKind.TOUR, slot.pk, 2)]))
        reservations.reserve([reservations.Claim(ReservationKind.TOUR, slot.pk, 1)])
        slots.append(slot)
    return slots


# Warm queries of an experience page (the visits before filled the content cache; the page holds a
# CSRF token, so it is counted directly): the experience itself (the site, the locale and the way
# to it are remembered: home/routing.py). The facts, prices, photo and meeting point are a
# fragment cached until the next publish; the date picker and the times with their seats left
# (the slots, their live claims and, in English, the Chinese original that owns them) a fragment
# cached until the next booking of a tour (town.page_cache.cached_showing).
EXPERIENCE_PAGE_WARM = 1
ENGLISH_EXPERIENCE_PAGE_WARM = 1
assert max(EXPERIENCE_PAGE_WARM, ENGLISH_EXPERIENCE_PAGE_WARM) <= WARM_BUDGET


@pytest.mark.parametrize("count", [2, 50])
def test_page_queries_do_not_grow_with_slots_and_bookings(client, picking, en_locale, count):
    picking.image = ImageFactory()
    picking.save_revision().publish()
    make_slots(picking, count)
    english = translate(picking, "en")

    for url, budget in ((picking.url, EXPERIENCE_PAGE_WARM), (english.url, ENGLISH_EXPERIENCE_PAGE_WARM)):
        queries, response = warm_queries(client, url)
        shown = response.text.count('name="slot_id"')
        assert shown == min(count, 4)  # the first day's times (4 a day); the picker holds the other days
        assert 'data-left="7"' in response.text  # 10 seats, 2 confirmed, 1 held
        assert "草莓园" in response.text and 'class="article__image"' in response.text
        assert queries == budget, url


def test_page_shows_facts_prices_and_free_slots(client, picking, meeting_point):
    full = TourSlotFactory(experience=picking, starts_at=tomorrow_at(9))
    reservations.confirm(reservations.reserve([reservations.Claim(ReservationKind.TOUR, full.pk, 10)]))
    free = TourSlotFactory(experience=picking, starts_at=tomorrow_at(14))
    cancelled = TourSlotFactory(experience=picking, starts_at=tomorrow_at(16), status="cancelled")
    far = TourSlotFactory(experience=picking, starts_at=tomorrow_at(9, days=20))
    html = client.get(picking.url).text
    assert "草莓采摘" in html
    assert "¥80" in html and "¥40" in html
    with translation.override("zh-hans"):
        assert htmllib.escape(translation.pgettext("price", "Free")) in html
        assert htmllib.escape(str(picking.cancellation_policy_explanation)) in html
    assert meeting_point.title in html
    assert f'value="{free.pk}"' in html
    assert 'data-left="10"' in html
    for hidden in (full, cancelled, far):
        assert f'value="{hidden.pk}"' not in html


def test_booking_form_adds_to_the_basket(client, slot):
    response = client.post(
        slot.experience.url, {"slot_id": slot.pk, "adults": 2, "children": 1, "child_ages": "5"}
    )
    assert response.status_code == 302
    assert response.url == reverse("orders_basket")
    line = BasketLine.objects.get()
    assert (line.kind, line.object_id, line.quantity) == ("tour", slot.pk, 3)
    assert line.options == {"adults": 2, "children": 1, "child_ages": [5]}
    basket = client.get(reverse("orders_basket")).text
    assert "草莓采摘" in basket


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        (
            {"adults": 0},
            422,
            zh("Ensure this value is greater than or equal to %(limit_value)s.", limit_value=1),
        ),
        ({"adults": 11}, 422, zh("This tour takes %(n)d people at most.", n=10)),
        ({"children": 1, "child_ages": "5, 6"}, 422, zh("Please give one age for each child.")),
        ({"slot_id": 99999999}, 422, zh("This tour time can no longer be booked.")),
        ({"slot_id": ""}, 422, zh("Please choose a time.")),
    ],
)
def test_booking_form_errors_are_shown_with_4xx(client, slot, data, status, message):
    response = client.post(slot.experience.url, {"slot_id": slot.pk, "adults": 2, "children": 0, **data})
    assert response.status_code == status
    assert message in response.text
    assert "errorlist" in response.text
    assert not BasketLine.objects.exists()


def test_booking_a_sold_out_slot_is_a_conflict(client, slot):
    reservations.confirm(reservations.reserve([reservations.Claim(ReservationKind.TOUR, slot.pk, 9)]))
    response = client.post(slot.experience.url, {"slot_id": slot.pk, "adults": 2})
    assert response.status_code == 409
    with translation.override("zh-hans"):
        left = translation.ngettext(
            "Only %(n)d place is left on this tour.", "Only %(n)d places are left on this tour.", 1
        ) % {"n": 1}
    assert htmllib.escape(left) in response.text
    assert not BasketLine.objects.exists()


def test_age_rule_needs_ages_on_the_page(client, attraction_index):
    study = ExperiencePageFactory(parent=attraction_index, kind="tea_study", min_age=8, schedules=[])
    slot = TourSlotFactory(experience=study)
    html = client.get(study.url).text
    assert zh("From %(min)s years", min=8) in html
    response = client.post(study.url, {"slot_id": slot.pk, "adults": 1, "children": 1})
    assert response.status_code == 422
    assert (
        zh("This experience is for ages %(min)d and over; please give each child's age.", min=8)
        in response.text
    )
    assert not BasketLine.objects.exists()


def test_camping_page_speaks_of_pitches(client, attraction_index):
    camp = ExperiencePageFactory(parent=attraction_index, kind="camping", capacity=6, schedules=[])
    TourSlotFactory(experience=camp, starts_at=tomorrow_at(16), duration=datetime.timedelta(hours=18))
    html = client.get(camp.url).text
    assert 'data-left="6"' in html
    assert zh("Per person and night; up to %(n)s people share one pitch.", n=4) in html


def test_translated_page_shows_the_originals_slots(client, slot, en_locale):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = slot.experience
    translated = page.copy_for_translation(en_locale, copy_parents=True)
    translated.title = "Strawberry picking"
    translated.save_revision().publish()
    html = client.get(translated.url).text
    assert "Strawberry picking" in html and 'lang="en"' in html
    assert f'value="{slot.pk}"' in html
    assert "Choose a day" in html
    response = client.post(translated.url, tour_data(slot, 1))
    assert response.status_code == 302


def test_index_features_experiences(client, picking, attraction_index):
    picking.featured = True
    picking.save_revision().publish()
    TourSlotFactory(experience=picking)
    other = ExperiencePageFactory(parent=attraction_index, title="做豆腐", schedules=[])
    html = client.get(attraction_index.url).text
    assert html.count("card--experience") == 2
    assert html.index(picking.url) < html.index(other.url)  # featured first
    assert "¥80" in html


def test_english_page_names_the_meeting_point_s_village_in_english(
    client, picking, meeting_point, village, en_locale
):
    """The English tour and meeting point still link the village chosen in Chinese: the English
    reader reads its English name (issue 20: names in the visitor's language)."""
    english_village = village.copy_for_translation(en_locale)
    english_village.name = "Peach Blossom Hollow"
    english_village.save()
    translate(meeting_point, title="Strawberry Garden")
    english = translate(picking, title="Strawberry Picking")
    html = client.get(english.url).text
    assert "Peach Blossom Hollow" in html and village.name not in html
    chinese = client.get(picking.url).text
    assert village.name in chinese and "Peach Blossom Hollow" not in chinese
