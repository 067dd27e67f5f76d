"""Against a real Elasticsearch 8: run only when ``ELASTICSEARCH_URL`` answers, e.g.

    docker run -d -p 9200:9200 -e discovery.type=single-node -e xpack.security.enabled=false \\
        docker.elastic.co/elasticsearch/elasticsearch:8.19.0
    ELASTICSEARCH_URL=http://127.0.0.1:9200 .venv/bin/pytest tests/search/test_elastic_live.py

Each test module run uses its own index prefix and deletes its indexes at the end.
"""

import datetime
import os
import urllib.error
import urllib.request
import uuid

import pytest
from django.utils import timezone

from search.elastic import conf, indexing
from search.registry import get_kind
from search.service import SearchRequest, search, suggest
from tests.factories.attractions import AttractionPageFactory, ExperiencePageFactory
from tests.factories.events import EventPageFactory
from tests.factories.homestays import AmenityFactory, HomestayPageFactory, RoomTypeFactory
from tests.factories.products import ProducerFactory, ProductFactory
from tests.factories.town import VillageFactory

ES_URL = os.environ.get("ELASTICSEARCH_URL", "")


def _reachable(url: str) -> bool:
    if not url:
        return False
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - the configured server
            return response.status < 500
    except urllib.error.HTTPError as error:
        return error.code < 500  # answers, if only to say log in
    except (OSError, ValueError):
        return False


pytestmark = [
    pytest.mark.elasticsearch,
    pytest.mark.site_search,
    pytest.mark.django_db,
    pytest.mark.skipif(
        not _reachable(ES_URL),
        reason=f"no Elasticsearch at {ES_URL or '$ELASTICSEARCH_URL (unset)'} "
        "(none can run on this machine; see README)",
    ),
]

KINDS = ("homestay", "product", "event", "experience")


@pytest.fixture
def live(settings):
    settings.ELASTICSEARCH_URL = ES_URL
    settings.ELASTICSEARCH_INDEX_PREFIX = f"tianyuan_test_{uuid.uuid4().hex[:10]}_"
    settings.TIANYUAN_SEARCH_BACKEND = "elasticsearch"
    yield settings
    indexing.delete_indexes(settings.ELASTICSEARCH_INDEX_PREFIX)


@pytest.fixture
def town(live, home_page):
    taohuawu = VillageFactory(name="桃花坞", slug="taohuawu", latitude="29.620000", longitude="118.250000")
    chashan = VillageFactory(name="茶山村", slug="chashan", latitude="29.700000", longitude="118.400000")
    near = HomestayPageFactory(
        parent=home_page,
        title="桃花民宿",
        summary="推窗见桃花",
        village=taohuawu,
        latitude="29.621000",
        longitude="118.251000",
    )
    near.amenities.set([AmenityFactory(code="wifi")])
    RoomTypeFactory(page=near, base_price_fen=38000)
    far = HomestayPageFactory(
        parent=home_page, title="茶山客栈", village=chashan, latitude="29.700000", longitude="118.400000"
    )
    RoomTypeFactory(page=far, base_price_fen=68000)
    strawberries = ProductFactory(
        name="奶油草莓",
        description="strawberry 大棚草莓",
        category="fruit",
        price_fen=4500,
        months_in_season=[1, 2],
    )
    tea = ProductFactory(
        producer=ProducerFactory(village=chashan), name="明前龙井", category="tea", price_fen=16800
    )
    venue = AttractionPageFactory(parent=home_page, title="桃花坞广场", village=taohuawu)
    start = timezone.make_aware(datetime.datetime(2027, 3, 20, 9, 0))
    festival = EventPageFactory(
        parent=home_page, title="桃花节", venue=venue, start=start, end=start + datetime.timedelta(days=3)
    )
    picking = ExperiencePageFactory(parent=home_page, title="草莓采摘", village=taohuawu)
    indexing.rebuild([get_kind(k) for k in KINDS])
    return {
        "near": near,
        "far": far,
        "strawberries": strawberries,
        "tea": tea,
        "festival": festival,
        "picking": picking,
    }


def top(q, **kwargs):
    results = search(SearchRequest(q=q, **kwargs))
    return results, [(hit.kind, hit.title) for hit in results.hits]


def test_chinese_word_inside_a_title(town):
    _results, hits = top("草莓")
    assert set(hits[:2]) == {("product", "奶油草莓"), ("experience", "草莓采摘")}


def test_pinyin_spaced_pinyin_and_initials(town):
    for q in ("caomei", "taohua", "tao hua", "thj"):
        _results, hits = top(q)
        assert hits, q
    assert top("thj")[1][0] == ("event", "桃花节")
    assert ("homestay", "桃花民宿") in top("taohua")[1]


def test_english_word_and_partial_word(town):
    assert ("product", "奶油草莓") in top("strawberry")[1]
    assert ("product", "奶油草莓") in top("strawb")[1]


def test_facets_count_and_narrow(town):
    results, _hits = top("桃花")
    assert results.counts_by_kind.get("homestay") == 1
    assert results.counts_by_kind.get("event") == 1
    villages = {v.value: v.count for v in results.facets["village"]}
    assert villages["taohuawu"] >= 2

    narrowed, hits = top("桃花", kinds=["homestay"], facets={"amenities": ["wifi"], "price": ["300-600"]})
    assert hits == [("homestay", "桃花民宿")]
    assert narrowed.total == 1

    season, hits = top("草莓", facets={"in_season": ["2"]})
    assert hits == [("product", "奶油草莓")]

    nothing, hits = top("草莓", facets={"village": ["no-such-village"]})
    assert (nothing.total, hits) == (0, [])


def test_near_an_attraction(town):
    everywhere = top("民宿 客栈", kinds=["homestay"])[1]
    assert {("homestay", "桃花民宿"), ("homestay", "茶山客栈")} <= set(everywhere)
    results, hits = top("民宿 客栈", kinds=["homestay"], near=(29.62, 118.25, 3))
    assert hits == [("homestay", "桃花民宿")]
    assert results.total == 1


def test_suggest_completes_titles(town):
    titles = [s["title"] for s in suggest("桃花")]
    assert "桃花节" in titles and "桃花民宿" in titles
    assert "奶油草莓" in [s["title"] for s in suggest("caom")]


def test_unpublish_removes_the_document_and_rebuild_swaps_the_alias(town, live):
    town["near"].unpublish()
    indexing.update_object("homestay", town["near"].pk)
    es = conf.get_client()
    es.indices.refresh(index=conf.alias_name("homestay"))
    assert ("homestay", "桃花民宿") not in top("桃花")[1]

    before = set(es.indices.get_alias(name=conf.alias_name("homestay")))
    indexing.rebuild([get_kind("homestay")])
    after = set(es.indices.get_alias(name=conf.alias_name("homestay")))
    assert len(after) == 1 and before != after
    assert not es.indices.exists(index=",".join(before))
    assert ("homestay", "茶山客栈") in top("茶山")[1]
