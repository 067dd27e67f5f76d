"""Asking to sell and the staff's verification: only a verified producer is a farmer."""

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from wagtail.images import get_image_model

from accounts.roles import EDITORS, FARMERS, MODERATORS, user_in_group
from accounts.services import UnverifiedEmail, assign_role
from products import producers
from products.models import Producer, ProducerStatus
from tests.factories.accounts import SuperuserFactory, UserFactory, VerifiedUserFactory

from .farmer_fixtures import upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def application(village, **extra):
    return {
        "display_name": "汪建国",
        "village": village.pk,
        "story": "祖传三代的茶园，在云雾里。",
        "phone": "+86 139 1234 5678",
        "pickup_address": "上村12号",
        **extra,
    }


def test_a_verified_user_asks_to_sell_and_staff_are_told(client, village, django_capture_on_commit_callbacks):
    reviewer = UserFactory(email="editor@example.com")
    assign_role(reviewer, EDITORS)
    user = VerifiedUserFactory()
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("farmer_apply"), {**application(village), "photo": upload("me.jpg")})
    assert response.status_code == 302
    producer = Producer.objects.get(user=user)
    assert producer.status == ProducerStatus.APPLIED
    assert (producer.display_name, producer.village, producer.phone) == (
        "汪建国",
        village,
        "+86 139 1234 5678",
    )
    assert producer.photo is not None and producer.photo.file.name.endswith(".jpg")
    assert not user_in_group(user, FARMERS)
    assert [m.to for m in mail.outbox] == [["editor@example.com"]]
    assert "汪建国" in mail.outbox[0].subject


def test_an_unverified_address_cannot_ask_to_sell(client, village):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("farmer_apply"), application(village))
    assert response.status_code in (302, 200)
    assert not Producer.objects.exists()
    with pytest.raises(UnverifiedEmail):
        producers.apply(user, **{**application(village), "village": village})


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("farmer_apply"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_bad_application_gets_field_errors_and_saves_nothing(client, village):
    client.force_login(VerifiedUserFactory())
    response = client.post(
        reverse("farmer_apply"),
        {**application(village), "phone": "call me", "display_name": "", "photo": upload("x.gif", "GIF")},
    )
    assert response.status_code == 422
    form = response.context["form"]
    assert set(form.errors) == {"phone", "display_name", "photo"}
    assert not Producer.objects.exists()
    assert not get_image_model().objects.exists()


def test_verification_makes_a_farmer_and_tells_them(
    village, moderator_user, django_capture_on_commit_callbacks
):
    user = VerifiedUserFactory()
    producer = producers.apply(user, **{**application(village), "village": village})
    with django_capture_on_commit_callbacks(execute=True):
        producers.verify(producer, by=moderator_user, note="欢迎！")
    producer.refresh_from_db()
    assert producer.status == ProducerStatus.VERIFIED
    assert producer.verified_by == moderator_user and producer.verified_at is not None
    assert user_in_group(user, FARMERS)
    assert producers.is_farmer(user)
    (message,) = mail.outbox
    assert message.to == [user.email]
    assert "/farmer/" in message.body and "欢迎！" in message.body


def test_a_farmer_who_chose_chinese_on_the_account_page_is_told_in_chinese(
    client, village, moderator_user, django_capture_on_commit_callbacks
):
    user = VerifiedUserFactory(language="en")
    client.force_login(user)
    client.post("/en/accounts/profile/", {"display_name": "汪建国", "phone": "", "language": "zh-hans"})
    producer = producers.apply(user, **{**application(village), "village": village})
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), translation.override("en"):
        producers.verify(producer, by=moderator_user, note="")
    (message,) = mail.outbox
    assert "您现在可以在田园好物销售农产品了" in message.subject


@pytest.mark.parametrize(
    ("language", "subject"),
    [("en", "You can now sell in the Tianyuan farmers' shop"), ("", "您现在可以在田园好物销售农产品了")],
)
def test_the_decision_is_written_in_the_farmer_s_language_else_the_town_s(
    village, moderator_user, django_capture_on_commit_callbacks, language, subject
):
    user = VerifiedUserFactory(language=language)
    producer = producers.apply(user, **{**application(village), "village": village})
    with django_capture_on_commit_callbacks(execute=True), translation.override("en"):
        producers.verify(producer, by=moderator_user, note="")
    (message,) = mail.outbox
    assert subject in message.subject


