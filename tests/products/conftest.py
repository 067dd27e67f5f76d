import pytest

from tests.factories.products import ProductFactory, ShippingRateFactory, ShopPageFactory


@pytest.fixture
def product(db):
    return ProductFactory(name="奶油草莓", category="fruit", unit="jin", price_fen=3500, stock=10)


@pytest.fixture
def shipping_rate(db):
    return ShippingRateFactory(region="浙江", fee_fen=1200)


@pytest.fixture
def shop(home_page):
    return ShopPageFactory(parent=home_page)


@pytest.fixture
def english_shop(shop, en_locale):
    """The shop translated to English and published."""
    english = shop.copy_for_translation(en_locale, copy_parents=True)
    english.save_revision().publish()
    return english
