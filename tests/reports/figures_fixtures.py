"""A small town written out by hand for the figures tests (reports/figures.py).

Two villages, three homestays, a picking tour and a camp, a festival with two ticket types, two
farmers (one a supported household who also hosts a homestay) and a set of orders whose figures
are worked out by hand in tests/reports/test_figures.py. Orders are made directly as rows, with
the fields the real line kinds snapshot (orders/lines.py, attractions/lines.py, events/lines.py,
products/lines.py), so every number is known without going through the checkout.
"""

import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.roles import HOSTS
from orders.models import Order, OrderLine, Payment, Refund, Voucher
from products.models import LineFulfilment, Producer
from tests.factories.accounts import UserFactory
from tests.factories.attractions import ExperiencePageFactory, TourSlotFactory
from tests.factories.events import EventPageFactory, TicketTypeFactory
from tests.factories.homestays import HomestayPageFactory, RoomRateRuleFactory, RoomTypeFactory
from tests.factories.orders import OrderFactory
from tests.factories.products import ProducerFactory, ProductFactory
from tests.factories.town import VillageFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(year, month, day, hour=0, minute=0):
    """An aware datetime in town time."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def d(year, month, day):
    return datetime.date(year, month, day)


# --- orders and lines ---------------------------------------------------------------------------


def make_order(status, *, created=None, cancelled_by=None, user=None):
    """An order without lines; ``finish`` sets its total once the lines are in."""
    extra = {"user": user} if user is not None else {}
    order = OrderFactory(status=status, total_fen=0, cancelled_by=cancelled_by, **extra)
    if cancelled_by is not None:
        Order.objects.filter(pk=order.pk).update(cancelled_at=timezone.now())
    # created_at is auto_now_add: the day an order was placed is set afterwards.
    Order.objects.filter(pk=order.pk).update(created_at=created or at(2026, 9, 1, 10))
    order.refresh_from_db()
    return order


def finish(order, *, paid=True, refunds=(), failed_attempt=False):
    """Set the order's total to its lines' and record its payment (and refunds) like checkout would."""
    total = sum(order.lines.values_list("total_fen", flat=True))
    Order.objects.filter(pk=order.pk).update(total_fen=total)
    order.refresh_from_db()
    if failed_attempt:  # a declined first try: a payment row that must not count twice
        Payment.objects.create(order=order, provider="stripe", amount_fen=total, status="failed")
    if paid and total:
        refunded = sum(refunds)
        status = "succeeded"
        if refunded:
            status = "refunded" if refunded == total else "partially_refunded"
        payment = Payment.objects.create(
            order=order,
            provider="on_site",
            amount_fen=total,
            status=status,
            refunded_fen=refunded,
            paid_at=order.created_at,
        )
        for amount in refunds:
            Refund.objects.create(payment=payment, amount_fen=amount, reason="partial refund")
    return order


def kept_terms(user):
    """The seller fields the checkout keeps on a line (``orders.sellers``): who sells and whether
    they are a supported household now; no commission in these figures."""
    supported = bool(user) and Producer.objects.filter(user=user, supported_household=True).exists()
    return {"seller": user, "seller_supported": supported}


def stay(order, room_type, check_in, nights, *, rooms=1, unit_fen, guests=2):
    """A stay line: ``unit_fen`` is the price of all nights for one room (StayLine.price)."""
    page = room_type.page
    return OrderLine.objects.create(
        order=order,
        kind="stay",
        object_id=room_type.pk,
        title=page.title,
        item_name=room_type.name,
        start_date=check_in,
        end_date=check_in + datetime.timedelta(days=nights),
        nights=nights,
        guests=guests,
        quantity=rooms,
        unit_price_fen=unit_fen,
        total_fen=unit_fen * rooms,
        cancellation_policy="moderate",
        starts_at=datetime.datetime.combine(check_in, datetime.time(14, 0), tzinfo=SHANGHAI),
        provider_user=page.host,
        **kept_terms(page.host),
        page_id_snapshot=page.pk,
        village_id=page.village_id,
    )


def tour(order, slot, *, adults, children=0, total_fen, units=None, used=False):
    """A tour line: quantity is the seats (for camping the pitches), guests the people."""
    experience = slot.experience
    line = OrderLine.objects.create(
        order=order,
        kind="tour",
        object_id=slot.pk,
        title=experience.title,
        item_name=timezone.localtime(slot.starts_at, SHANGHAI).strftime("%Y-%m-%d %H:%M"),
        start_date=timezone.localtime(slot.starts_at, SHANGHAI).date(),
        guests=adults + children,
        quantity=units if units is not None else adults + children,
        unit_price_fen=experience.price_adult_fen,
        total_fen=total_fen,
        options={"adults": adults, "children": children},
        cancellation_policy=experience.cancellation_policy,
        starts_at=slot.starts_at,
        provider_user=experience.owner,
        **kept_terms(experience.owner),
        page_id_snapshot=experience.pk,
        village_id=experience.village_id,
    )
    Voucher.objects.create(order_line=line, used_at=slot.starts_at if used else None)
    return line


def tickets(order, ticket_type, quantity, *, used=False):
    event = ticket_type.page
    line = OrderLine.objects.create(
        order=order,
        kind="ticket",
        object_id=ticket_type.pk,
        title=event.title,
        item_name=ticket_type.name,
        guests=quantity,
        quantity=quantity,
        unit_price_fen=ticket_type.price_fen,
        total_fen=ticket_type.price_fen * quantity,
        cancellation_policy="flexible",
        starts_at=event.start,
        provider_user=None,
        page_id_snapshot=event.pk,
        village_id=event.village_id,
    )
    Voucher.objects.create(order_line=line, used_at=event.start if used else None)
    return line


def produce(order, product, quantity, *, shipping_fen=0, fulfilment=None, done_at=None):
    """A product line (total includes the shipping fee); ``fulfilment`` a FulfilmentStatus value,
    ``done_at`` when it reached that status (LineFulfilment.updated_at)."""
    producer = product.producer
    line = OrderLine.objects.create(
        order=order,
        kind="product",
        object_id=product.pk,
        title=product.name,
        item_name=producer.display_name,
        quantity=quantity,
        unit_price_fen=product.price_fen,
        total_fen=product.price_fen * quantity + shipping_fen,
        options={"delivery": "shipping" if shipping_fen else "pickup"},
        provider_user=producer.user,
        **kept_terms(producer.user),
        village_id=producer.village_id,
    )
    if fulfilment:
        row = LineFulfilment.objects.create(order_line=line, status=fulfilment)
        LineFulfilment.objects.filter(pk=row.pk).update(updated_at=done_at)
    return line


def product_sale(product, quantity, created, *, status="paid"):
    """A one-line produce order placed at ``created``."""
    order = make_order(status, created=created)
    produce(order, product, quantity)
    return finish(order, paid=status != "pending")


# --- the town -----------------------------------------------------------------------------------


def build_town(parent):
    """The fixture town under ``parent`` (the home page). Returns a namespace of what it made."""
    t = SimpleNamespace()
    t.a = VillageFactory(name="桃花坞", slug="taohuawu")
    t.b = VillageFactory(name="茶山村", slug="chashan")
    t.host1 = UserFactory(email="host1@example.com", display_name="李阿婆")
    t.host2 = UserFactory(email="host2@example.com", display_name="王师傅")
    t.guide = UserFactory(email="guide@example.com", display_name="导游小陈")
    t.visitor = UserFactory(email="guest@example.com", display_name="游客")
    t.farmer2 = UserFactory(email="farmer2@example.com", display_name="张大哥")
    hosts = Group.objects.get_or_create(name=HOSTS)[0]  # a homestay's host must be in the group
    t.host1.groups.add(hosts)
    t.host2.groups.add(hosts)

    # Producers: P1 is a supported household and its user is also the host of homestay H1.
    t.p1 = ProducerFactory(user=t.host1, display_name="李阿婆", village=t.a, supported_household=True)
    t.p2 = ProducerFactory(user=t.farmer2, display_name="张大哥", village=t.b, supported_household=False)
    t.eggs = ProductFactory(producer=t.p1, name="土鸡蛋", category="meat_eggs", price_fen=6800)
    t.tea1 = ProductFactory(producer=t.p1, name="高山云雾茶", category="tea", price_fen=12000)
    t.tea2 = ProductFactory(producer=t.p2, name="白茶", category="tea", price_fen=8800)

    # Homestays: H1 (A, 2 + 1 rooms), H2 (B, 2 rooms), H3 (A, 1 room, never booked).
    t.h1 = HomestayPageFactory(parent=parent, title="桃源居", village=t.a, host=t.host1)
    t.r1 = RoomTypeFactory(page=t.h1, name="大床房", units=2, base_price_fen=30000)
    t.r2 = RoomTypeFactory(page=t.h1, name="家庭房", units=1, base_price_fen=40000)
    t.h2 = HomestayPageFactory(parent=parent, title="茶香小院", village=t.b, host=t.host2)
    t.r3 = RoomTypeFactory(page=t.h2, name="双床房", units=2, base_price_fen=25000)
    t.h3 = HomestayPageFactory(parent=parent, title="竹林人家", village=t.a, host=None)
    t.r4 = RoomTypeFactory(page=t.h3, name="单间", units=1, base_price_fen=20000)
    # Closed: r3 the nights of Nov 10, 11, 12 (end date included) -> 3 nights x 2 units = 6
    # room-nights; r2 the nights of Nov 29 .. Dec 2 -> Nov 29, 30 in November (2 x 1 unit), Dec 1,
    # 2 in December. A price rule on r1 closes nothing.
    RoomRateRuleFactory(room_type=t.r3, kind="closed", start_date=d(2026, 11, 10), end_date=d(2026, 11, 12))
    RoomRateRuleFactory(room_type=t.r2, kind="closed", start_date=d(2026, 11, 29), end_date=d(2026, 12, 2))
    RoomRateRuleFactory(
        room_type=t.r1, kind="price", start_date=d(2026, 11, 1), end_date=d(2026, 11, 30), price_fen=100
    )

    # Experiences: E1 picking in A (10 seats a slot), E2 camping in B (5 pitches of 4 people).
    t.e1 = ExperiencePageFactory(
        parent=parent,
        title="草莓采摘",
        village=t.a,
        owner=t.guide,
        schedules=[],
        capacity=10,
        price_adult_fen=8000,
        price_child_fen=4000,
    )
    t.e2 = ExperiencePageFactory(
        parent=parent,
        title="星空露营",
        kind="camping",
        village=t.b,
        owner=t.guide,
        schedules=[],
        capacity=5,
        people_per_pitch=4,
        price_adult_fen=10000,
        price_child_fen=10000,
        duration_minutes=18 * 60,
    )
    t.s1 = TourSlotFactory(experience=t.e1, starts_at=at(2026, 11, 7, 9))  # capacity: E1's 10
    t.s2 = TourSlotFactory(experience=t.e1, starts_at=at(2026, 11, 1, 0, 30), capacity=4)  # Oct 31 UTC
    t.s3 = TourSlotFactory(experience=t.e1, starts_at=at(2026, 10, 31, 23, 30))  # still October locally
    t.s4 = TourSlotFactory(experience=t.e1, starts_at=at(2026, 11, 20, 14))  # nobody booked
    t.c1 = TourSlotFactory(
        experience=t.e2, starts_at=at(2026, 11, 14, 16), duration=datetime.timedelta(hours=18)
    )

    # Events in B: the music festival (two ticket types, 100 + 50 places) and the temple fair.
    t.ev1 = EventPageFactory(
        parent=parent, title="茶山音乐节", village=t.b, start=at(2026, 11, 21, 10), end=at(2026, 11, 21, 18)
    )
    t.ta = TicketTypeFactory(page=t.ev1, name="日票", price_fen=5000, capacity=100)
    t.tb = TicketTypeFactory(page=t.ev1, name="免费登记", price_fen=0, capacity=50)
    t.ev2 = EventPageFactory(
        parent=parent, title="冬至庙会", village=t.b, start=at(2026, 12, 5, 10), end=at(2026, 12, 5, 16)
    )
    t.tc = TicketTypeFactory(page=t.ev2, name="门票", price_fen=5000, capacity=80)

    _stays(t)
    _tours_and_tickets(t)
    _shop(t)
    return t


def _stays(t):
    # o1: r1, 1 room, Nov 5 -> Nov 8 (3 nights), 90000; a failed first payment, then paid.
    t.o1 = make_order("paid")
    stay(t.o1, t.r1, d(2026, 11, 5), 3, unit_fen=90000, guests=2)
    finish(t.o1, failed_attempt=True)
    # o2: r1, 2 rooms, Nov 30 -> Dec 3 (nights Nov 30, Dec 1, Dec 2), 2 x 100001 = 200002.
    t.o2 = make_order("confirmed")
    stay(t.o2, t.r1, d(2026, 11, 30), 3, rooms=2, unit_fen=100001, guests=4)
    finish(t.o2)
    # o3: r3, 1 room, Nov 20 -> Nov 22 (2 nights), 50001, and 2 boxes of white tea shipped
    # (2 x 8800 + 1200 = 18800), ordered Nov 15; order 68801, refunded 3000 + 3881 = 6881.
    t.o3 = make_order("paid", created=at(2026, 11, 15, 10))
    t.o3_stay = stay(t.o3, t.r3, d(2026, 11, 20), 2, unit_fen=50001, guests=1)
    t.o3_tea = produce(t.o3, t.tea2, 2, shipping_fen=1200)
    finish(t.o3, refunds=(3000, 3881))
    # o4: cancelled by the visitor: r3, 1 room, Nov 24 -> Nov 26 (2 nights), 50000.
    t.o4 = make_order("cancelled", cancelled_by=t.visitor)
    stay(t.o4, t.r3, d(2026, 11, 24), 2, unit_fen=50000)
    finish(t.o4, paid=False)
    # o4b: refunded in full (no cancelled_by): r2, 1 room, Nov 14 -> Nov 15 (1 night), 40000.
    t.o4b = make_order("refunded")
    stay(t.o4b, t.r2, d(2026, 11, 14), 1, unit_fen=40000)
    finish(t.o4b, refunds=(40000,))
    # o5: a checkout that lapsed unpaid (cancelled, nobody cancelled it): r1, Nov 10 -> Nov 12.
    t.o5 = make_order("cancelled")
    stay(t.o5, t.r1, d(2026, 11, 10), 2, unit_fen=60000)
    finish(t.o5, paid=False)
    # o6: still pending: r2, Nov 16 -> Nov 18.
    t.o6 = make_order("pending")
    stay(t.o6, t.r2, d(2026, 11, 16), 2, unit_fen=80000)
    finish(t.o6, paid=False)
    # o7: October: r1, 1 room, Oct 28 -> Oct 31 (3 nights), 84000.
    t.o7 = make_order("completed")
    stay(t.o7, t.r1, d(2026, 10, 28), 3, unit_fen=84000, guests=2)
    finish(t.o7)
    # o8: a year before: r3, 1 room, Dec 10 -> Dec 12 2025 (2 nights), 40000.
    t.o8 = make_order("completed", created=at(2025, 11, 1, 10))
    stay(t.o8, t.r3, d(2025, 12, 10), 2, unit_fen=40000, guests=2)
    finish(t.o8)


def _tours_and_tickets(t):
    # s1 (Nov 7): 2 adults + 1 child = 3 seats, 20000, checked in; 2 adults, 16000, not checked in;
    # a pending 4 and a cancelled 1 that do not count.
    t.t1 = make_order("paid")
    tour(t.t1, t.s1, adults=2, children=1, total_fen=20000, used=True)
    finish(t.t1)
    t.t2 = make_order("confirmed")
    tour(t.t2, t.s1, adults=2, total_fen=16000)
    finish(t.t2)
    t.t3 = make_order("pending")
    tour(t.t3, t.s1, adults=4, total_fen=32000)
    finish(t.t3, paid=False)
    t.t4 = make_order("cancelled", cancelled_by=t.visitor)
    tour(t.t4, t.s1, adults=1, total_fen=8000)
    finish(t.t4, paid=False)
    # s2 (Nov 1, 00:30 town time): 4 of its own 4 seats, 32000, all checked in.
    t.t5 = make_order("paid")
    tour(t.t5, t.s2, adults=4, total_fen=32000, used=True)
    finish(t.t5)
    # s3 (Oct 31, 23:30 town time): 2 seats, 16000, checked in.
    t.t6 = make_order("paid")
    tour(t.t6, t.s3, adults=2, total_fen=16000, used=True)
    finish(t.t6)
    # c1 (camping, Nov 14): 5 people -> ceil(5 / 4) = 2 pitches, 50000, checked in.
    t.t7 = make_order("paid")
    tour(t.t7, t.c1, adults=5, total_fen=50000, units=2, used=True)
    finish(t.t7)
    # ev1 (Nov 21): 3 day passes, 15000, checked in; 2 free registrations (order total 0), not
    # checked in; 5 day passes pending.
    t.k1 = make_order("paid")
    tickets(t.k1, t.ta, 3, used=True)
    finish(t.k1)
    t.k2 = make_order("confirmed")
    tickets(t.k2, t.tb, 2)
    finish(t.k2, paid=False)
    t.k3 = make_order("pending")
    tickets(t.k3, t.ta, 5)
    finish(t.k3, paid=False)
    # ev2 (Dec 5): 2 tickets, 10000.
    t.k4 = make_order("paid")
    tickets(t.k4, t.tc, 2)
    finish(t.k4)


def _shop(t):
    # p10, Nov 3 10:00: 2 x eggs 13600 handed over at 14:00 (4 h); 1 tea 12000 + 1200 shipping,
    # packed only (open).
    t.p10 = make_order("paid", created=at(2026, 11, 3, 10))
    produce(t.p10, t.eggs, 2, fulfilment="handed_over", done_at=at(2026, 11, 3, 14))
    produce(t.p10, t.tea1, 1, shipping_fen=1200, fulfilment="packed", done_at=at(2026, 11, 3, 15))
    finish(t.p10)
    # p11, Nov 10 08:00 (completed): 3 x white tea 26400 + 1200 shipping, shipped Nov 11 20:00
    # (36 h); 1 x eggs 6800 handed over at 10:00 (2 h). One order, two producers.
    t.p11 = make_order("completed", created=at(2026, 11, 10, 8))
    produce(t.p11, t.tea2, 3, shipping_fen=1200, fulfilment="shipped", done_at=at(2026, 11, 11, 20))
    produce(t.p11, t.eggs, 1, fulfilment="handed_over", done_at=at(2026, 11, 10, 10))
    finish(t.p11)
    # p14, Nov 1 00:30 town time (Oct 31 UTC): 1 x eggs 6800, nothing done yet.
    t.p14 = product_sale(t.eggs, 1, at(2026, 11, 1, 0, 30))
    # p12 pending and p17 cancelled by the visitor: not sales.
    t.p12 = product_sale(t.eggs, 5, at(2026, 11, 5, 9), status="pending")
    t.p17 = make_order("cancelled", created=at(2026, 11, 6, 9), cancelled_by=t.visitor)
    produce(t.p17, t.tea1, 1)
    finish(t.p17, paid=False)
    # p13, Oct 31 23:30 town time: 1 x eggs 6800 (October).
    t.p13 = product_sale(t.eggs, 1, at(2026, 10, 31, 23, 30))
    # p15, Dec 2 2026: 1 x eggs 6800. p16, Dec 5 2025: 1 x white tea 8800.
    t.p15 = product_sale(t.eggs, 1, at(2026, 12, 2, 9))
    t.p16 = product_sale(t.tea2, 1, at(2025, 12, 5, 9))


def add_more_orders(t, n=10):
    """``n`` more stays, tours, tickets and produce lines (and a new slot and producer): the number
    of queries of every figure must not change."""
    extra_slot = TourSlotFactory(experience=t.e1, starts_at=at(2026, 11, 25, 9))
    p5 = ProducerFactory(village=t.a, supported_household=True)
    honey = ProductFactory(producer=p5, name="蜂蜜", category="processed", price_fen=5000)
    for i in range(n):
        order = make_order("paid", created=at(2026, 11, 2 + i, 11))
        stay(order, t.r1 if i % 2 else t.r3, d(2026, 11, 1 + i), 2, unit_fen=50000 + i)
        tour(order, extra_slot if i % 2 else t.s1, adults=1, total_fen=8000, used=bool(i % 3))
        tickets(order, t.ta, 1, used=bool(i % 2))
        produce(
            order,
            honey if i % 2 else t.tea2,
            1 + i % 3,
            fulfilment="shipped" if i % 2 else None,
            done_at=at(2026, 11, 3 + i, 12),
        )
        finish(order, refunds=(100,) if i % 4 == 0 else ())
