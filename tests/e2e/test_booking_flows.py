"""Issue 20, "How to prove it": the four booking flows end to end in Debian's chromium.

1. A visitor finds a homestay for next month, adds a tour on a day of the stay and eggs brought
   to the homestay, pays on site and reads one clear order (phone, 390 px).
2. The farmer who sold the eggs sees on a 360 px phone where to bring them.
3. An English visitor reads English names all along the path, the e-mail included (1280 px).
4. A Chinese visitor meets no English along the same path, the e-mail included (360 px).

The town is made with the factories (the demo takes a minute to load): a homestay, a tour, a
festival with a ticket and a farmer's eggs, each translated into English under other names, so
a name shown in the wrong language is caught. "Now" is pinned (``pinned_now``: the stay is next
month's whatever the day the tests run). Screenshots of each step:
test-artifacts/e2e/<test>/NN-step.png.
"""

import datetime
import re
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from accounts.roles import HOSTS
from orders import basket as baskets
from orders.checkout import checkout
from orders.models import Basket, Order
from orders.models.orders import REFERENCE_ALPHABET, VOUCHER_ALPHABET
from tests.e2e.conftest import PHONE, fill_form, log_in
from tests.factories.accounts import VerifiedUserFactory
from tests.factories.attractions import (
    AttractionIndexPageFactory,
    AttractionPageFactory,
    ExperiencePageFactory,
)
from tests.factories.events import EventIndexPageFactory, EventPageFactory, TicketTypeFactory
from tests.factories.home import make_home_page, translate
from tests.factories.homestays import HomestayIndexPageFactory, HomestayPageFactory, RoomTypeFactory
from tests.factories.products import ProductFactory, ShopPageFactory
from tests.factories.town import VillageFactory
from tests.products.farmer_fixtures import make_farmer

pytestmark = pytest.mark.e2e

PHONE_360 = {**PHONE, "viewport": {"width": 360, "height": 780}}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}

# The English names of the town's pages and things (the Chinese ones are the factories').
ENGLISH = {
    "home": "Qingxi",
    "homestays": "Homestays",
    "homestay": "Creekside House",
    "room": "Mountain View Double",
    "village": "Peach Blossom Hollow",
    "attractions": "Attractions",
    "garden": "Strawberry Garden",
    "tour": "Strawberry Picking",
    "events": "Festivals",
    "event": "Peach Blossom Festival",
    "ticket": "Day Pass",
    "shop": "Farm Shop",
    "eggs": "Free-range Eggs",
}
NAMES = ("village", "homestay", "room", "tour", "event", "ticket", "eggs")


@dataclass
class Town:
    village: object
    homestay: object
    room: object
    tour: object
    event: object
    ticket: object
    eggs: object
    farmer: object
    visitor: object
    check_in: datetime.date
    check_out: datetime.date

    @property
    def second_day(self):
        """The day of the tour and of the eggs' delivery: the stay's second day."""
        return self.check_in + datetime.timedelta(days=1)

    def names(self, language):
        """The names a visitor reads along the path, in ``language``, by key."""
        if language == "en":
            return {key: ENGLISH[key] for key in NAMES}
        return {
            "village": self.village.name,
            "homestay": self.homestay.title,
            "room": self.room.name,
            "tour": self.tour.title,
            "event": self.event.title,
            "ticket": self.ticket.name,
            "eggs": self.eggs.name,
        }


