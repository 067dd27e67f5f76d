"""The demo step: reviews of past stays, published or waiting, some answered; once."""

import datetime

import pytest
from django.utils import timezone

from reviews.demo import load_reviews
from reviews.models import Review, ReviewStatus

from .fixtures import stay_line

pytestmark = pytest.mark.django_db


class Context:
    def log(self, message):
        self.logged = message


def test_the_demo_reviews_past_stays_once_and_keeps_the_rating(guest, homestay, room):
    ago = timezone.localdate() - datetime.timedelta(days=20)
    for _n in range(6):
        stay_line(guest, ago, object_id=room.pk, page_id=homestay.pk, title=homestay.title)
    load_reviews(Context())
    load_reviews(Context())
    reviews = Review.objects.all()
    assert reviews.count() == 3  # at most three per homestay
    published = reviews.filter(status=ReviewStatus.PUBLISHED)
    assert published.exists() and published.exclude(reply="").exists()
    homestay.refresh_from_db()
    assert homestay.review_count == published.count()