def test_rejection_needs_a_reason_and_takes_the_role_away(
    village, moderator_user, django_capture_on_commit_callbacks
):
    user = VerifiedUserFactory()
    producer = producers.apply(user, **{**application(village), "village": village})
    producers.verify(producer, by=moderator_user)
    with pytest.raises(ValidationError):
        producers.reject(producer, by=moderator_user, note="  ")
    with django_capture_on_commit_callbacks(execute=True):
        producers.reject(producer, by=moderator_user, note="请补充茶园的照片。")
    producer.refresh_from_db()
    assert producer.status == ProducerStatus.REJECTED
    assert not user_in_group(user, FARMERS)
    assert not producers.is_farmer(user)
    assert "请补充茶园的照片。" in mail.outbox[-1].body


def test_a_rejected_farmer_can_ask_again(client, village, moderator_user):
    user = VerifiedUserFactory()
    producer = producers.apply(user, **{**application(village), "village": village})
    producers.reject(producer, by=moderator_user, note="照片看不清")
    client.force_login(user)
    page = client.get(reverse("farmer_apply"))
    assert "照片看不清" in page.content.decode()
    response = client.post(reverse("farmer_apply"), application(village, story="新的故事"))
    assert response.status_code == 302
    producer.refresh_from_db()
    assert (producer.status, producer.story, producer.status_note) == (ProducerStatus.APPLIED, "新的故事", "")
    assert Producer.objects.count() == 1


def test_a_verified_farmer_cannot_reapply(village, moderator_user):
    user = VerifiedUserFactory()
    producer = producers.apply(user, **{**application(village), "village": village})
    producers.verify(producer, by=moderator_user)
    with pytest.raises(producers.ProducerError):
        producers.apply(user, **{**application(village), "village": village})


def test_a_host_is_not_a_farmer_until_verified(client, village):
    from accounts.roles import HOSTS

    host = VerifiedUserFactory()
    assign_role(host, HOSTS)
    client.force_login(host)
    assert client.get(reverse("farmer_products")).status_code == 403
    assert not producers.is_farmer(host)


# --- the admin -------------------------------------------------------------------------------


@pytest.fixture
def moderator_user(db):
    user = UserFactory(email="mod@example.com")
    assign_role(user, MODERATORS)
    return user


@pytest.fixture
def staff(db):
    """A tourism office editor: the products app lets editors verify producers."""
    from products.services import ensure_product_workflow

    ensure_product_workflow()
    user = UserFactory(email="staff@example.com")
    assign_role(user, EDITORS)
    return user


def test_admin_lists_applications_and_verifies_one(
    client, staff, village, django_capture_on_commit_callbacks
):
    user = VerifiedUserFactory()
    producer = producers.apply(user, **{**application(village), "village": village})
    client.force_login(staff)
    listing = client.get(reverse("products_producer_applications:index"))
    assert listing.status_code == 200
    assert "汪建国" in listing.content.decode()
    review_url = reverse("products_producer_review", args=[producer.pk])
    assert review_url in listing.content.decode()
    page = client.get(review_url)
    assert page.status_code == 200 and "祖传三代的茶园" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(review_url, {"decision": "verify", "note": ""})
    assert response.status_code == 302
    producer.refresh_from_db()
    assert producer.status == ProducerStatus.VERIFIED and producer.verified_by == staff
    assert user_in_group(user, FARMERS)
    assert mail.outbox[-1].to == [user.email]


def test_admin_rejection_without_a_reason_is_refused(client, staff, village):
    producer = producers.apply(VerifiedUserFactory(), **{**application(village), "village": village})
    client.force_login(staff)
    response = client.post(reverse("products_producer_review", args=[producer.pk]), {"decision": "reject"})
    assert response.status_code == 422
    with translation.override("zh-hans"):  # the admin speaks Chinese to this staff member
        assert translation.gettext("Please tell the farmer why.") in response.content.decode()
    producer.refresh_from_db()
    assert producer.status == ProducerStatus.APPLIED


def test_admin_edit_form_has_no_status_field(client, village):
    producer = producers.apply(VerifiedUserFactory(), **{**application(village), "village": village})
    client.force_login(SuperuserFactory())
    response = client.get(reverse("products_producer_applications:edit", args=[producer.pk]))
    assert response.status_code == 200
    form = response.context["form"]
    assert "status" not in form.fields
    assert "supported_household" in form.fields


def test_people_without_the_permission_cannot_review(client, village, moderator_user):
    producer = producers.apply(VerifiedUserFactory(), **{**application(village), "village": village})
    host = UserFactory(is_staff=False)
    host.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(host)
    response = client.post(reverse("products_producer_review", args=[producer.pk]), {"decision": "verify"})
    assert response.status_code in (302, 403)
    producer.refresh_from_db()
    assert producer.status == ProducerStatus.APPLIED