def next_month_stay():
    """Two nights from the 10th of next month (town time)."""
    today = timezone.localdate()
    first = (today.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    check_in = first + datetime.timedelta(days=9)
    return check_in, check_in + datetime.timedelta(days=2)


@pytest.fixture
def town(transactional_db, pinned_now):
    """The town of the flows, in Chinese and (under the names of ENGLISH) in English."""
    check_in, check_out = next_month_stay()
    home = make_home_page()
    village = VillageFactory(name="桃花坞", slug="taohuawu")
    host = VerifiedUserFactory(email="host@example.com", display_name="陈大姐", phone="+86 139 1111 2222")
    host.groups.add(Group.objects.get_or_create(name=HOSTS)[0])
    homestays = HomestayIndexPageFactory(parent=home, slug="homestays")
    homestay = HomestayPageFactory(
        parent=homestays,
        title="溪畔人家",
        slug="xipan",
        host=host,
        village=village,
        address="桃花坞村溪边路 8 号",
        contact_phone="0559-1234567",
        summary="溪水边的老房子，推窗见山。",
    )
    room = RoomTypeFactory(page=homestay, name="观山大床房", units=2, base_price_fen=32800, max_guests=2)
    attractions = AttractionIndexPageFactory(parent=home)
    garden = AttractionPageFactory(
        parent=attractions, title="草莓园", slug="strawberry-garden", village=village
    )
    # Every day at 09:00 and 14:00: publishing made the slots, three months ahead.
    tour = ExperiencePageFactory(
        parent=attractions, title="草莓采摘", slug="strawberry-picking", meeting_point=garden
    )
    festival_day = timezone.make_aware(datetime.datetime.combine(check_in, datetime.time(10)))
    events = EventIndexPageFactory(parent=home)
    event = EventPageFactory(
        parent=events,
        title="桃花节",
        slug="peach-blossom",
        start=festival_day,
        end=festival_day + datetime.timedelta(hours=6),
    )
    ticket = TicketTypeFactory(page=event, name="日票", price_fen=5000)
    shop = ShopPageFactory(parent=home)
    farmer = make_farmer(village=village, display_name="王大姐")
    eggs = ProductFactory(producer=farmer, name="高山土鸡蛋", price_fen=6800)

    # The English town: every page translated, parents first (so none is a Chinese alias).
    translate(
        home, title=ENGLISH["home"], hero_title="A few country days in Qingxi", hero_intro="Hills and tea."
    )
    translate(homestays, title=ENGLISH["homestays"])
    english_homestay = translate(
        homestay,
        title=ENGLISH["homestay"],
        summary="An old house by the creek.",
        address=f"8 Creekside Road, {ENGLISH['village']}",
    )
    english_room = english_homestay.room_types.get()
    english_room.name, english_room.beds = ENGLISH["room"], "1 double bed"
    english_room.save()
    translate(attractions, title=ENGLISH["attractions"], intro="<p>Six villages.</p>")
    translate(garden, title=ENGLISH["garden"], intro="A strawberry garden.")
    translate(tour, title=ENGLISH["tour"], intro="Pick strawberries in the greenhouse.")
    translate(events, title=ENGLISH["events"], intro="<p>Festivals all year.</p>")
    english_event = translate(
        event, title=ENGLISH["event"], intro="Peach blossom in March.", organiser="Qingxi tourism office"
    )
    english_ticket = english_event.ticket_types.get()
    english_ticket.name = ENGLISH["ticket"]
    english_ticket.save()
    translate(shop, title=ENGLISH["shop"])
    english_village = village.copy_for_translation(english_homestay.locale)
    english_village.name = ENGLISH["village"]
    english_village.save()
    english_eggs = eggs.copy_for_translation(english_homestay.locale)
    english_eggs.name, english_eggs.description, english_eggs.live = ENGLISH["eggs"], "Eggs.", True
    english_eggs.save()

    visitor = VerifiedUserFactory(email="xiaoming@example.com", display_name="王小明")
    return Town(village, homestay, room, tour, event, ticket, eggs, farmer, visitor, check_in, check_out)


def amounts(text):
    """The amounts in fen of the prices in ``text``: "¥1,234.50 共 2 晚" -> [123450]."""
    found = re.findall(r"[¥￥]\s?(\d[\d,]*)(?:\.(\d{1,2}))?", text)
    return [int(whole.replace(",", "")) * 100 + int((cents or "0").ljust(2, "0")) for whole, cents in found]


# --- reading a page ---------------------------------------------------------------------------

# All the text a visitor can meet on the page: the title, every text node of the body (closed
# folds and select options included: they open), button values, placeholders, and what screen
# readers and tooltips say; leaving out text marked as another language (the language switcher's
# "English" has lang="en": it is meant to be English).
PAGE_TEXT = """() => {
  const own = document.documentElement.lang.toLowerCase().slice(0, 2);
  const theirs = e => {
    const marked = e.closest('[lang]');
    return marked && !marked.lang.toLowerCase().startsWith(own);
  };
  const parts = [document.title];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const element = node.parentElement;
    if (!element || element.closest('script, style, noscript, template') || theirs(element)) continue;
    parts.push(node.textContent);
  }
  const said = 'input[type=submit], input[type=button], [placeholder], [aria-label], [title], img[alt]';
  for (const e of document.body.querySelectorAll(said)) {
    if (theirs(e)) continue;
    if (e.matches('input[type=submit], input[type=button]')) parts.push(e.value);
    for (const name of ['placeholder', 'aria-label', 'title', 'alt']) parts.push(e.getAttribute(name) || '');
  }
  return parts.join(' ').replace(/\\s+/g, ' ');
}"""

# Latin-letter words a Chinese page may show, each for a reason. Order references (TY-2027-…)
# and voucher codes, which are not words, and e-mail addresses are left out first.
CHINESE_PAGE_LATIN = {
    "Tianyuan",  # the site's name, 田园 Tianyuan, as the e-mails sign it (the Wagtail Site's name)
    "Wi-Fi",  # an amenity: Chinese writes it so (免费Wi-Fi), as Ctrip and Meituan do
    "OpenStreetMap",  # the map's credit, "© OpenStreetMap 贡献者": a name its licence asks for
    "Leaflet",  # the map library's credit beside it: a name
}
CODE = re.compile(
    rf"(?<![A-Za-z0-9])(?:TY-\d{{4}}-[{REFERENCE_ALPHABET}]{{6}}|[{VOUCHER_ALPHABET}]{{16}})(?![A-Za-z0-9])|\S+@\S+"
)


def english_words(text):
    """The Latin-letter words in ``text`` a Chinese page should not have."""
    words = re.findall(r"[A-Za-z][A-Za-z'’-]*", CODE.sub(" ", text))
    return sorted({word for word in words if word not in CHINESE_PAGE_LATIN})


class Look:
    """Each step of a visit: a screenshot, and with a ``language`` the page read as a visitor in
    that language reads it: the names expected are there in that language, no name of the other
    language is anywhere, and a Chinese page has no English words."""

    def __init__(self, journey, town, page, language=None):
        self.journey, self.page, self.language = journey, page, language
        if language:
            self.names = town.names(language)
            self.other_names = town.names("zh-hans" if language == "en" else "en")

    def __call__(self, step, *, expect=()):
        maps = self.page.locator(".map[data-markers]")
        if maps.count():  # drawn after the page loads: Leaflet's controls have words too
            maps.first.locator(".leaflet-control-zoom").wait_for()
        self.journey.shot(self.page, step)
        if self.language:
            self.read(self.page.evaluate(PAGE_TEXT), step, expect=expect)

    def read(self, text, step, *, expect=()):
        missing = [self.names[key] for key in expect if self.names[key] not in text]
        assert not missing, f"{step}: {missing} missing from the {self.language} page:\n{text}"
        strays = [name for name in self.other_names.values() if name in text]
        assert not strays, f"{step}: names in the other language on the {self.language} page: {strays}"
        if self.language == "zh-hans":
            english = english_words(text)
            assert not english, f"{step}: English on the Chinese page: {english}\n{text}"


# --- the steps of the booking path ------------------------------------------------------------


def add_the_stay(page, town, look):
    """From the homestays page: search the stay's dates, open the homestay's card (its page keeps
    the dates and prices each room), add the room to the basket."""
    search = page.locator("form.stay-search")
    dates = {"check_in": town.check_in.isoformat(), "check_out": town.check_out.isoformat(), "guests": 2}
    fill_form(page, search, dates)
    search.locator(".stay-search__go").click()
    page.wait_for_url(re.compile(r"check_in="))
    card = page.locator(".stay-card").filter(has=page.locator(f'a[href*="/{town.homestay.slug}/"]'))
    assert card.count() == 1
    assert amounts(card.locator(".stay-card__price").first.inner_text()) == [65600]  # ¥328 × 2 nights
    look("search", expect=["village", "homestay", "room"])
    card.locator(".stay-card__title a").click()
    page.wait_for_url(re.compile(rf"/{town.homestay.slug}/\?.*check_in={town.check_in.isoformat()}"))
    room = page.locator(f"#room-{town.room.pk}")
    assert amounts(room.locator(".quote-total").inner_text()) == [65600]
    look("homestay", expect=["village", "homestay", "room"])
    room.locator("form.add-stay [type=submit]").click()
    page.wait_for_url(re.compile(r"/basket/$"))
    look("basket-stay", expect=["homestay", "room", "tour", "event", "eggs"])


def add_festival_tickets(page, town, look, quantity):
    """From "during your stay" in the basket: the festival on the stay's first day, its tickets."""
    page.locator(".during-stay__item--event a").click()
    page.wait_for_url(re.compile(rf"/{town.event.slug}/"))
    card = page.locator(".ticket-card").filter(has=page.locator(f'input[value="{town.ticket.pk}"]'))
    card.locator('input[name="quantity"]').fill(str(quantity))
    look("festival", expect=["event", "ticket"])
    card.locator('button[type="submit"]').click()
    page.wait_for_url(re.compile(r"/basket/$"))


def add_the_tour(page, town, look):
    """From "during your stay": the tour, suggested on the stay's first day; its date picker
    moves to the second day, whose morning tour two adults take."""
    suggestion = page.locator(".during-stay__item--tour")
    assert suggestion.locator("time").get_attribute("datetime") == town.check_in.isoformat()
    suggestion.locator("a").click()
    page.wait_for_url(re.compile(rf"\?date={town.check_in.isoformat()}"))
    look("tour-suggested-day", expect=["village", "tour"])
    page.locator(f'.tour-calendar a[data-date="{town.second_day.isoformat()}"]').click()
    page.wait_for_url(re.compile(rf"\?date={town.second_day.isoformat()}"))
    booking = page.locator("form.booking-form")
    morning = booking.locator(".slot-list li").first
    assert morning.locator("time").first.inner_text() == "09:00"
    morning.locator('input[name="slot_id"]').check()
    fill_form(page, booking, {"adults": 2, "children": 0})
    look("tour-second-day", expect=["tour"])
    booking.locator('button[type="submit"]').click()
    page.wait_for_url(re.compile(r"/basket/(#book)?$"))


def add_the_eggs(page, town, look):
    """From "during your stay": the eggs, two boxes brought to the homestay on the second day."""
    page.locator(".during-stay__item--product a").click()
    page.wait_for_url(re.compile(rf"/{town.eggs.pk}/"))
    form = page.locator("form.add-to-basket")
    fill_form(
        page, form, {"quantity": 2, "delivery": "homestay", "delivery_date": town.second_day.isoformat()}
    )
    look("eggs", expect=["village", "eggs"])
    form.locator('button[type="submit"]').click()
    page.wait_for_url(re.compile(r"/basket/$"))


def pay_on_site(page, town, look, expect):
    """From the basket: check out, paying on site; the order's page. Returns the order."""
    look("basket", expect=expect)
    page.locator(".basket a.button--primary").click()  # "Check out"
    page.wait_for_url(re.compile(r"/checkout/$"))
    form = page.locator("main form").filter(has=page.locator('[name="contact_name"]'))
    fill_form(
        page, form, {"contact_name": "王小明", "contact_phone": "13800138000", "payment_method": "on_site"}
    )
    look("checkout", expect=expect)
    form.locator('button[type="submit"]').click()
    page.wait_for_url(re.compile(r"/trips/TY-[\w-]+/$"))
    look("order", expect=expect)
    return Order.objects.get(user=town.visitor)


def confirmation_of(order):
    """The confirmation e-mail of ``order``: the message and its HTML part's text."""
    (message,) = [m for m in mail.outbox if m.to == [order.user.email] and order.reference in m.subject]
    html = next(content for content, kind in message.alternatives if kind == "text/html")
    return message, re.sub(r"<[^>]+>", " ", html)


# --- 1. one clear order -----------------------------------------------------------------------


def test_visitor_books_a_stay_a_tour_on_its_second_day_and_eggs_brought_to_the_homestay(journey, town):
    page = journey.new_page(phone=True)
    look = Look(journey, town, page)
    log_in(page, town.visitor)
    page.goto(town.homestay.get_parent().url)
    add_the_stay(page, town, look)
    add_the_tour(page, town, look)
    add_the_eggs(page, town, look)
    assert page.locator(".basket__lines .basket-line").count() == 3
    assert amounts(page.locator(".basket__total").inner_text()) == [95200]  # 656 + 2 × 80 + 2 × 68
    order = pay_on_site(page, town, look, expect=())

    # One order, three lines, each saying what it is: the stay and its nights, the tour on its
    # day and hour, the eggs with where and when they are brought; the prices and the total.
    assert Order.objects.filter(user=town.visitor).count() == 1
    assert (order.status, order.total_fen) == ("confirmed", 95200)
    assert order.payments.get().provider == "on_site"
    assert order.reference in page.locator("h1").inner_text()
    shown = page.locator(".order-line")
    assert shown.count() == 3
    check_in, check_out, second_day = town.check_in, town.check_out, town.second_day
    with translation.override("zh-hans"):
        day = {d: date_format(d, "DATE_FORMAT") for d in (check_in, second_day, check_out)}
        delivered = gettext("delivered to %(homestay)s") % {"homestay": town.homestay.title}
        paid_on_site = gettext("To be paid on site.")
    stay, tour, eggs = (
        shown.filter(has_text=name) for name in (town.room.name, town.tour.title, town.eggs.name)
    )
    assert town.homestay.title in stay.locator(".order-line__title").inner_text()
    assert f"{day[check_in]} → {day[check_out]}" in stay.locator(".order-line__summary").inner_text()
    assert amounts(stay.locator(".order-line__price").inner_text()) == [65600]
    assert f"{day[second_day]} 09:00" in tour.locator(".order-line__summary").inner_text()
    assert amounts(tour.locator(".order-line__price").inner_text()) == [16000]
    assert f"{delivered} · {day[second_day]}" in eggs.locator(".order-line__summary").inner_text()
    assert amounts(eggs.locator(".order-line__price").inner_text()) == [13600]
    assert amounts(page.locator(".order > p > strong").inner_text()) == [95200]  # the order's total
    assert paid_on_site in page.locator(".order__status").inner_text()
    assert page.locator(".voucher__code").count() == 3

    # The confirmation e-mail says the same of the eggs.
    message, _html = confirmation_of(order)
    assert f"{delivered} · {day[second_day]}" in message.body


# --- 2. the farmer ----------------------------------------------------------------------------


def bought_with_a_stay(town, *, guest):
    """The visitor's order of the stay and two boxes of eggs brought to the homestay on its second
    day, checked out in Chinese by ``guest`` (the services the browser's checkout calls)."""
    basket, _created = Basket.objects.get_or_create(user=town.visitor)
    baskets.add_line(
        basket,
        {
            "kind": "stay",
            "room_type_id": town.room.pk,
            "check_in": town.check_in.isoformat(),
            "check_out": town.check_out.isoformat(),
            "guests": 2,
        },
    )
    baskets.add_line(
        basket,
        {
            "kind": "product",
            "product_id": town.eggs.pk,
            "quantity": 2,
            "delivery": "homestay",
            "delivery_date": town.second_day.isoformat(),
        },
    )
    return checkout(
        town.visitor, basket, contact_name=guest, contact_phone="13800138000", language="zh-hans"
    ).order


def test_farmer_sees_on_a_360_px_phone_where_to_bring_the_eggs(journey, town):
    order = bought_with_a_stay(town, guest="李小红")

    page = journey.new_page(**PHONE_360)
    log_in(page, town.farmer.user)
    page.goto(reverse("farmer_orders"))
    journey.shot(page, "farmer-orders")
    card = page.locator(".farmer-card").filter(has_text=order.reference)
    assert card.count() == 1
    assert town.eggs.name in card.locator("h2").inner_text()
    with translation.override("zh-hans"):
        labels = [gettext(label) for label in ("Homestay", "Address", "Host", "Guest")]
        day = date_format(town.second_day, "DATE_FORMAT")
    # What the farmer needs on the way, each under its label: the homestay, where it is, the
    # phone that answers there (a link that dials it), the guest's name; and the day.
    where = card.locator(".farmer-delivery")
    found = dict(
        zip(where.locator("dt").all_inner_texts(), where.locator("dd").all_inner_texts(), strict=True)
    )
    assert found == {
        labels[0]: town.homestay.title,
        labels[1]: town.homestay.address,
        labels[2]: town.homestay.contact_phone,
        labels[3]: "李小红",
    }
    assert where.locator(f'a[href="tel:{town.homestay.contact_phone}"]').is_visible()
    assert card.locator(f'time[datetime="{town.second_day.isoformat()}"]').inner_text() == day
    # All of it on the phone's screen: nothing off to the side.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page is {width} px wide on a 360 px phone"
    box = where.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360
    card.scroll_into_view_if_needed()
    journey.shot(page, "farmer-delivery-card")


# --- 3. and 4. names in the visitor's language ------------------------------------------------

EVERYTHING = ["homestay", "room", "event", "ticket", "tour", "eggs"]


def book_everything(page, town, look):
    """The whole path from the homestays page: the stay, two festival tickets, the tour, the eggs,
    paid on site. Returns the order."""
    add_the_stay(page, town, look)
    add_festival_tickets(page, town, look, quantity=2)
    add_the_tour(page, town, look)
    add_the_eggs(page, town, look)
    assert page.locator(".basket__lines .basket-line").count() == 4
    assert amounts(page.locator(".basket__total").inner_text()) == [105200]  # 656 + 2 × 50 + 160 + 136
    order = pay_on_site(page, town, look, expect=EVERYTHING)
    assert order.total_fen == 105200
    return order


def read_the_e_mail(look, order):
    message, html = confirmation_of(order)
    look.read(message.subject, "e-mail subject")
    look.read(message.body, "e-mail text", expect=EVERYTHING)
    look.read(html, "e-mail html", expect=EVERYTHING)


def test_an_english_visitor_reads_english_names_from_search_to_e_mail(journey, town):
    page = journey.new_page(locale="en-GB", **DESKTOP)
    look = Look(journey, town, page, "en")
    log_in(page, town.visitor)
    # The language switcher on the Chinese homestays page leads to the English one.
    page.goto(town.homestay.get_parent().url)
    page.locator('.lang-switch a[hreflang="en"]').click()
    page.wait_for_url(re.compile(r"/en/"))
    assert page.locator("html").get_attribute("lang") == "en"
    order = book_everything(page, town, look)
    assert order.language == "en"
    read_the_e_mail(look, order)


def test_a_chinese_visitor_meets_no_english_from_search_to_e_mail(journey, town):
    page = journey.new_page(**PHONE_360)
    look = Look(journey, town, page, "zh-hans")
    log_in(page, town.visitor)
    page.goto(town.homestay.get_parent().url)
    order = book_everything(page, town, look)
    assert order.language == "zh-hans"
    read_the_e_mail(look, order)
