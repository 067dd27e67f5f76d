"""Published reviews on the homestay, product and experience pages and the rating on cards; the
reviews list costs one query whatever the number of reviews; the host answers once."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from products.models import FulfilmentStatus
from reviews import services
from tests.factories.accounts import VerifiedUserFactory
from tests.factories.products import ProducerFactory, ProductFactory, ShopPageFactory
from tests.pages import warm_queries

from .fixtures import product_line, stay_line

pytestmark = pytest.mark.django_db


def published(line, rating, text, by):
    review = services.write_review(line_id=line.pk, user=line.order.user, rating=rating, text=text)
    return services.publish_review(review, by=by)


def guests_reviews(homestay, room, editor, ratings):
    ago = timezone.localdate() - datetime.timedelta(days=10)
    return [
        published(
            stay_line(VerifiedUserFactory(), ago, object_id=room.pk, page_id=homestay.pk),
            rating,
            f"评价{n}",
            editor,
        )
        for n, rating in enumerate(ratings)
    ]


def test_the_homestay_page_shows_its_published_reviews_from_the_content_cache(client, homestay, room, editor):
    bare, response = warm_queries(client, homestay.url)
    assert 'class="review"' not in response.text
    guests_reviews(homestay, room, editor, [5, 4])
    two, response = warm_queries(client, homestay.url)
    assert response.text.count('class="review"') == 2 and "评价0" in response.text
    assert "4.5" in response.text
    guests_reviews(homestay, room, editor, [3] * 8)
    ten, response = warm_queries(client, homestay.url)
    assert response.text.count('class="review"') == 10
    # Warm, the reviews come from the content cache, which publishing moved on.
    assert two == ten == bare


def test_a_pending_or_rejected_review_is_not_shown(client, homestay, room, editor, guest):
    line = stay_line(
        guest, timezone.localdate() - datetime.timedelta(days=4), object_id=room.pk, page_id=homestay.pk
    )
    review = services.write_review(line_id=line.pk, user=guest, rating=1, text="不该出现")
    assert "不该出现" not in client.get(homestay.url).text
    services.reject_review(review, by=editor)
    assert "不该出现" not in client.get(homestay.url).text


def test_the_rating_is_on_the_homestays_card(client, homestay, room, editor):
    guests_reviews(homestay, room, editor, [5, 4, 4])
    page = client.get(homestay.get_parent().url).text
    assert 'class="stay-card"' in page and "4.3" in page and '<span class="rating__count">' in page


def test_the_host_replies_once_and_the_reply_is_on_the_page(client, homestay, room, editor, host):
    (review,) = guests_reviews(homestay, room, editor, [4])
    client.force_login(host)
    mine = client.get(reverse("reviews_for_me"))
    assert mine.status_code == 200 and "评价0" in mine.text
    reply = reverse("reviews_reply", args=[review.pk])
    assert client.post(reply, {"text": "欢迎再来！"}).status_code == 302
    client.post(reply, {"text": "第二次回复"})
    client.logout()
    page = client.get(homestay.url).text
    assert "欢迎再来！" in page and "第二次回复" not in page


def test_someone_else_cannot_reply(client, homestay, room, editor):
    (review,) = guests_reviews(homestay, room, editor, [2])
    client.force_login(VerifiedUserFactory())
    assert "评价0" not in client.get(reverse("reviews_for_me")).text
    client.post(reverse("reviews_reply", args=[review.pk]), {"text": "我不是房东"})
    review.refresh_from_db()
    assert review.reply == ""


def test_the_product_page_and_card_show_the_farmers_reviews(client, home_page, editor):
    shop = ShopPageFactory(parent=home_page)
    producer = ProducerFactory()
    product = ProductFactory(producer=producer, name="高山茶")
    other = ProductFactory(producer=producer, name="野山笋")
    for rating in (5, 3):
        line = product_line(
            VerifiedUserFactory(),
            object_id=product.pk,
            fulfilment=FulfilmentStatus.HANDED_OVER,
            on=timezone.localdate() - datetime.timedelta(days=2),
        )
        published(line, rating, f"茶{rating}", editor)
    product.refresh_from_db()
    assert (product.review_count, str(product.rating_average)) == (2, "4.00")
    page = client.get(f"{shop.url}{product.pk}/").text
    assert "茶5" in page and "茶3" in page
    listing = client.get(shop.url).text
    assert '<span class="rating__count">' in listing and "4.0" in listing and other.name in listing


def test_a_review_shows_on_the_remembered_product_page_with_each_visitors_token(home_page, editor):
    shop = ShopPageFactory(parent=home_page)
    product = ProductFactory(name="高山茶")
    url = f"{shop.url}{product.pk}/"
    visitor, other = Client(), Client()
    visitor.cookies["sessionid"] = "no-such-session"  # never served by the anonymous page cache
    for _i in range(2):
        assert 'class="review"' not in visitor.get(url).text
    line = product_line(
        VerifiedUserFactory(),
        object_id=product.pk,
        fulfilment=FulfilmentStatus.HANDED_OVER,
        on=timezone.localdate() - datetime.timedelta(days=2),
    )
    published(line, 5, "好茶", editor)
    tokens = []
    for client in (visitor, other, visitor):
        page = client.get(url).text
        assert "好茶" in page and "@@" not in page  # the placeholder never reaches a visitor
        report = page.split('id="review-', 1)[1]
        tokens.append(re.search(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"', report)[1])
    # Made for each view (masked anew), never the one the fragment was stored with.
    assert len(set(tokens)) == 3
