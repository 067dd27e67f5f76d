"""What public pages read once per content version instead of on every request: the locales and a
form's choices (town.translations, town.forms), and images with their renditions (town.images)."""

import pytest
from django import forms
from django.utils import translation
from wagtail.models import Locale

from tests.factories.attractions import ImageFactory
from tests.factories.town import VillageFactory
from town.forms import ContentChoiceField
from town.images import images_with_renditions
from town.models import Village
from town.translations import active_locale, default_locale, locale_of

pytestmark = pytest.mark.django_db
CARD = "fill-60x40|format-webp"


class VillageForm(forms.Form):
    village = ContentChoiceField(queryset=None, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = Village.objects.in_locale()


def test_the_default_and_active_locales_come_from_the_cache(home_page, django_assert_num_queries):
    expected = Locale.get_default()
    assert default_locale() == expected and home_page.locale == expected
    with django_assert_num_queries(0):
        assert default_locale() == expected == active_locale()
        assert locale_of(home_page) == expected


def test_a_new_locale_is_seen_at_once(home_page):
    with translation.override("en"):
        assert active_locale() == default_locale()  # no English locale yet
        english = Locale.objects.create(language_code="en")  # bumps the content version
        assert active_locale() == english


def test_choices_are_read_once_and_an_edit_shows_at_once(django_assert_num_queries):
    tea = VillageFactory(name="茶村")
    str(VillageForm()["village"])  # the first read
    with django_assert_num_queries(0):
        html = str(VillageForm()["village"])
        assert "茶村" in html
    VillageFactory(name="桃村")  # an editor adds a village: the content version moves on
    assert "桃村" in str(VillageForm()["village"])
    with django_assert_num_queries(0):
        form = VillageForm({"village": str(tea.pk)})
        assert form.is_valid() and form.cleaned_data["village"] == tea


@pytest.mark.parametrize("value", ["999999", "abc", "1.5"])
def test_a_value_that_is_not_a_choice_is_refused(value):
    VillageFactory(name="茶村")
    form = VillageForm({"village": value})
    assert not form.is_valid()
    assert form.errors.as_data()["village"][0].code == "invalid_choice"


def test_images_come_with_their_renditions_in_one_query(django_assert_num_queries):
    made, fresh = ImageFactory(), ImageFactory()
    made.get_rendition(CARD)
    with django_assert_num_queries(2):  # the renditions with their images, then the image without
        images = images_with_renditions([made.pk, fresh.pk, None], CARD)
    with django_assert_num_queries(0):
        assert images[made.pk].get_rendition(CARD).url
    with django_assert_num_queries(1):
        images = images_with_renditions([made.pk], CARD)
        assert images[made.pk].get_rendition(CARD).url
