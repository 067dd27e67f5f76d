"""The "certified" facet of products (issue 19, item 4) on the database backend: counted among
the hits, narrowing to the products holding a certificate of that kind valid today."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from products.models import Certification
from search.indexing import rebuild
from tests.factories.products import ProductFactory

pytestmark = pytest.mark.django_db
URL = "/search/"


@pytest.fixture(autouse=True)
def _one_fixed_day():
    """Validity is judged against today, town time: a fixed day (clock running), so no midnight
    falls between making a certificate and searching for it."""
    shanghai = datetime.timezone(datetime.timedelta(hours=8))
    with time_machine.travel(datetime.datetime(2027, 5, 12, 10, tzinfo=shanghai), tick=True):
        yield


def certify(product, kind, *, expired=False):
    today = timezone.localdate()
    end = today - datetime.timedelta(days=1) if expired else today + datetime.timedelta(days=300)
    return Certification.objects.create(
        producer=product.producer,
        product=product,
        kind=kind,
        number="N-1",
        issuer="认证中心",
        valid_from=today - datetime.timedelta(days=400),
        valid_until=end,
    )


@pytest.fixture
def teas(home_page):
    organic = ProductFactory(name="有机云雾茶", category="tea")
    certify(organic, "organic")
    stale = ProductFactory(name="老树红茶", category="tea")
    certify(stale, "organic", expired=True)
    ProductFactory(name="野山茶", category="tea")
    rebuild()
    return organic, stale


def test_certified_facet_counts_and_narrows(client, teas):
    response = client.get(URL, {"q": "茶", "kind": "product"})
    results = response.context["results"]
    assert len(results.hits) == 3
    assert {(v.value, v.count) for v in results.facets["certification"]} == {("organic", 1)}

    narrowed = client.get(URL, {"q": "茶", "kind": "product", "certification": "organic"})
    assert [hit.title for hit in narrowed.context["results"].hits] == ["有机云雾茶"]
    assert client.get(URL, {"q": "茶", "certification": "green_food"}).context["results"].hits == []


@pytest.mark.site_search
def test_a_new_certificate_reindexes_the_producers_products(client, teas):
    _organic, stale = teas
    certify(stale, "green_food")
    narrowed = client.get(URL, {"q": "茶", "certification": "green_food"})
    assert [hit.title for hit in narrowed.context["results"].hits] == ["老树红茶"]
