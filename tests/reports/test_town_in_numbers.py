"""The public "Our town in numbers" block: anonymised season figures, the share reaching the
households the town helps only when enough of them had sales, and nothing that names one."""

import datetime

import pytest
from django.utils import timezone, translation

from orders.models import OrderLine
from reports import figures
from tests.factories.home import StandardPageFactory, translate
from tests.factories.orders import OrderFactory
from tests.factories.products import ProducerFactory, ProductFactory
from tests.factories.town import VillageFactory
from town.blocks import TownInNumbersBlock

pytestmark = pytest.mark.date_sensitive

SECRET_NOTE = "STAFF-ONLY-NOTE-4K2"
HELPED = "town-numbers__fact--helped"


def assert_nothing_identifying(html, producers):
    lowered = html.lower()
    assert "supported" not in lowered
    assert "low-income" not in lowered
    assert "低收入" not in html  # the flag's Chinese label (the block says 帮扶计划中的家庭 instead)
    assert SECRET_NOTE.lower() not in lowered
    for producer in producers:
        assert producer.display_name not in html
        assert producer.user.email not in html
    assert "阿婆的笋干" not in html  # the product's name neither


# --- the block alone, with made-up figures ----------------------------------------------------


def fake_numbers(supported_share=None):
    today = datetime.date(2026, 11, 29)
    return figures.TownInNumbers(
        season="Autumn 2026",
        period=figures.Period(datetime.date(2026, 9, 1), today + datetime.timedelta(days=1)),
        visitors=1234,
        produce_units=56,
        produce_fen=789012,
        village_shares=[figures.VillageShare("桃花坞", 0.625), figures.VillageShare("杏花村", 0.375)],
        villages_reached=2,
        supported_share=supported_share,
    )


def render_block(monkeypatch, numbers):
    monkeypatch.setattr(figures, "town_in_numbers", lambda today=None: numbers)
    block = TownInNumbersBlock()
    value = block.to_python({"heading": "数字里的青溪", "intro": "这一季，游客来了多少？"})
    with translation.override("en"):
        return block.render(value)


def test_the_block_shows_the_season_figures_as_given(monkeypatch):
    html = render_block(monkeypatch, fake_numbers())
    assert "数字里的青溪" in html and "这一季，游客来了多少？" in html
    assert "Autumn 2026, so far" in html
    assert '<dd class="town-numbers__figure">1234</dd>' in html  # not rounded
    assert "¥7890.12" in html and "56 items" in html
    assert '<dd class="town-numbers__figure">2</dd>' in html
    assert "桃花坞" in html and 'style="width: 62.5%"' in html and ">63%<" in html
    assert "杏花村" in html and 'style="width: 37.5%"' in html and ">38%<" in html


def test_the_block_hides_the_helped_share_when_the_figures_withhold_it(monkeypatch):
    html = render_block(monkeypatch, fake_numbers(supported_share=None))
    assert HELPED not in html
    assert "assistance programme" not in html


def test_the_block_shows_the_helped_share_when_given(monkeypatch):
    html = render_block(monkeypatch, fake_numbers(supported_share=0.184))
    assert HELPED in html
    assert "assistance programme" in html and ">18%<" in html
    assert "supported" not in html.lower()


# --- on a page, from real orders --------------------------------------------------------------


@pytest.fixture
def villages(db):
    return VillageFactory(name="桃花坞"), VillageFactory(name="杏花村")


def sell(village, *, kind, quantity, price_fen, producer=None, guests=1):
    """A paid order of one line, served today (in this season)."""
    order = OrderFactory(status="paid", total_fen=quantity * price_fen)
    product = ProductFactory(producer=producer, name="阿婆的笋干") if producer else None
    OrderLine.objects.create(
        order=order,
        kind=kind,
        object_id=product.pk if product else 1,
        title=product.name if product else "草莓采摘",
        item_name=producer.display_name if producer else "",
        quantity=quantity,
        guests=guests,
        unit_price_fen=price_fen,
        total_fen=quantity * price_fen,
        starts_at=None if product else timezone.now(),
        provider_user=producer.user if producer else None,
        seller=producer.user if producer else None,
        seller_supported=bool(producer and producer.supported_household),
        village=village,
    )


def helped_households(village, count):
    producers = []
    for n in range(count):
        producer = ProducerFactory(
            village=village, supported_household=True, staff_notes=SECRET_NOTE, display_name=f"张阿婆{n}"
        )
        sell(village, kind="product", quantity=2, price_fen=6800, producer=producer)
        producers.append(producer)
    return producers


@pytest.fixture
def numbers_page(home_page):
    """A standard page with the block in its body, and its English translation (the tests read
    English text)."""
    page = StandardPageFactory(
        parent=home_page,
        body=[{"type": "town_in_numbers", "value": {"heading": "Our town in numbers", "intro": ""}}],
    )
    translate(home_page, "en", title="Qingxi")
    return translate(page, "en")


@pytest.mark.django_db
@pytest.mark.parametrize(("households", "shown"), [(2, False), (3, True)])
def test_the_page_shows_the_helped_share_only_from_three_households(
    client, villages, numbers_page, households, shown
):
    taohua, xinghua = villages
    producers = helped_households(taohua, households)
    sell(xinghua, kind="tour", quantity=7, price_fen=3000, guests=7)
    # An ordinary farmer's sale too: the helped share is of all spending, not only theirs.
    sell(taohua, kind="product", quantity=1, price_fen=5000, producer=ProducerFactory(village=taohua))

    response = client.get(numbers_page.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<dd class="town-numbers__figure">7</dd>' in html  # the tour's visitors
    produce_fen = households * 13600 + 5000
    assert f"¥{produce_fen // 100}.{produce_fen % 100:02d}" in html
    assert f"{households * 2 + 1} items" in html
    assert "桃花坞" in html and "杏花村" in html
    total = produce_fen + 21000
    assert f">{round(100 * produce_fen / total)}%<" in html  # 桃花坞's share of the money
    assert (HELPED in html) is shown
    if shown:
        assert f">{round(100 * households * 13600 / total)}%</dd>" in html
    assert_nothing_identifying(html, producers)


@pytest.mark.django_db
def test_the_home_page_sections_show_the_block_without_naming_anyone(client, home_page, villages):
    producers = helped_households(villages[0], 3)
    home_page.sections = [{"type": "town_in_numbers", "value": {"heading": "数字里的青溪", "intro": ""}}]
    home_page.save_revision().publish()

    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "数字里的青溪" in html and HELPED in html
    assert_nothing_identifying(html, producers)
