"""The Elasticsearch index definition and document bodies, compared with the exact JSON sent."""

import datetime

import pytest
from django.utils import timezone, translation

from homestays.models import AmenityCode
from search.elastic import conf
from search.elastic.documents import bulk_action, decode_label, encode_label, index_body
from search.elastic.indexing import document_bodies, plan_update, swap_actions
from search.registry import get_kind
from search.text import index_text
from tests.factories.attractions import AttractionPageFactory
from tests.factories.events import EventPageFactory
from tests.factories.homestays import AmenityFactory, HomestayPageFactory, RoomTypeFactory
from tests.factories.products import ProducerFactory, ProductFactory
from tests.factories.town import VillageFactory

TEXT = {"type": "text", "analyzer": "tianyuan_text"}

EXPECTED_INDEX_BODY = {
    "settings": {
        "number_of_shards": 1,
        "max_result_window": 10000,
        "number_of_replicas": 0,
        "analysis": {
            "analyzer": {
                "tianyuan_text": {"type": "custom", "tokenizer": "whitespace", "filter": ["lowercase"]}
            }
        },
    },
    "mappings": {
        "dynamic": "strict",
        "properties": {
            "kind": {"type": "keyword"},
            "object_id": {"type": "keyword"},
            "language": {"type": "keyword"},
            "title": TEXT,
            "text": TEXT,
            "village": {"type": "keyword"},
            "category": {"type": "keyword"},
            "amenities": {"type": "keyword"},
            "certification": {"type": "keyword"},
            "in_season": {"type": "integer"},
            "price_fen": {"type": "long"},
            "location": {"type": "geo_point"},
            "facet_labels": {"type": "keyword", "index": False},
            "name": {"type": "keyword", "index": False, "doc_values": False},
            "summary": {"type": "text", "index": False},
            "url": {"type": "keyword", "index": False, "doc_values": False},
            "village_label": {"type": "keyword", "index": False, "doc_values": False},
            "image_id": {"type": "long", "index": False},
            "order": {"type": "integer", "index": False},
        },
    },
}


def test_index_body_is_the_whitespace_analyzer_and_the_document_mapping():
    assert index_body() == EXPECTED_INDEX_BODY


def test_no_elasticsearch_plugin_is_needed_by_the_analysis():
    analysis = index_body()["settings"]["analysis"]
    assert set(analysis) == {"analyzer"}
    assert analysis["analyzer"]["tianyuan_text"]["tokenizer"] == "whitespace"


def test_replicas_follow_the_setting(settings):
    settings.ELASTICSEARCH_REPLICAS = 2
    assert index_body()["settings"]["number_of_replicas"] == 2


def test_alias_and_index_names_carry_the_prefix(settings):
    settings.ELASTICSEARCH_INDEX_PREFIX = "town_"
    assert conf.alias_name("homestay") == "town_homestay"
    name = conf.new_index_name("homestay")
    assert name.startswith("town_homestay-")
    assert name != conf.alias_name("homestay")


def test_alias_swap_moves_the_alias_in_one_call():
    assert swap_actions("t_event", "t_event-2", ["t_event-1"]) == [
        {"remove": {"index": "t_event-1", "alias": "t_event"}},
        {"add": {"index": "t_event-2", "alias": "t_event"}},
    ]
    assert swap_actions("t_event", "t_event-2", []) == [{"add": {"index": "t_event-2", "alias": "t_event"}}]


def test_facet_labels_round_trip_even_with_the_separator_in_the_label():
    encoded = encode_label("village", "taohuawu", "桃花|坞")
    assert encoded == "village|taohuawu|桃花|坞"
    assert decode_label(encoded) == ("village", "taohuawu", "桃花|坞")


def test_bulk_action_indexes_into_the_alias_by_default(settings):
    settings.ELASTICSEARCH_INDEX_PREFIX = "t_"
    body = {"object_id": "7", "kind": "event"}
    assert bulk_action("event", body) == {
        "_op_type": "index",
        "_index": "t_event",
        "_id": "event-7",
        "_source": body,
    }
    assert bulk_action("event", body, index="t_event-2")["_index"] == "t_event-2"


