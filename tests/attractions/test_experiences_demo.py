"""The demo experiences: loaded by ``load_demo``, idempotent, slots for 90 days, seats sold."""

import datetime

import pytest
from django.utils import timezone
from wagtail.models import Locale

from attractions.demo import EXPERIENCES, load_experiences
from attractions.models import ExperiencePage, TourSlot
from orders.models import Reservation, ReservationKind
from orders.reservations import local_today
from town.demo.base import DemoContext, ensure_locales

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]


def test_demo_experiences(client, demo_town):
    default = Locale.get_default()
    zh = ExperiencePage.objects.live().filter(locale=default)
    assert zh.count() == len(EXPERIENCES) == 6
    assert ExperiencePage.objects.live().exclude(locale=default).count() == 6
    assert {page.kind for page in zh} >= {"picking", "tea_study", "camping", "craft"}

    strawberry = zh.get(title="草莓采摘")
    assert strawberry.kind == "picking" and "草莓" in strawberry.intro
    english = strawberry.get_translation(Locale.objects.get(language_code="en"))
    assert english.title == "Strawberry picking" and "strawberries" in english.intro
    tea = zh.get(title="采茶体验")
    assert tea.get_translation(english.locale).title == "Tea picking"
    assert strawberry.village_id_for_money is not None

    # Slots reach about 90 days ahead; some seats are sold.
    last = max(TourSlot.objects.filter(experience=strawberry).values_list("starts_at", flat=True))
    assert 85 <= (last.date() - local_today()).days <= 90
    assert Reservation.objects.live().filter(kind=ReservationKind.TOUR).exists()
    # Slots in each experience's months in season only (honey peaches: June to August).
    now = timezone.now()
    window = [local_today() + datetime.timedelta(days=d) for d in range(1, 85)]
    for page in zh:
        ahead = page.slots.filter(starts_at__gte=now)
        if all(page.in_season_on(day) for day in window):
            assert ahead.exists(), page.title
        # A seasonal tour has slots on its days in season (a week of them or more in the window).
        in_days = [day for day in window if page.in_season_on(day)]
        if len(in_days) >= 7:
            assert ahead.filter(starts_at__date__in=in_days).exists(), page.title
        months = {timezone.localtime(start).month for start in ahead.values_list("starts_at", flat=True)}
        assert not page.months_in_season or months <= set(page.months_in_season), page.title

    # The page and the API work on the demo data.
    assert client.get(strawberry.url).status_code == 200
    assert client.get(english.url).status_code == 200

    # Idempotent: a second run makes no new slots, pages or bookings.
    counts = (TourSlot.objects.count(), ExperiencePage.objects.count(), Reservation.objects.count())
    zh_locale, en_locale = ensure_locales()
    ctx = DemoContext(zh=zh_locale, en=en_locale, verbosity=0)
    from django.utils.module_loading import import_string

    from home.demo.steps import STEPS

    for step in STEPS[: STEPS.index("attractions.demo.load_experiences")]:
        import_string(step)(ctx)
    load_experiences(ctx)
    assert (TourSlot.objects.count(), ExperiencePage.objects.count(), Reservation.objects.count()) == counts
