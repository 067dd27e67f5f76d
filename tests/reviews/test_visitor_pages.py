"""The visitor's side: "Write a review" on "my trips", the form, the abuse report button."""

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from reviews import services
from reviews.models import Review, ReviewStatus

from .fixtures import stay_line, tour_line

pytestmark = pytest.mark.django_db


def test_my_trips_links_the_lines_that_can_be_reviewed(client, guest, stayed, homestay):
    coming = stay_line(guest, timezone.localdate() + datetime.timedelta(days=9), page_id=homestay.pk)
    not_attended = tour_line(guest)
    client.force_login(guest)
    page = client.get(reverse("orders_trips")).text
    assert reverse("reviews_write", args=[stayed.pk]) in page
    assert reverse("reviews_write", args=[coming.pk]) not in page
    assert reverse("reviews_write", args=[not_attended.pk]) not in page


def test_the_form_writes_a_pending_review_and_my_trips_thanks(client, guest, stayed):
    client.force_login(guest)
    url = reverse("reviews_write", args=[stayed.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"rating": "4", "text": "早餐很好。"})
    assert response.status_code == 302
    review = Review.objects.get()
    assert (review.rating, review.text, review.status) == (4, "早餐很好。", ReviewStatus.PENDING)
    page = client.get(reverse("orders_trips")).text
    assert url not in page and "感谢您的评价。" in page
    # A second try is refused: the line has its review.
    assert client.post(url, {"rating": "1"}).status_code == 403
    assert Review.objects.count() == 1


def test_the_form_refuses_a_missing_rating(client, guest, stayed):
    client.force_login(guest)
    response = client.post(reverse("reviews_write", args=[stayed.pk]), {"rating": "9", "text": "x"})
    assert response.status_code == 400
    assert not Review.objects.exists()


def test_someone_elses_line_is_not_found(client, stayed):
    from tests.factories.accounts import VerifiedUserFactory

    client.force_login(VerifiedUserFactory())
    assert client.get(reverse("reviews_write", args=[stayed.pk])).status_code == 404


def test_the_report_button_takes_a_review_back_to_staff(client, stayed, editor):
    cache.clear()
    review = services.write_review(line_id=stayed.pk, user=stayed.order.user, rating=1, text="差")
    services.publish_review(review, by=editor)
    response = client.post(reverse("reviews_report", args=[review.pk]), {"next": "/"})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.PENDING and review.reported_at
