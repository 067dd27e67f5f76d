import pytest

from tests.factories.home import ImageFactory, translate


@pytest.fixture
def english_home(home_page):
    """The home page's English translation, live at /en/."""
    return translate(
        home_page, "en", title="Qingxi Town", hero_title="Come to Qingxi", hero_intro="Hills and tea."
    )


@pytest.fixture
def image(db):
    return ImageFactory(title="桃花坞的春天")
