"""Notices by SMS and e-mail (issue 15 item 5): each goes the way its person chose
(accounts.notices), in their language, with a short link; hosts and farmers hear of new
bookings and orders by SMS by default; the day-before reminder and the farmer's morning list go
out once."""

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from orders import notifications
from orders.models import OrderLine, Payment, Refund
from products.models import FulfilmentStatus, LineFulfilment
from tests.factories.accounts import UserFactory, VerifiedUserFactory
from tests.factories.attractions import AttractionPageFactory, ExperiencePageFactory, TourSlotFactory
from tests.factories.events import EventPageFactory
from tests.factories.homestays import HomestayPageFactory
from tests.factories.orders import OrderFactory
from tests.factories.products import ProducerFactory, ProductFactory

pytestmark = pytest.mark.django_db

TOWN = ZoneInfo("Asia/Shanghai")
# A Thursday morning in the town: "tomorrow" is 15 March 2030.
NOW = datetime.datetime(2030, 3, 14, 8, 0, tzinfo=TOWN)
TOMORROW = datetime.date(2030, 3, 15)


@pytest.fixture
def outbox(sms_outbox):
    return sms_outbox


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run ``call`` and then what it left for after the commit (the SMS tasks)."""

    def running(call, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return call(*args, **kwargs)

    return running


def command(name, run):
    out = io.StringIO()
    run(call_command, name, stdout=out)
    return out.getvalue().strip()


def phone_user(number="+8613900000001", **fields):
    fields.setdefault("display_name", "张三")
    return UserFactory(email=None, phone_number=number, phone_verified=True, **fields)


def both_user(number="+8613900000002", **fields):
    return VerifiedUserFactory(phone_number=number, phone_verified=True, **fields)


def confirmed_order(user, *, language="zh-hans", kind="stay", provider=None, **line_fields):
    order = OrderFactory(user=user, status="confirmed", language=language)
    line_fields.setdefault("title", "桃园小筑")
    line_fields.setdefault("item_name", "大床房")
    line_fields.setdefault("start_date", datetime.date(2030, 4, 1))
    line_fields.setdefault("end_date", datetime.date(2030, 4, 3))
    OrderLine.objects.create(
        order=order,
        kind=kind,
        object_id=1,
        unit_price_fen=15000,
        total_fen=30000,
        provider_user=provider,
        **line_fields,
    )
    return order


# --- the visitor's confirmation: by the channels they have and chose --------------------------


def test_a_phone_only_visitor_gets_the_confirmation_by_sms_in_chinese(outbox, run):
    order = confirmed_order(phone_user())

    run(notifications.send_confirmation.enqueue, order.pk)

    assert mail.outbox == []
    [message] = outbox
    assert message.phone == "+8613900000001"
    assert message.template == "order_confirmed"
    assert message.params == {"ref": order.reference, "url": f"http://localhost/o/{order.reference}/"}
    assert message.text == f"您的预订 {order.reference} 已确认。凭证：http://localhost/o/{order.reference}/"


def test_an_english_visitor_gets_the_sms_in_english_with_an_english_link(outbox, run):
    order = confirmed_order(phone_user(), language="en")

    run(notifications.send_confirmation.enqueue, order.pk)

    [message] = outbox
    assert message.text == (
        f"Your booking {order.reference} is confirmed. Vouchers: http://localhost/en/o/{order.reference}/"
    )


def test_an_email_only_visitor_gets_the_confirmation_by_email_only(outbox, run):
    order = confirmed_order(VerifiedUserFactory(), language="en")

    run(notifications.send_confirmation.enqueue, order.pk)

    assert outbox == []
    [message] = mail.outbox
    assert message.to == [order.user.email]
    assert "is confirmed" in message.subject


def test_a_visitor_with_both_gets_both_and_can_keep_only_sms(outbox, run):
    both = confirmed_order(both_user())
    run(notifications.send_confirmation.enqueue, both.pk)
    assert len(outbox) == 1 and len(mail.outbox) == 1

    outbox.clear()
    mail.outbox.clear()
    sms_only = confirmed_order(both_user("+8613900000009", notify_by_email=False))
    run(notifications.send_confirmation.enqueue, sms_only.pk)
    assert [m.phone for m in outbox] == ["+8613900000009"]
    assert mail.outbox == []


# --- hosts and farmers: alerts by SMS by default ----------------------------------------------


def test_the_host_is_alerted_by_sms_by_default_in_their_language(outbox, run):
    host = both_user("+8613900000088", email="host@example.com", language="en")
    order = confirmed_order(VerifiedUserFactory(), provider=host)

    run(notifications.send_confirmation.enqueue, order.pk)

    [alert] = outbox
    assert alert.phone == "+8613900000088"
    assert alert.template == "provider_new_booking"
    assert alert.text.startswith(f"New booking {order.reference}: 桃园小筑 · 大床房")
    assert f"http://localhost/en/p/{order.reference}/" in alert.text
    assert "李华" in alert.text  # the guest, so the host can call them
    assert "host@example.com" in [m.to[0] for m in mail.outbox]  # e-mail too: chosen by default


def test_the_farmer_is_alerted_of_a_new_order_by_sms(outbox, run):
    farmer = phone_user("+8613900000077")
    order = confirmed_order(
        VerifiedUserFactory(),
        kind="product",
        provider=farmer,
        title="高山土鸡蛋",
        item_name="王大姐",
        start_date=None,
        end_date=None,
    )

    run(notifications.send_confirmation.enqueue, order.pk)

    [alert] = outbox
    assert alert.template == "provider_new_order"
    assert alert.text.startswith(f"新订单 {order.reference}：高山土鸡蛋")


# --- cancellations and refunds --------------------------------------------------------------


def test_a_cancellation_with_a_refund_is_texted_with_the_amount(outbox, run):
    order = confirmed_order(phone_user())

    run(notifications.send_order_mail.enqueue, order.pk, "cancelled", 12000, 30000)

    [message] = outbox
    assert message.template == "order_cancelled_refund"
    assert message.params["amount"] == "¥120.00"
    assert order.reference in message.text and "¥120.00" in message.text


def test_a_refund_is_texted_to_a_phone_only_visitor_and_mailed_to_an_email_only_one(outbox, run):
    for user in (phone_user(), VerifiedUserFactory()):
        order = confirmed_order(user, language="en")
        payment = Payment.objects.create(
            order=order, provider="on_site", amount_fen=30000, status="succeeded"
        )
        refund = Refund.objects.create(payment=payment, amount_fen=5000)
        run(notifications.send_refund_mail.enqueue, refund.pk)

    [message] = outbox
    assert message.template == "refund_issued"
    assert message.text.startswith("Refund of ¥50.00 for ")
    [email] = mail.outbox
    assert "Refund" in email.subject


# --- the day-before reminder ----------------------------------------------------------------


@pytest.mark.date_sensitive
def test_the_reminder_goes_once_and_only_for_tomorrow(outbox, run):
    homestay = HomestayPageFactory(title="桃园小筑", address="桃花村 8 号")
    user = phone_user()
    with time_machine.travel(NOW, tick=False):
        order = confirmed_order(
            user,
            page_id_snapshot=homestay.pk,
            start_date=TOMORROW,
            end_date=TOMORROW + datetime.timedelta(days=2),
            starts_at=datetime.datetime.combine(TOMORROW, datetime.time(14, 0), tzinfo=TOWN),
        )
        later = confirmed_order(
            user,
            start_date=TOMORROW + datetime.timedelta(days=1),
            starts_at=datetime.datetime.combine(
                TOMORROW + datetime.timedelta(days=1), datetime.time(14, 0), tzinfo=TOWN
            ),
        )
        assert command("orders_remind", run) == "1 reminder(s) sent."
        assert command("orders_remind", run) == "0 reminder(s) sent."

    [message] = outbox
    assert message.template == "order_reminder"
    assert message.params["ref"] == order.reference
    assert "14:00" in message.text and "桃园小筑" in message.text and "桃花村 8 号" in message.text
    assert not later.lines.get().reminded_at


@pytest.mark.date_sensitive
def test_the_tour_reminder_names_the_meeting_point_by_email_in_english(outbox, run):
    gate = AttractionPageFactory(title="桃花谷")
    experience = ExperiencePageFactory(meeting_point=gate, meeting_note="南门", schedules=[])
    with time_machine.travel(NOW, tick=False):
        starts_at = datetime.datetime.combine(TOMORROW, datetime.time(9, 30), tzinfo=TOWN)
        slot = TourSlotFactory(experience=experience, starts_at=starts_at)
        order = confirmed_order(
            VerifiedUserFactory(),
            language="en",
            kind="tour",
            start_date=TOMORROW,
            end_date=None,
            starts_at=slot.starts_at,
        )
        order.lines.update(object_id=slot.pk)
        assert command("orders_remind", run) == "1 reminder(s) sent."

    assert outbox == []
    [email] = mail.outbox
    assert email.subject.endswith(f"Tomorrow: your booking {order.reference}")
    assert "09:30, meet at 桃花谷 南门" in email.body


@pytest.mark.date_sensitive
def test_the_event_reminder_names_the_time_and_venue(outbox, run):
    venue = AttractionPageFactory(title="桃花坞")
    with time_machine.travel(NOW, tick=False):
        starts_at = datetime.datetime.combine(TOMORROW, datetime.time(19, 30), tzinfo=TOWN)
        event = EventPageFactory(venue=venue, start=starts_at, end=starts_at + datetime.timedelta(hours=2))
        order = confirmed_order(
            phone_user(),
            kind="ticket",
            title="桃花节",
            item_name="成人票",
            start_date=TOMORROW,
            end_date=None,
            starts_at=starts_at,
            page_id_snapshot=event.pk,
        )
        assert command("orders_remind", run) == "1 reminder(s) sent."

    [message] = outbox
    assert message.text.startswith(f"明天（{order.reference}）：桃花节 19:30，地点：桃花坞。")


# --- the farmer's morning list ----------------------------------------------------------------


@pytest.mark.date_sensitive
def test_the_farmer_gets_todays_deliveries_once(outbox, run):
    farmer = phone_user("+8613900000055")
    producer = ProducerFactory(user=farmer)
    product = ProductFactory(producer=producer, name="蜜桃")
    homestay = HomestayPageFactory(title="桃园小筑", address="桃花村 8 号")
    guest = VerifiedUserFactory()
    today = NOW.date()

    def produce(day, **fields):
        order = confirmed_order(
            guest,
            kind="product",
            provider=farmer,
            title="蜜桃",
            item_name=producer.display_name,
            start_date=None,
            end_date=None,
            options={"delivery": "homestay", "delivery_date": day.isoformat()},
            starts_at=datetime.datetime.combine(day, datetime.time(9, 0), tzinfo=TOWN),
        )
        order.lines.update(object_id=product.pk, quantity=3)
        return order.lines.get()

    with time_machine.travel(NOW, tick=False):
        confirmed_order(guest, page_id_snapshot=homestay.pk, start_date=today, end_date=TOMORROW)
        todays = produce(today)
        handed_over = produce(today)
        LineFulfilment.objects.create(order_line=handed_over, status=FulfilmentStatus.HANDED_OVER)
        tomorrows = produce(TOMORROW)
        assert command("farmer_deliveries", run) == "1 farmer list(s) sent."
        assert command("farmer_deliveries", run) == "0 farmer list(s) sent."

    [message] = outbox
    assert message.phone == "+8613900000055"
    assert message.template == "farmer_deliveries"
    assert message.params["count"] == "1"
    assert "蜜桃 3 盒 → 桃园小筑" in message.text
    todays.refresh_from_db()
    tomorrows.refresh_from_db()
    assert todays.listed_for_provider_at and not tomorrows.listed_for_provider_at


# --- the short links --------------------------------------------------------------------------


def test_the_short_link_opens_the_order_only_for_its_owner(client):
    order = confirmed_order(phone_user())

    response = client.get(f"/o/{order.reference}/")
    assert response.status_code == 302 and response.url == f"/trips/{order.reference}/"
    assert client.get(response.url).status_code == 302  # to log in

    client.force_login(VerifiedUserFactory())
    assert client.get(response.url).status_code == 404
    client.force_login(order.user)
    assert client.get(response.url).status_code == 200


def test_the_providers_link_leads_a_farmer_to_their_orders_and_strangers_nowhere(client):
    farmer = phone_user("+8613900000066")
    order = confirmed_order(VerifiedUserFactory(), kind="product", provider=farmer)

    assert client.get(f"/p/{order.reference}/").status_code == 302  # to log in, nothing looked up
    client.force_login(VerifiedUserFactory())
    assert client.get(f"/p/{order.reference}/").status_code == 404
    client.force_login(farmer)
    response = client.get(f"/p/{order.reference}/")
    assert response.status_code == 302 and response.url == "/farmer/orders/"
    # The missing link target is no hint either: another reference is simply not found.
    assert client.get("/p/TY-2030-NOSUCH/").status_code == 404


def test_the_whole_confirmation_sms_fits_when_sent_with_a_timestamp(outbox, run):
    """A sanity bound: the confirmation text stays one Chinese SMS segment (70 characters) for a
    site on a short domain."""
    order = confirmed_order(phone_user())
    run(notifications.send_confirmation.enqueue, order.pk)
    assert len(outbox[0].text) <= 70