@pytest.mark.django_db
def test_homestay_document(home_page):
    village = VillageFactory(name="桃花坞", slug="taohuawu")
    page = HomestayPageFactory(
        parent=home_page,
        title="桃花民宿",
        summary="推窗见桃花",
        address="桃花坞 8 号",
        village=village,
        latitude="29.620000",
        longitude="118.250000",
    )
    page.amenities.set([AmenityFactory(code="wifi"), AmenityFactory(code="parking")])
    RoomTypeFactory(page=page, name="大床房", beds="1 张大床", base_price_fen=38000)
    RoomTypeFactory(page=page, name="家庭房", beds="2 张床", base_price_fen=52000)

    (body,) = document_bodies(get_kind("homestay"), [page])

    with translation.override("zh-hans"):  # labels in the page's language
        wifi, parking = str(AmenityCode.WIFI.label), str(AmenityCode.PARKING.label)
    assert body == {
        "kind": "homestay",
        "object_id": str(page.pk),
        "language": "zh-hans",
        "title": index_text("桃花民宿"),
        "text": body["text"],
        "village": ["taohuawu"],
        "category": [],
        "amenities": ["wifi", "parking"],
        "certification": [],
        "in_season": [],
        "price_fen": 38000,
        "location": {"lat": 29.62, "lon": 118.25},
        "facet_labels": ["village|taohuawu|桃花坞", f"amenities|wifi|{wifi}", f"amenities|parking|{parking}"],
        "name": "桃花民宿",
        "summary": "推窗见桃花",
        "url": page.get_url(),
        "village_label": "桃花坞",
        "image_id": None,
        "order": 10,
    }
    tokens = body["text"].split()
    # Title, summary, room names and amenities, as words, pinyin and initials.
    for token in ("桃花", "民宿", "taohua", "minsu", "th", "ms", "大床", "家庭", "推窗"):
        assert token in tokens


@pytest.mark.django_db
def test_event_document_has_its_months_and_the_venue_location(home_page):
    village = VillageFactory(name="青溪村", slug="qingxi")
    venue = AttractionPageFactory(parent=home_page, title="古桥广场", village=village)
    start = timezone.make_aware(datetime.datetime(2027, 3, 28, 9, 0))
    event = EventPageFactory(
        parent=home_page, title="桃花节", venue=venue, start=start, end=start + datetime.timedelta(days=5)
    )

    (body,) = document_bodies(get_kind("event"), [event])

    assert body["kind"] == "event"
    assert body["title"] == index_text("桃花节")
    assert "thj" in body["title"].split() and "taohuajie" in body["title"].split()
    assert body["village"] == ["qingxi"]
    assert body["in_season"] == [3, 4]
    assert body["location"] == {"lat": 29.6121, "lon": 118.2618}
    assert body["price_fen"] is None
    assert body["url"] == event.get_url()


@pytest.mark.django_db
def test_product_document_has_category_price_and_season(home_page):
    village = VillageFactory(name="茶山村", slug="chashan")
    product = ProductFactory(
        producer=ProducerFactory(village=village),
        name="奶油草莓",
        category="fruit",
        price_fen=4500,
        months_in_season=[12, 1, 2],
    )

    (body,) = document_bodies(get_kind("product"), [product])

    assert body["kind"] == "product"
    assert body["object_id"] == str(product.pk)
    # A product's name is also indexed by its characters (SearchKind.split_names): 莓 finds it.
    assert body["title"] == index_text("奶油草莓", characters=True)
    assert "caomei" in body["text"].split()
    assert body["category"] == ["fruit"]
    assert body["village"] == ["chashan"]
    assert body["price_fen"] == 4500
    assert body["in_season"] == [1, 2, 12]
    assert body["location"] is None


@pytest.mark.django_db
def test_a_draft_gets_no_document_and_its_old_one_is_deleted(home_page):
    page = HomestayPageFactory(parent=home_page, title="山居")
    page.unpublish()

    plan = plan_update("homestay", page.pk)

    assert plan.index == []
    assert plan.delete == [f"homestay-{page.pk}"]


@pytest.mark.django_db
def test_a_published_page_is_indexed_through_the_alias(home_page, settings):
    settings.ELASTICSEARCH_INDEX_PREFIX = "t_"
    page = HomestayPageFactory(parent=home_page, title="山居")

    plan = plan_update("homestay", page.pk)

    assert [body["object_id"] for body in plan.index] == [str(page.pk)]
    assert plan.delete == []
    (action,) = plan.actions()
    assert (action["_op_type"], action["_index"], action["_id"]) == (
        "index",
        "t_homestay",
        f"homestay-{page.pk}",
    )


@pytest.mark.django_db
def test_an_unknown_kind_plans_nothing():
    plan = plan_update("no-such-kind", 1)
    assert (plan.index, plan.delete) == ([], [])


@pytest.mark.django_db
def test_product_document_has_its_valid_certifications(home_page):
    from products.models import Certification

    product = ProductFactory(name="高山云雾茶", category="tea")
    producer = product.producer
    today = timezone.localdate()
    year = datetime.timedelta(days=365)
    for kind, start, end, for_product in (
        ("organic", today - year, today + year, product),
        ("geo_indication", today - year, today, None),  # the producer's, last valid day
        ("green_food", today - 2 * year, today - datetime.timedelta(days=1), product),  # expired
    ):
        Certification.objects.create(
            producer=producer,
            product=for_product,
            kind=kind,
            number="N",
            issuer="I",
            valid_from=start,
            valid_until=end,
        )

    (body,) = document_bodies(get_kind("product"), [product])

    assert body["certification"] == ["geo_indication", "organic"]
    assert any(label.startswith("certification|organic|") for label in body["facet_labels"])
    assert not any(label.startswith("certification|green_food|") for label in body["facet_labels"])
