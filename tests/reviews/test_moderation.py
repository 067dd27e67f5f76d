"""Writing, moderating, reporting and answering reviews (reviews.services, the admin, the API);
the reviewed thing's rating follows what is published."""

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone

from accounts import tokens
from homestays.models import HomestayPage
from reviews import rules, services
from reviews.models import Review, ReviewStatus
from tests.factories.accounts import VerifiedUserFactory

from .fixtures import stay_line

pytestmark = pytest.mark.django_db
URL = "/api/v1/reviews"


def post(client, user, body):
    token = tokens.issue_token(user, name="test")
    return client.post(URL, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")


# --- the API ------------------------------------------------------------------------------------


def test_a_guest_reviews_their_stay_and_it_waits_for_moderation(client, guest, stayed, homestay, room):
    response = post(client, guest, {"order_line_id": stayed.pk, "rating": 5, "text": "竹林很安静。"})
    assert response.status_code == 201, response.content
    review = Review.objects.get()
    assert response.json() == {
        "id": review.pk,
        "order_line_id": stayed.pk,
        "rating": 5,
        "text": "竹林很安静。",
        "status": "pending",
    }
    assert (review.homestay, review.room_type, review.author) == (homestay, room, guest)
    homestay.refresh_from_db()
    assert homestay.review_count == 0 and homestay.rating_average is None


def test_a_second_review_of_the_line_is_a_conflict(client, guest, stayed):
    assert post(client, guest, {"order_line_id": stayed.pk, "rating": 4}).status_code == 201
    response = post(client, guest, {"order_line_id": stayed.pk, "rating": 1, "text": "again"})
    assert response.status_code == 409
    assert response.json()["code"] == "already_reviewed"
    assert Review.objects.get().rating == 4


def test_someone_elses_line_is_forbidden(client, stayed):
    response = post(client, VerifiedUserFactory(), {"order_line_id": stayed.pk, "rating": 5})
    assert response.status_code == 403 and response.json()["code"] == "not_yours"
    assert post(client, VerifiedUserFactory(), {"order_line_id": 999999, "rating": 5}).status_code == 403
    assert not Review.objects.exists()


def test_a_stay_still_to_come_is_forbidden(client, guest, homestay):
    line = stay_line(guest, timezone.localdate() + datetime.timedelta(days=3), page_id=homestay.pk)
    response = post(client, guest, {"order_line_id": line.pk, "rating": 5})
    assert response.status_code == 403 and response.json()["code"] == "too_early"


@pytest.mark.parametrize("rating", [0, 6, -1, "five", None])
def test_a_bad_rating_is_refused_and_nothing_stored(client, guest, stayed, rating):
    response = post(client, guest, {"order_line_id": stayed.pk, "rating": rating})
    assert response.status_code == 422
    assert "rating" in response.json()["detail"][0]["loc"]
    assert not Review.objects.exists()


def test_without_an_account_it_is_401(client, stayed):
    response = client.post(URL, {"order_line_id": stayed.pk, "rating": 5}, content_type="application/json")
    assert response.status_code == 401


# --- moderation and the rating kept on the homestay -----------------------------------------------


def review_of(line, rating, status=ReviewStatus.PENDING):
    review = services.write_review(line_id=line.pk, user=line.order.user, rating=rating)
    Review.objects.filter(pk=review.pk).update(status=status)
    review.refresh_from_db()
    return review


def test_publishing_and_rejecting_keep_the_homestays_rating(guest, homestay, room, editor):
    ago = timezone.localdate() - datetime.timedelta(days=10)
    first = review_of(stay_line(guest, ago, object_id=room.pk, page_id=homestay.pk), 5)
    second = review_of(stay_line(VerifiedUserFactory(), ago, object_id=room.pk, page_id=homestay.pk), 2)
    services.publish_review(first, by=editor)
    homestay.refresh_from_db()
    assert (homestay.review_count, homestay.rating_average) == (1, Decimal("5.00"))
    services.publish_review(second, by=editor)
    homestay.refresh_from_db()
    assert (homestay.review_count, homestay.rating_average) == (2, Decimal("3.50"))
    services.reject_review(first, by=editor)
    homestay.refresh_from_db()
    assert (homestay.review_count, homestay.rating_average) == (1, Decimal("2.00"))
    first.refresh_from_db()
    assert first.status == ReviewStatus.REJECTED and first.moderated_by == editor


def test_an_abuse_report_takes_the_review_back_to_staff(client, stayed, homestay, editor, settings):
    cache.clear()
    review = services.publish_review(review_of(stayed, 1), by=editor)
    response = client.post(f"{URL}/{review.pk}/report", {"reason": "骂人"}, content_type="application/json")
    assert response.status_code == 204
    review.refresh_from_db()
    homestay.refresh_from_db()
    assert review.status == ReviewStatus.PENDING and review.reported_at and review.report_reason == "骂人"
    assert homestay.review_count == 0 and homestay.rating_average is None
    # Not shown any more: nothing to report.
    assert client.post(f"{URL}/{review.pk}/report", {}, content_type="application/json").status_code == 404


def test_abuse_reports_are_rate_limited(client, guest, homestay, room, editor, settings):
    cache.clear()
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "review_report": "2/h/ip"}
    ago = timezone.localdate() - datetime.timedelta(days=10)
    reviews = [
        services.publish_review(
            review_of(stay_line(VerifiedUserFactory(), ago, page_id=homestay.pk), 3), by=editor
        )
        for _ in range(3)
    ]
    codes = [
        client.post(f"{URL}/{r.pk}/report", {}, content_type="application/json").status_code for r in reviews
    ]
    assert codes == [204, 204, 429]
    assert Review.objects.filter(status=ReviewStatus.PUBLISHED).count() == 1


def test_the_host_replies_once_and_only_to_a_published_review(stayed, host, editor):
    review = review_of(stayed, 4)
    with pytest.raises(services.ReviewError):
        services.reply_to_review(review, text="谢谢", by=host)
    services.publish_review(review, by=editor)
    with pytest.raises(rules.ReviewRefused):
        services.reply_to_review(review, text="谢谢", by=VerifiedUserFactory())
    services.reply_to_review(review, text="谢谢您的入住！", by=host)
    review.refresh_from_db()
    assert review.reply == "谢谢您的入住！" and review.replied_by == host
    with pytest.raises(services.ReviewError) as again:
        services.reply_to_review(review, text="再说一句", by=host)
    assert again.value.code == "already_replied"
    review.refresh_from_db()
    assert review.reply == "谢谢您的入住！"


# --- the staff's queue ---------------------------------------------------------------------------


def test_staff_see_the_queue_and_publish_from_the_admin(client, stayed, homestay, editor):
    review = review_of(stayed, 4)
    client.force_login(editor)
    listing = client.get("/admin/reviews/", {"status": "pending"})
    assert listing.status_code == 200 and list(listing.context["object_list"]) == [review]
    assert client.get("/admin/reviews/new/").status_code in (302, 403, 404)
    response = client.post(f"/admin/reviews/edit/{review.pk}/", {"decision": "publish"})
    assert response.status_code == 302, response.content[:2000]
    review.refresh_from_db()
    assert review.status == ReviewStatus.PUBLISHED and review.published_at
    assert HomestayPage.objects.get(pk=homestay.pk).review_count == 1


def test_a_visitor_cannot_moderate(client, stayed, guest):
    review = review_of(stayed, 4)
    client.force_login(guest)
    client.post(f"/admin/reviews/edit/{review.pk}/", {"decision": "publish"})
    review.refresh_from_db()
    assert review.status == ReviewStatus.PENDING
