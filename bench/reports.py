"""Benchmark: the town's reports and dashboard over a generated year of sales.

For each database it generates a town — 8 villages, 60 homestays × 3 room types, 10
experiences with daily slots, 12 events × 3 ticket types, 40 producers (a third of them
supported households) with 200 products — and a year of orders before "today" with first
10,000 order lines (the baseline, measured in the same run), then 100,000: about 35% stays of
1-4 nights, 25% tours, 15% tickets, 25% produce, 1-3 lines an order; mostly paid or completed,
~5% pending, ~7% cancelled, ~2% refunded, ~3% partly refunded; vouchers (~70% of the sold tour
and ticket ones used) and fulfilments of ~80% of the sold produce lines. After each size it times
every function of ``reports.figures`` (cache cleared before every run: the figures are cached)
over the last whole month and the 12 whole months before this one, ``dashboard()`` and
``town_in_numbers()``: median and max of ``--runs`` runs and the queries of one run; and (3 runs
each) the four admin report pages, on their default period and on the year, a CSV export and the
admin home, through Django's test client as a superuser.
It prints one table per database with each figure's ratio to the first size's row.

Not a test: nothing is asserted and ``make test`` does not run it (pytest collects ``tests/``
only). Usage (2 to 5 minutes for each database, with both sizes):

    .venv/bin/python bench/reports.py                        # SQLite, 10,000 and 100,000 lines
    .venv/bin/python bench/reports.py --lines 2000 --runs 2  # a quick look at the generator
    BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/reports.py

With ``BENCH_POSTGRES_URL`` set it also runs on that server, in a database named
``tianyuan_bench_reports`` created for the run and dropped after it. Each database runs in its
own process; SQLite in a throwaway file. "Today" is today's date unless ``--today`` pins it (the
admin pages' default period is the real today's month). Rows are bulk-inserted (page tree paths
computed as treebeard would, by bench/search.py's ``Town._insert_pages``; auto_now dates switched
off so orders spread over the year), so 100,000 lines take one to two minutes to build.
"""

import argparse
import datetime
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
import warnings
from pathlib import Path
from urllib.parse import urlsplit

# The site's modules are imported inside the functions below, never at the top: each process
# first picks its database and settings and calls django.setup() (models need the app registry).
ROOT = Path(__file__).resolve().parents[1]
# The repository first: run as a script, bench/ comes first on the path and its search.py would
# shadow the search app.
sys.path.insert(0, str(ROOT))

from bench import search as search_bench  # noqa: E402

POSTGRES_DATABASE = "tianyuan_bench_reports"
RESULT_PREFIX = search_bench.RESULT_PREFIX
TZ_NAME = "Asia/Shanghai"

# Share of the order lines of each kind (the rest of an order's lines are drawn the same way).
MIX = (("stay", 0.35), ("tour", 0.25), ("ticket", 0.15), ("product", 0.25))
LINES_PER_ORDER = ((1, 0.5), (2, 0.3), (3, 0.2))
NIGHTS = ((1, 0.35), (2, 0.30), (3, 0.20), (4, 0.15))
# Order statuses before any refund; "refunded" orders are cancelled ones refunded in full.
STATUSES = (("sold", 0.86), ("pending", 0.05), ("cancelled", 0.07), ("refunded", 0.02))
PARTIAL_REFUND_SHARE = 0.03  # of the sold orders: part of the money given back, order kept
VOUCHER_USED_SHARE = 0.70  # of the sold tour and ticket lines whose start has passed
FULFILLED_SHARE = 0.80  # of the sold produce lines

# bench/search.py's six villages and two more.
VILLAGES = search_bench.VILLAGES + (
    ("梯田村", "titian", 29.58, 118.22),
    ("荷塘村", "hetang", 29.64, 118.35),
)
HOMESTAYS, ROOM_TYPES = 60, (("大床房", 2), ("双床房", 2), ("家庭房", 4))
EXPERIENCES = (
    ("草莓采摘", "picking", ("09:00", "14:00")),
    ("茶园研学", "tea_study", ("09:30",)),
    ("稻田农耕", "farming_study", ("09:00", "14:30")),
    ("竹林露营", "camping", ("16:00",)),
    ("竹编手作", "craft", ("10:00", "15:00")),
    ("杨梅采摘", "picking", ("08:30", "13:30")),
    ("古村研学", "farming_study", ("09:00",)),
    ("陶艺手作", "craft", ("10:00", "14:00")),
    ("湖畔露营", "camping", ("16:30",)),
    ("桃子采摘", "picking", ("09:00", "15:00")),
)
EVENTS = 12
TICKET_TYPES = (("日票", 8000, 3000, 0.6), ("家庭票", 18000, 1200, 0.25), ("免费登记", 0, 800, 0.15))
PRODUCERS, PRODUCTS = 40, 200
VISITORS = 3000
SHIPPING_FEE_FEN = 1200


def pick(rng, weighted):
    """One value of ((value, weight), ...)."""
    return rng.choices([v for v, *_rest in weighted], weights=[w[-1] for w in weighted])[0]


def month_start(day, back=0):
    """The first day of ``day``'s month, ``back`` months earlier."""
    index = day.year * 12 + day.month - 1 - back
    return datetime.date(index // 12, index % 12 + 1, 1)


def reference(serial):
    """Unique order references in the real format (TY-year-6 letters), from a serial number."""
    from orders.models.orders import REFERENCE_ALPHABET

    letters = []
    for _i in range(6):
        serial, digit = divmod(serial, len(REFERENCE_ALPHABET))
        letters.append(REFERENCE_ALPHABET[digit])
    return "".join(reversed(letters))


class Town(search_bench.Town):
    """The town and its year of orders; ``grow_to(n)`` adds orders until there are n lines.

    Borrows ``_insert_pages`` from bench/search.py's Town (pages bulk-inserted under the site
    root); everything else is its own.
    """

    def __init__(self, today, seed=1):
        from django.db import transaction
        from wagtail.models import Locale, Site

        from accounts.models import User

        self.rng = random.Random(seed)
        self.today = today
        self.tz = datetime.timezone(datetime.timedelta(hours=8))  # Asia/Shanghai has no DST
        self.first_day = today - datetime.timedelta(days=365)
        self.locale = Locale.get_default()
        self.root = Site.objects.get(is_default_site=True).root_page
        self.serial = self.root.get_children().count()
        self.lines = 0
        self.orders = 0
        self.room_nights = {}  # (room type id, night) -> rooms taken
        self.slot_seats = {}  # slot id -> units taken
        self.tickets_sold = {}  # ticket type id -> tickets taken
        with transaction.atomic():
            self.staff = User.objects.create_superuser("bench-staff@example.com", "bench")
            self.villages = self._villages()
            self.visitors = self._users("visitor", VISITORS)
            self._homestays()
            self._experiences()
            self._events()
            self._producers()

    # --- the town --------------------------------------------------------------------------

    def _users(self, prefix, n):
        from accounts.models import User

        made = User.objects.bulk_create(
            [User(email=f"bench-{prefix}{i}@example.com", display_name=f"{prefix} {i}") for i in range(n)],
            batch_size=1000,
        )
        return [u.pk for u in made]

    def _villages(self):
        from town.models import Village

        return Village.objects.bulk_create(
            [
                Village(name=name, slug=slug, latitude=lat, longitude=lon, locale=self.locale)
                for name, slug, lat, lon in VILLAGES
            ]
        )

    def _homestays(self):
        from homestays.models import HomestayPage, RateRuleKind, RoomRateRule, RoomType, new_ical_token
        from orders.policies import CancellationPolicy

        hosts = self._users("host", HOMESTAYS)
        specifics = []
        for i in range(HOMESTAYS):
            village = self.villages[i % len(self.villages)]
            specifics.append(
                {
                    "title": f"{village.name}山居 {i + 1}",
                    "summary": "山里的安静民宿",
                    "address": f"{village.name} {i + 1} 号",
                    "village_id": village.pk,
                    "host_id": hosts[i],
                    "cancellation_policy": self.rng.choice(CancellationPolicy.values),
                }
            )
        page_ids = self._insert_pages(HomestayPage, specifics)
        rooms = []
        for page_id in page_ids:
            for k, (name, sleeps) in enumerate(ROOM_TYPES):
                base = self.rng.randrange(180, 881, 10) * 100
                rooms.append(
                    RoomType(
                        page_id=page_id,
                        sort_order=k,
                        locale=self.locale,
                        translation_key=uuid.uuid4(),
                        name=name,
                        max_guests=sleeps,
                        units=self.rng.choice((1, 2, 2, 3, 4)),
                        base_price_fen=base,
                        weekend_price_fen=base + 8000,
                        ical_token=new_ical_token(),
                    )
                )
        self.room_types = RoomType.objects.bulk_create(rooms, batch_size=500)
        self.homestays = dict(zip(page_ids, specifics, strict=True))
        # A few closed nights per room type (the host's own use): they lower the nights to sell.
        closed = []
        for rt in self.room_types:
            for _i in range(3):
                first = self.first_day + datetime.timedelta(days=self.rng.randrange(400))
                length = self.rng.randrange(3)  # end_date is the last closed night
                closed.append(
                    RoomRateRule(
                        room_type_id=rt.pk,
                        kind=RateRuleKind.CLOSED,
                        start_date=first,
                        end_date=first + datetime.timedelta(days=length),
                    )
                )
                for n in range(length + 1):  # nothing sold on a closed night
                    self.room_nights[(rt.pk, first + datetime.timedelta(days=n))] = rt.units
        RoomRateRule.objects.bulk_create(closed, batch_size=1000)

    def _experiences(self):
        from wagtail.models import Page

        from attractions.models import ExperiencePage, TourSlot

        guides = self._users("guide", 5)
        specifics = []
        for i, (title, kind, _times) in enumerate(EXPERIENCES):
            price = self.rng.randrange(60, 300, 10) * 100
            specifics.append(
                {
                    "title": title,
                    "kind": kind,
                    "intro": f"{title}，半天的乡村时光。",
                    "village_id": self.villages[i % len(self.villages)].pk,
                    "price_adult_fen": price,
                    "price_child_fen": price // 2,
                    "capacity": 12 if kind == "camping" else 20,
                    "duration_minutes": 1080 if kind == "camping" else 180,
                }
            )
        ids = self._insert_pages(ExperiencePage, specifics)
        self.experiences = {}
        slots = []
        days = (self.today - self.first_day).days + 91  # the year, and bookings 90 days ahead
        for i, (pk, spec, (_title, _kind, times)) in enumerate(zip(ids, specifics, EXPERIENCES, strict=True)):
            owner = guides[i % len(guides)]  # the guide: the tour line's provider is the page owner
            Page.objects.filter(pk=pk).update(owner_id=owner)
            self.experiences[pk] = {**spec, "owner_id": owner}
            for d in range(days):
                day = self.first_day + datetime.timedelta(days=d)
                for hhmm in times:
                    start = datetime.datetime.combine(day, datetime.time.fromisoformat(hhmm), tzinfo=self.tz)
                    slots.append(
                        TourSlot(
                            experience_id=pk,
                            starts_at=start,
                            ends_at=start + datetime.timedelta(minutes=spec["duration_minutes"]),
                        )
                    )
        slots = TourSlot.objects.bulk_create(slots, batch_size=2000)
        self.slots_by_day = {}
        for slot in slots:
            local = slot.starts_at.astimezone(self.tz)
            self.slots_by_day.setdefault(local.date(), []).append(slot)

    def _events(self):
        from events.models import EventPage, TicketType

        specifics = []
        for k in range(EVENTS):
            # One a month, the last a few days ahead: tickets sell in the weeks before each.
            start = datetime.datetime.combine(
                self.today - datetime.timedelta(days=320 - 30 * k), datetime.time(9), tzinfo=self.tz
            )
            village = self.villages[k % len(self.villages)]
            specifics.append(
                {
                    "title": f"{village.name}{('桃花', '荷花', '丰收', '茶')[k % 4]}节 {k + 1}",
                    "intro": "市集和演出。",
                    "organiser": "青溪镇旅游办",
                    "village_id": village.pk,
                    "start": start,
                    "end": start + datetime.timedelta(days=self.rng.randrange(1, 4)),
                }
            )
        ids = self._insert_pages(EventPage, specifics)
        types = []
        for pk in ids:
            for k, (name, price, capacity, _weight) in enumerate(TICKET_TYPES):
                types.append(
                    TicketType(
                        page_id=pk,
                        sort_order=k,
                        locale=self.locale,
                        translation_key=uuid.uuid4(),
                        name=name,
                        price_fen=price,
                        capacity=capacity,
                        max_per_order=10,
                    )
                )
        types = TicketType.objects.bulk_create(types)
        self.events = []  # (start, page id, spec, [ticket types])
        for pk, spec in zip(ids, specifics, strict=True):
            self.events.append((spec["start"], pk, spec, [t for t in types if t.page_id == pk]))

    def _producers(self):
        from products.models import Producer, ProducerStatus, Product, ProductCategory

        users = self._users("farmer", PRODUCERS)
        producers = Producer.objects.bulk_create(
            [
                Producer(
                    user_id=user,
                    display_name=f"农户{i}",
                    village=self.villages[i % len(self.villages)],
                    phone="+86 139 0000 0000",
                    status=ProducerStatus.VERIFIED,
                    supported_household=i % 3 == 0,
                )
                for i, user in enumerate(users)
            ]
        )
        products = []
        for i in range(PRODUCTS):
            producer = producers[i % len(producers)]
            adjective, food = (
                self.rng.choice(("高山", "有机", "新鲜")),
                self.rng.choice(("草莓", "茶叶", "米")),
            )
            products.append(
                Product(
                    producer=producer,
                    name=f"{adjective}{food} {i}",
                    category=self.rng.choice(ProductCategory.values),
                    price_fen=self.rng.randrange(10, 400, 5) * 100,
                    stock=100000,
                    origin_village=producer.village,
                    offers_shipping=True,
                    offers_homestay_delivery=True,
                    live=True,
                    locale=self.locale,
                    translation_key=uuid.uuid4(),
                )
            )
        self.products = Product.objects.bulk_create(products, batch_size=500)
        self.producers = {p.pk: p for p in producers}

    # --- the orders ------------------------------------------------------------------------

    def grow_to(self, lines):
        """Add orders (with their lines, payments, refunds, vouchers, reservations, fulfilments)
        until the town has ``lines`` order lines. Returns the seconds it took."""
        from django.db import transaction

        started = time.monotonic()
        batch = []
        while self.lines < lines:
            count = min(pick(self.rng, LINES_PER_ORDER), lines - self.lines)
            batch.append(self._order(count))
            self.lines += count
            if len(batch) == 5000:
                with transaction.atomic():
                    self._insert(batch)
                batch = []
        if batch:
            with transaction.atomic():
                self._insert(batch)
        return time.monotonic() - started

    def _created_at(self):
        # Busier in spring, summer holidays and the autumn week; quieter in winter.
        weights = (0.6, 0.7, 1.0, 1.2, 1.1, 1.0, 1.3, 1.3, 1.0, 1.2, 0.8, 0.7)
        while True:
            day = self.first_day + datetime.timedelta(days=self.rng.randrange(1, 366))
            if self.rng.random() * 1.3 < weights[day.month - 1]:
                break
        moment = datetime.time(self.rng.randrange(7, 23), self.rng.randrange(60), self.rng.randrange(60))
        return datetime.datetime.combine(day, moment, tzinfo=self.tz)

    def _order(self, count):
        """One order as plain dicts; the lines' capacity is taken only when the order is a sale."""
        created = self._created_at()
        status = pick(self.rng, STATUSES)
        takes = status in ("sold", "pending")
        lines = []
        for _i in range(count):
            kind = pick(self.rng, MIX)
            line = getattr(self, f"_{kind}")(created, takes) or self._product(created, takes)
            lines.append(line)
        return {"created": created, "status": status, "lines": lines, "user": self.rng.choice(self.visitors)}

    def _lead(self, mean, most):
        return datetime.timedelta(days=min(int(self.rng.expovariate(1 / mean)), most))

    def _stay(self, created, takes):
        for _attempt in range(10):
            rt = self.rng.choice(self.room_types)
            check_in = created.date() + self._lead(12, 90)
            nights = pick(self.rng, NIGHTS)
            dates = [check_in + datetime.timedelta(days=n) for n in range(nights)]
            if takes and any(self.room_nights.get((rt.pk, d), 0) >= rt.units for d in dates):
                continue
            if takes:
                for d in dates:
                    self.room_nights[(rt.pk, d)] = self.room_nights.get((rt.pk, d), 0) + 1
            breakdown = [
                {
                    "night": d.isoformat(),
                    "price_fen": rt.weekend_price_fen if d.weekday() >= 4 else rt.base_price_fen,
                }
                for d in dates
            ]
            unit = sum(n["price_fen"] for n in breakdown)
            home = self.homestays[rt.page_id]
            return {
                "kind": "stay",
                "object_id": rt.pk,
                "title": home["title"],
                "item_name": rt.name,
                "start_date": check_in,
                "end_date": dates[-1] + datetime.timedelta(days=1),
                "nights": nights,
                "guests": self.rng.randint(1, rt.max_guests),
                "quantity": 1,
                "unit_price_fen": unit,
                "total_fen": unit,
                "breakdown": breakdown,
                "cancellation_policy": home["cancellation_policy"],
                "starts_at": datetime.datetime.combine(check_in, datetime.time(14), tzinfo=self.tz),
                "provider_user_id": home["host_id"],
                "page_id_snapshot": rt.page_id,
                "village_id": home["village_id"],
            }
        return None

    def _tour(self, created, takes):
        for _attempt in range(10):
            day = created.date() + self._lead(6, 60)
            slots = [s for s in self.slots_by_day.get(day, ()) if s.starts_at > created]
            if not slots:
                continue
            slot = self.rng.choice(slots)
            exp = self.experiences[slot.experience_id]
            adults, children = self.rng.randint(1, 4), self.rng.choice((0, 0, 1, 2))
            people = adults + children
            units = -(-people // 4) if exp["kind"] == "camping" else people
            if takes and self.slot_seats.get(slot.pk, 0) + units > exp["capacity"]:
                continue
            if takes:
                self.slot_seats[slot.pk] = self.slot_seats.get(slot.pk, 0) + units
            total = adults * exp["price_adult_fen"] + children * exp["price_child_fen"]
            breakdown = [{"who": "adult", "count": adults, "unit_fen": exp["price_adult_fen"]}]
            if children:
                breakdown.append({"who": "child", "count": children, "unit_fen": exp["price_child_fen"]})
            local = slot.starts_at.astimezone(self.tz)
            return {
                "kind": "tour",
                "object_id": slot.pk,
                "title": exp["title"],
                "item_name": local.strftime("%Y-%m-%d %H:%M"),
                "start_date": local.date(),
                "end_date": None,
                "guests": people,
                "quantity": units,
                "options": {"adults": adults, "children": children},
                "unit_price_fen": exp["price_adult_fen"],
                "total_fen": total,
                "breakdown": breakdown,
                "cancellation_policy": "moderate",
                "starts_at": slot.starts_at,
                "provider_user_id": exp["owner_id"],
                "page_id_snapshot": slot.experience_id,
                "village_id": exp["village_id"],
            }
        return None

    def _ticket(self, created, takes):
        # The next event starting within 60 days of the order.
        upcoming = [e for e in self.events if created < e[0] <= created + datetime.timedelta(days=60)]
        for _attempt in range(5):
            if not upcoming:
                return None
            start, page_id, spec, types = self.rng.choice(upcoming)
            ticket = self.rng.choices(types, weights=[w for *_x, w in TICKET_TYPES])[0]
            quantity = self.rng.choice((1, 1, 2, 2, 3, 4))
            if takes and self.tickets_sold.get(ticket.pk, 0) + quantity > ticket.capacity:
                continue
            if takes:
                self.tickets_sold[ticket.pk] = self.tickets_sold.get(ticket.pk, 0) + quantity
            return {
                "kind": "ticket",
                "object_id": ticket.pk,
                "title": spec["title"],
                "item_name": ticket.name,
                "guests": quantity,
                "quantity": quantity,
                "unit_price_fen": ticket.price_fen,
                "total_fen": ticket.price_fen * quantity,
                "cancellation_policy": "flexible",
                "starts_at": start,
                "provider_user_id": None,
                "page_id_snapshot": page_id,
                "village_id": spec["village_id"],
            }
        return None

    def _product(self, created, takes):
        product = self.rng.choice(self.products)
        producer = self.producers[product.producer_id]
        quantity = self.rng.choice((1, 1, 2, 2, 3, 5))
        delivery = pick(self.rng, (("pickup", 0.5), ("shipping", 0.35), ("homestay", 0.15)))
        options = {"delivery": delivery}
        total = product.price_fen * quantity
        breakdown = [{"unit_price_fen": product.price_fen, "quantity": quantity, "unit": product.unit}]
        starts_at = None
        if delivery == "shipping":
            options.update(shipping_region="浙江", shipping_address="杭州市西湖区 1 号")
            total += SHIPPING_FEE_FEN
            breakdown.append({"shipping_region": "浙江", "shipping_fen": SHIPPING_FEE_FEN})
        elif delivery == "homestay":
            day = created.date() + datetime.timedelta(days=1)
            options["delivery_date"] = day.isoformat()
            starts_at = datetime.datetime.combine(day, datetime.time(9), tzinfo=self.tz)
        return {
            "kind": "product",
            "object_id": product.pk,
            "title": product.name,
            "item_name": producer.display_name,
            "guests": 1,
            "quantity": quantity,
            "options": options,
            "unit_price_fen": product.price_fen,
            "total_fen": total,
            "breakdown": breakdown,
            "starts_at": starts_at,
            "provider_user_id": producer.user_id,
            "page_id_snapshot": None,
            "village_id": producer.village_id,
        }

    def _canceller(self, spec):
        """The visitor themselves mostly; staff now and then."""
        return self.staff.pk if self.rng.random() < 0.2 else spec["user"]

    def _insert(self, batch):
        """Bulk-insert a batch of orders and everything that hangs off them, as the checkout,
        payments, cancellations, gate and farmer dashboard would have left them."""
        from orders.models import (
            Order,
            OrderLine,
            OrderStatus,
            Payment,
            PaymentStatus,
            Refund,
            Reservation,
            ReservationStatus,
            Voucher,
        )
        from products.models import FulfilmentStatus, LineFulfilment

        rng, hour = self.rng, datetime.timedelta(hours=1)
        now = datetime.datetime.combine(self.today, datetime.time(23, 59), tzinfo=self.tz)
        orders = []
        for spec in batch:
            self.orders += 1
            created, lines = spec["created"], spec["lines"]
            last_start = max((line["starts_at"] or created) for line in lines)
            total = sum(line["total_fen"] for line in lines)
            status = {
                "sold": OrderStatus.COMPLETED if last_start < now - 24 * hour else OrderStatus.PAID,
                "pending": OrderStatus.PENDING,
                "cancelled": OrderStatus.CANCELLED,
                "refunded": OrderStatus.REFUNDED,
            }[spec["status"]]
            on_site = spec["status"] == "sold" and lines[0]["kind"] == "stay" and rng.random() < 0.15
            if on_site and status == OrderStatus.PAID:
                status = OrderStatus.CONFIRMED  # paid at the homestay, on arrival
            spec["on_site"] = on_site
            cancelled = status in (OrderStatus.CANCELLED, OrderStatus.REFUNDED)
            cancelled_at = (
                created + datetime.timedelta(hours=rng.randrange(1, 24 * 10)) if cancelled else None
            )
            orders.append(
                Order(
                    reference=f"TY-{created.year}-{reference(self.orders)}",
                    user_id=spec["user"],
                    status=status,
                    total_fen=total,
                    contact_name="李华",
                    contact_phone="+86 138 0000 0000",
                    language="zh-hans",
                    hold_expires_at=created + datetime.timedelta(minutes=30),
                    cancelled_at=cancelled_at,
                    cancelled_by_id=self._canceller(spec) if cancelled else None,
                    cancel_reason="行程有变" if cancelled else "",
                    created_at=created,
                    updated_at=cancelled_at or created,
                )
            )
        from reports.history import keeping_dates

        with keeping_dates(Order):
            orders = Order.objects.bulk_create(orders, batch_size=1000)

        order_lines = []
        for order, spec in zip(orders, batch, strict=True):
            for line in spec["lines"]:
                fields = {"options": {}, "breakdown": [], "start_date": None, "end_date": None, **line}
                order_lines.append(OrderLine(order_id=order.pk, **fields))
        order_lines = OrderLine.objects.bulk_create(order_lines, batch_size=1000)

        payments, refunds_for, vouchers, reservations, fulfilments = [], [], [], [], []
        position = 0
        for order, spec in zip(orders, batch, strict=True):
            lines = order_lines[position : position + len(spec["lines"])]
            position += len(lines)
            created, status = spec["created"], order.status
            sold = status in (OrderStatus.CONFIRMED, OrderStatus.PAID, OrderStatus.COMPLETED)
            # The payment and what came back of it.
            refund = 0
            if order.total_fen > 0:
                paid_at = created + datetime.timedelta(minutes=rng.randrange(1, 20))
                if status in (OrderStatus.PENDING, OrderStatus.CONFIRMED):  # not paid (yet)
                    pay_status, paid_at = PaymentStatus.PENDING, None
                elif status == OrderStatus.REFUNDED:
                    pay_status, refund = PaymentStatus.REFUNDED, order.total_fen
                elif status == OrderStatus.CANCELLED:
                    if rng.random() < 0.5:  # cancelled before paying
                        pay_status, paid_at = PaymentStatus.CANCELED, None
                    else:  # the policy gave half back
                        pay_status, refund = PaymentStatus.PARTIALLY_REFUNDED, order.total_fen // 2
                elif rng.random() < PARTIAL_REFUND_SHARE / 0.86:
                    pay_status = PaymentStatus.PARTIALLY_REFUNDED
                    refund = max(1, order.total_fen * rng.randrange(10, 40) // 100)
                else:
                    pay_status = PaymentStatus.SUCCEEDED
                if spec["on_site"] and status == OrderStatus.COMPLETED:
                    paid_at = lines[0].starts_at
                payments.append(
                    Payment(
                        order_id=order.pk,
                        provider="on_site" if spec["on_site"] else "stripe",
                        amount_fen=order.total_fen,
                        status=pay_status,
                        provider_reference="" if spec["on_site"] else f"pi_bench_{order.pk}",
                        refunded_fen=refund,
                        paid_at=paid_at,
                        created_at=created,
                        updated_at=order.cancelled_at or paid_at or created,
                    )
                )
                refunds_for.append(refund)
            for line in lines:
                starts = line.starts_at
                used = (
                    sold
                    and line.kind in ("tour", "ticket")
                    and starts is not None
                    and starts < now
                    and rng.random() < VOUCHER_USED_SHARE
                )
                vouchers.append(
                    Voucher(
                        order_line_id=line.pk,
                        used_at=starts + datetime.timedelta(minutes=rng.randrange(-30, 30)) if used else None,
                        used_by_id=self.staff.pk if used else None,
                        created_at=created,
                    )
                )
                reservations.append(
                    Reservation(
                        kind=line.kind,
                        inventory_key=f"{line.kind}:{line.object_id}",
                        object_id=line.object_id,
                        quantity=line.quantity,
                        start_date=line.start_date if line.kind == "stay" else None,
                        end_date=line.end_date if line.kind == "stay" else None,
                        status=(
                            ReservationStatus.CONFIRMED
                            if sold
                            else ReservationStatus.HELD
                            if status == OrderStatus.PENDING
                            else ReservationStatus.CANCELLED
                        ),
                        hold_expires_at=order.hold_expires_at,
                        holder_id=order.user_id,
                        order_line_id=line.pk,
                        created_at=created,
                        updated_at=order.cancelled_at or created,
                    )
                )
                done = created + datetime.timedelta(hours=rng.randrange(2, 96))
                if sold and line.kind == "product" and done < now and rng.random() < FULFILLED_SHARE:
                    shipping = (line.options or {}).get("delivery") == "shipping"
                    fulfilments.append(
                        LineFulfilment(
                            order_line_id=line.pk,
                            status=FulfilmentStatus.SHIPPED if shipping else FulfilmentStatus.HANDED_OVER,
                            tracking_number=f"SF{line.pk:010d}" if shipping else "",
                            updated_by_id=line.provider_user_id,
                            created_at=done - datetime.timedelta(hours=1),
                            updated_at=done,
                        )
                    )
        from reports.history import keeping_dates

        with keeping_dates(Payment, Voucher, Reservation, LineFulfilment, Refund):
            payments = Payment.objects.bulk_create(payments, batch_size=1000)
            Refund.objects.bulk_create(
                [
                    Refund(
                        payment_id=payment.pk,
                        amount_fen=amount,
                        reason="退款",
                        provider_reference=f"re_bench_{payment.pk}",
                        created_by_id=self.staff.pk,
                        created_at=payment.updated_at,
                    )
                    for payment, amount in zip(payments, refunds_for, strict=True)
                    if amount
                ],
                batch_size=1000,
            )
            Voucher.objects.bulk_create(vouchers, batch_size=1000)
            Reservation.objects.bulk_create(reservations, batch_size=1000)
            LineFulfilment.objects.bulk_create(fulfilments, batch_size=1000)

    # --- what was made ---------------------------------------------------------------------

    def summary(self):
        """Row counts and the mix, to print under the table."""
        from django.db.models import Count

        from orders.models import Order, OrderLine, Payment, Refund, Voucher
        from products.models import LineFulfilment

        statuses = dict(Order.objects.values_list("status").annotate(n=Count("pk")).order_by())
        kinds = dict(OrderLine.objects.values_list("kind").annotate(n=Count("pk")).order_by())
        return {
            "orders": Order.objects.count(),
            "lines": OrderLine.objects.count(),
            "kinds": kinds,
            "statuses": statuses,
            "payments": Payment.objects.count(),
            "refunds": Refund.objects.count(),
            "vouchers_used": Voucher.objects.filter(used_at__isnull=False).count(),
            "fulfilments": LineFulfilment.objects.count(),
        }

    def check(self):
        """Whether the data hangs together; a list of what does not (printed, not asserted)."""
        from collections import Counter

        from django.db.models import F, Max, Min, Q, Sum

        from attractions.models import TourSlot
        from homestays.models import RoomType
        from orders.models import Order, OrderLine, Payment, Refund

        problems = []
        orders = Order.objects.annotate(lines_total=Sum("lines__total_fen"))
        if orders.exclude(total_fen=F("lines_total")).exists():
            problems.append("an order's total is not the sum of its lines")
        if OrderLine.objects.filter(kind="stay").exclude(nights__gte=1, start_date__isnull=False).exists():
            problems.append("a stay line without nights or dates")
        refunded = Payment.objects.annotate(back=Sum("refunds__amount_fen"))
        if refunded.filter(refunded_fen__gt=0).exclude(back=F("refunded_fen")).exists():
            problems.append("a payment's refunded_fen differs from its refunds")
        if Refund.objects.filter(amount_fen__gt=F("payment__amount_fen")).exists():
            problems.append("a refund larger than its payment")
        cancelled = Q(status__in=("cancelled", "refunded"))
        if Order.objects.filter(cancelled, cancelled_by__isnull=True).exists():
            problems.append("a cancelled order without cancelled_by")
        span = Order.objects.aggregate(first=Min("created_at"), last=Max("created_at"))
        if span["first"] is None or (span["last"] - span["first"]).days < 300:
            problems.append(f"orders not spread over the year: {span}")
        # Never more rooms sold on a night than the room type has, nor seats than a slot has.
        sold = OrderLine.objects.filter(order__status__in=("confirmed", "paid", "completed"))
        units = dict(RoomType.objects.values_list("pk", "units"))
        nights = Counter()
        for room_type, start, count, rooms in sold.filter(kind="stay").values_list(
            "object_id", "start_date", "nights", "quantity"
        ):
            for n in range(count):
                nights[(room_type, start + datetime.timedelta(days=n))] += rooms
        if any(taken > units[key[0]] for key, taken in nights.items()):
            problems.append("a night with more rooms sold than the room type has")
        seats = sold.filter(kind="tour").values("object_id").annotate(n=Sum("quantity"))
        slots = TourSlot.objects.filter(pk__in=[s["object_id"] for s in seats if s["n"] > 12])
        capacity = dict(slots.values_list("pk", "experience__capacity"))
        if any(s["n"] > capacity.get(s["object_id"], 1000) for s in seats):
            problems.append("a tour slot with more seats sold than it has")
        return problems


# --- measuring --------------------------------------------------------------------------------


def cases(today):
    """(label, callable) for every figure measured."""
    from reports import figures

    this_month = month_start(today)
    month = figures.Period(month_start(today, 1), this_month)
    year = figures.Period(month_start(today, 12), this_month)
    return [
        ("homestay_rows by homestay, month", lambda: figures.homestay_rows(month)),
        ("homestay_rows by homestay, year", lambda: figures.homestay_rows(year)),
        ("homestay_rows by village, year", lambda: figures.homestay_rows(year, group="village")),
        ("tour_event_rows by slot, month", lambda: figures.tour_event_rows(month, group="slot")),
        ("tour_event_rows by slot, year", lambda: figures.tour_event_rows(year, group="slot")),
        ("tour_event_rows by experience, month", lambda: figures.tour_event_rows(month, group="experience")),
        ("tour_event_rows by experience, year", lambda: figures.tour_event_rows(year, group="experience")),
        ("shop_rows by producer, month", lambda: figures.shop_rows(month, group="producer")),
        ("shop_rows by producer, year", lambda: figures.shop_rows(year, group="producer")),
        ("prosperity_rows, 12 months", lambda: figures.prosperity_rows(year)),
        ("dashboard()", lambda: figures.dashboard(today)),
        ("town_in_numbers()", lambda: figures.town_in_numbers(today)),
    ]


def measure(fn, runs):
    """Median and max of ``runs`` calls, the cache cleared before each; queries of one more."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings = []
    result = None
    for _i in range(runs):
        cache.clear()
        t0 = time.perf_counter()
        result = fn()
        timings.append(time.perf_counter() - t0)
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        fn()
    size = len(result) if isinstance(result, list) else len(getattr(result, "metrics", None) or []) or 1
    return {
        "median": statistics.median(timings) * 1000,
        "max": max(timings) * 1000,
        "queries": len(queries),
        "rows": size,
    }


def admin_pages(today):
    """(label, URL name, query string) of each admin page timed: each report on its default
    period (this month; prosperity: the 12 months before and this one) and on the year."""
    year_from, year_to = month_start(today, 12), month_start(today) - datetime.timedelta(days=1)
    year = f"?period_from={year_from}&period_to={year_to}"
    return [
        ("admin: homestays report", "reports_homestays", ""),
        ("admin: homestays report, year", "reports_homestays", year),
        ("admin: tours and events report", "reports_tours_events", ""),
        ("admin: tours and events report, year", "reports_tours_events", year),
        ("admin: tours by slot, year, CSV", "reports_tours_events", year + "&group=slot&export=csv"),
        ("admin: shop report", "reports_shop", ""),
        ("admin: shop report, year", "reports_shop", year),
        ("admin: prosperity report", "reports_prosperity", ""),
        ("admin: home (dashboard panel)", "wagtailadmin_home", ""),
    ]


def measure_pages(client, today, runs):
    """Each admin page ``runs`` times (cache cleared first): median and max, queries, HTTP
    status; None when its URL name does not resolve (yet)."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    measured = {}
    for label, name, query in admin_pages(today):
        url = reverse(name) + query
        client.get(url)  # warm: templates, the admin menu
        timings = []
        for _i in range(runs):
            cache.clear()
            with CaptureQueriesContext(connection) as queries:
                t0 = time.perf_counter()
                response = client.get(url)
                if response.streaming:  # the CSV export is written while it is read
                    b"".join(response.streaming_content)
                timings.append(time.perf_counter() - t0)
        measured[label] = {
            "median": statistics.median(timings) * 1000,
            "max": max(timings) * 1000,
            "queries": len(queries),
            "rows": response.status_code,
        }
    return measured


def worker(database_url, sizes, runs, today):
    warnings.filterwarnings("ignore", "No directory at")  # static files are not collected here
    search_bench.setup_django(database_url)
    from django.test.utils import setup_test_environment

    setup_test_environment()  # "testserver" allowed, e-mails kept in memory
    search_bench.migrate()
    from django.db import connection
    from django.test import Client

    started = time.monotonic()
    town = Town(today)
    print(f"  town built in {time.monotonic() - started:.1f} s", file=sys.stderr, flush=True)
    client = Client()
    client.force_login(town.staff)
    rows = []
    for size in sizes:
        built = town.grow_to(size)
        print(f"  {size:,} lines in {built:.1f} s; measuring…", file=sys.stderr, flush=True)
        figures = {}
        for label, fn in cases(today):
            figures[label] = measure(fn, runs)
        figures.update(measure_pages(client, today, min(runs, 3)))
        rows.append(
            {"size": size, "built": built, "summary": town.summary(), "problems": town.check(), **figures}
        )
    print(RESULT_PREFIX + json.dumps({"vendor": connection.vendor, "rows": rows}), flush=True)


# -- the driver ------------------------------------------------------------------------------


def run_worker(name, database_url, args):
    options = ["--lines", args.lines, "--runs", str(args.runs), "--today", args.today]
    # Progress lines (stderr) pass through; the result comes back on stdout.
    return search_bench.run_script_worker(__file__, name, database_url, options, args.timeout, stderr=None)


def drop_postgres(database_url):
    import psycopg

    admin = urlsplit(database_url)._replace(path="/postgres").geturl()
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{POSTGRES_DATABASE}" WITH (FORCE)')
    except psycopg.OperationalError:
        pass  # no server: the worker said so already


def print_table(name, result, sizes):
    labels = [k for k in result["rows"][0] if k not in ("size", "built", "summary", "problems")]
    base = result["rows"][0]
    print(f"\n{name} ({result['wall']:.0f} s)")
    print(f"{'figure':<40} {'lines':>8} {'median':>9} {'max':>9} {'queries':>7} {'rows':>6} {'× median':>8}")
    skipped = []
    for label in labels:
        for row in result["rows"]:
            m = row.get(label)
            if m is None:
                if row is base:
                    skipped.append(label)
                continue
            ratio = m["median"] / base[label]["median"] if base.get(label) else float("nan")
            print(
                f"{label:<40} {row['size']:>8,} {m['median']:>7.1f}ms {m['max']:>7.1f}ms "
                f"{m['queries']:>7} {m['rows']:>6} {ratio:>8.1f}"
            )
    for label in skipped:
        print(f"{label:<40} skipped: its URL name does not resolve yet")
    for row in result["rows"]:
        s = row["summary"]
        print(
            f"  {row['size']:,} lines built in {row['built']:.0f} s: {s['orders']:,} orders, "
            f"lines {s['kinds']}, orders {s['statuses']}, {s['payments']:,} payments, "
            f"{s['refunds']:,} refunds, {s['vouchers_used']:,} vouchers used, "
            f"{s['fulfilments']:,} fulfilments; data checks: {'; '.join(row['problems']) or 'ok'}"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--lines", default="10000,100000", help="order lines, ascending (default 10000,100000)"
    )
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each figure (default 5)")
    parser.add_argument("--today", default="", help="the day the year of sales ends (default: today)")
    parser.add_argument("--databases", default="sqlite,postgres", help="sqlite, postgres or both (default)")
    parser.add_argument("--timeout", type=int, default=3600, help="seconds per database at most")
    parser.add_argument("--worker", metavar="DATABASE_URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = sorted({int(s) for s in args.lines.split(",") if s.strip()})
    if not args.today:
        import zoneinfo

        args.today = datetime.datetime.now(zoneinfo.ZoneInfo(TZ_NAME)).date().isoformat()
    today = datetime.date.fromisoformat(args.today)

    if args.worker:
        if args.worker.startswith("postgres") and not search_bench.recreate_postgres(args.worker):
            return
        worker(args.worker, sizes, args.runs, today)
        return

    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="tianyuan-bench-reports-"))
    databases = []
    for name in [d.strip() for d in args.databases.split(",") if d.strip()]:
        if name == "sqlite":
            databases.append((name, f"sqlite:///{tmp / 'bench.sqlite3'}"))
        elif os.environ.get("BENCH_POSTGRES_URL"):
            url = urlsplit(os.environ["BENCH_POSTGRES_URL"])._replace(path=f"/{POSTGRES_DATABASE}").geturl()
            databases.append((name, url))
        else:
            print("postgres: BENCH_POSTGRES_URL is not set; skipped.")
    results = {}
    for name, url in databases:
        print(f"{name}: building a town and {', '.join(f'{s:,}' for s in sizes)} order lines…", flush=True)
        try:
            result = run_worker(name, url, args)
        finally:
            if name == "postgres":
                drop_postgres(url)
        if result:
            results[name] = result
    for path in tmp.glob("*"):
        path.unlink()
    tmp.rmdir()

    for name, result in results.items():
        print_table(name, result, sizes)
    print(
        f"\n(today = {today}; month = the last whole month, year = the 12 whole months before this "
        f"one; median and max of {args.runs} runs, the cache cleared before each; queries of one "
        f"run; rows = rows returned (metrics for dashboard(), HTTP status for admin pages, "
        f"{min(args.runs, 3)} runs each); × = median relative to {sizes[0]:,} lines, measured in "
        f"the same run.)  "
        f"Total {time.monotonic() - started:.0f} s."
    )


if __name__ == "__main__":
    main()
