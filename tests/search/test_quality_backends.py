"""Search quality on a town of our own, the same on SQLite and on PostgreSQL (issue 21, item 4).

Not the demo (tests/search/test_quality.py covers it): pages and products written for this test,
each in Chinese with its English translation, as an editor makes them. The queries cover Chinese
words, a Chinese word inside a longer product name (蜂蜜 → 茶花蜜), pinyin, English words and
two-word English queries standing word for word in an English title — some with a word a
language's stemmer or stop list would change ("Above", "Through", "Houses") — and a pinyin match
never outranking a character match.

Each query's expected page must be in its top 3, and its top 3 must be exactly the recorded
one (``TOP3``), in order: CI runs this module on SQLite (``make test``) and again on PostgreSQL
(``DATABASE_URL=postgres://... REQUIRE_POSTGRES=1``), so both databases answer every query with
the same top 3 — also queries that many pages answer equally well (``TIES``), where a database's
own relevance used to decide. Before issue 21's fix, PostgreSQL failed 9 of these tests ("tea
house" missed "Riverside Tea House"; stemming changed the top 3 of "tea picking", "lanterns"…).
The same top 3 is required again with only 5 hits ranked whole (the bound of issue 21, item 4).
The module has no ``postgres`` mark: it runs in both of CI's passes, never skipped.
"""

import pytest
from django.db import connection, transaction

from search.indexing import rebuild
from search.service import SearchRequest, search
from tests.factories.attractions import (
    AttractionIndexPageFactory,
    AttractionPageFactory,
    ExperiencePageFactory,
)
from tests.factories.events import EventIndexPageFactory, EventPageFactory
from tests.factories.home import en_locale, make_home_page, translate
from tests.factories.homestays import HomestayIndexPageFactory, HomestayPageFactory
from tests.factories.products import ProducerFactory, ProductFactory
from tests.factories.town import VillageFactory

pytestmark = [pytest.mark.django_db, pytest.mark.site_search]

# (kind, Chinese title, Chinese text, English title, English text)
PAGES = [
    (
        "attraction",
        "飞瀑廊桥",
        "一座木廊桥横跨溪谷，桥边就是三叠瀑布。",
        "Covered Bridge by the Falls",
        "A wooden covered bridge across the gorge, beside a three-step waterfall.",
    ),
    (
        "attraction",
        "三叠瀑",
        "瀑布从山崖上分三叠落下，夏天水量最大。",
        "Three-Step Falls",
        "The stream drops from the cliff in three steps; fullest in summer.",
    ),
    (
        "attraction",
        "溪口石桥",
        "明代单孔石拱桥，桥下可以看鱼。",
        "Stone Bridge at Xikou",
        "A single-arch stone bridge from the Ming dynasty; fish swim below.",
    ),
    (
        "attraction",
        "茶馆巷",
        "老街后面一条小巷，两旁都是老茶馆。",
        "Lane of Old Teahouses",
        "A lane behind the old street lined with teahouses where the elders play cards.",
    ),
    (
        "attraction",
        "千年古樟",
        "村口一棵一千多年的香樟树。",
        "Old Camphor Tree",
        "A camphor tree more than a thousand years old at the village gate.",
    ),
    (
        "attraction",
        "观云台",
        "清晨在山顶看云海和日出。",
        "Above the Clouds Lookout",
        "Watch the sea of clouds and the sunrise from the summit at dawn.",
    ),
    (
        "attraction",
        "荷塘",
        "七月满塘荷花，木栈道绕塘一周。",
        "Lotus Pond",
        "A pond full of lotus in July, with a boardwalk around it.",
    ),
    (
        "attraction",
        "万亩竹海",
        "竹林连绵的山谷，有步道穿过。",
        "Sea of Bamboo",
        "A valley of bamboo forest with a trail running through it.",
    ),
    (
        "experience",
        "竹筏漂流",
        "坐竹筏顺溪而下，两岸青山。",
        "Bamboo Rafting",
        "Drift down the stream on a bamboo raft between green hills.",
    ),
    (
        "experience",
        "夜游古街",
        "提着灯笼走过古街，听老人讲故事。",
        "Night Walk Through the Old Street",
        "Walk the old street by lantern light and hear the elders' stories.",
    ),
    (
        "experience",
        "采茶制茶",
        "上午采茶，下午跟茶师学炒茶。",
        "Tea Picking and Roasting",
        "Pick tea in the morning and roast it with a tea master in the afternoon.",
    ),
    (
        "experience",
        "蜂场探访",
        "跟养蜂人看蜂箱、摇蜜。",
        "Bee Farm Visit",
        "See the hives with the beekeeper and spin the combs.",
    ),
    (
        "experience",
        "杨梅采摘",
        "六月上山摘杨梅。",
        "Bayberry Picking",
        "Pick bayberries on the hill in June.",
    ),
    (
        "event",
        "荷花节",
        "七月荷花盛开，有荷灯和夜市。",
        "Lotus Festival",
        "Lotus in full bloom in July, with floating lanterns and a night market.",
    ),
    (
        "event",
        "开茶节",
        "清明前开山采第一批新茶。",
        "Spring Tea Festival",
        "The first tea of the year is picked before Qingming.",
    ),
    (
        "event",
        "篝火晚会",
        "河滩上的篝火、烤全羊和山歌。",
        "Bonfire Night",
        "A bonfire on the river beach with roast lamb and mountain songs.",
    ),
    (
        "homestay",
        "听溪山房",
        "老茶馆改成的民宿，推窗就是溪水。",
        "Riverside Tea House",
        "An old tea house turned into a homestay; open the window onto the stream.",
    ),
    (
        "homestay",
        "云上客栈",
        "山顶的客栈，房间里看云海。",
        "Inn Above the Clouds",
        "An inn on the summit; watch the sea of clouds from your room.",
    ),
    (
        "homestay",
        "竹影小院",
        "竹林里的小院，只有三间房。",
        "Bamboo Shade Courtyard",
        "A small courtyard in the bamboo with only three rooms.",
    ),
    (
        "homestay",
        "稻田人家",
        "住在稻田边的农家，早上可以下田。",
        "Rice Paddy Farm Stay",
        "Stay with a farming family by the rice paddies; join the morning's work.",
    ),
    (
        "homestay",
        "茶园小屋",
        "茶园中间的木屋，两间客房都看得到茶山。",
        "Tea Garden Houses",
        "Wooden houses in the middle of the tea garden; both rooms look onto the tea hills.",
    ),
]

# (Chinese name, Chinese text, English name, English text, category)
PRODUCTS = [
    (
        "茶花蜜",
        "山茶花开时酿的蜜，琥珀色。",
        "Camellia Honey",
        "Honey from the camellia blossom.",
        "processed",
    ),
    (
        "百花蜜",
        "山里百花酿成，结晶细腻。",
        "Wildflower Honey",
        "Honey from the mountain's wildflowers.",
        "processed",
    ),
    ("水蜜桃", "七月成熟的白桃，汁多。", "White Peaches", "White peaches ripe in July, very juicy.", "fruit"),
    (
        "石磨糙米",
        "梯田稻谷石磨脱壳。",
        "Stone-Milled Brown Rice",
        "Terrace rice hulled on a stone mill.",
        "rice_grain",
    ),
    ("高粱小米", "旱地种的小米。", "Millet", "Millet grown on the dry slopes.", "rice_grain"),
    (
        "林下土鸡蛋",
        "林子里散养的鸡下的蛋。",
        "Free-Range Eggs",
        "Eggs of hens free in the woods.",
        "meat_eggs",
    ),
    (
        "明前龙井",
        "清明前采的头茬茶。",
        "Pre-Qingming Longjing Tea",
        "The first tea, picked before Qingming.",
        "tea",
    ),
    ("笋干", "春笋晒干，炖肉最香。", "Dried Bamboo Shoots", "Spring shoots dried in the sun.", "processed"),
]

# (query, the page that must be in its top 3 on every database)
QUERIES = [
    # Chinese words
    ("瀑布", "三叠瀑"),
    ("廊桥", "飞瀑廊桥"),
    ("漂流", "竹筏漂流"),
    ("荷花", "荷花节"),
    ("客栈", "云上客栈"),
    ("采茶", "采茶制茶"),
    ("古樟", "千年古樟"),
    ("土鸡蛋", "林下土鸡蛋"),
    # A Chinese word inside a longer product name
    ("蜂蜜", "茶花蜜"),
    ("蜂蜜", "百花蜜"),
    ("鸡蛋", "林下土鸡蛋"),
    ("蜜", "茶花蜜"),
    # Pinyin
    ("pubu", "三叠瀑"),
    ("langqiao", "飞瀑廊桥"),
    ("zhufa", "竹筏漂流"),
    ("hehua", "荷花节"),
    ("yangmei", "杨梅采摘"),
    ("he hua", "荷花节"),
    # English, one word
    ("waterfall", "飞瀑廊桥"),
    ("honey", "茶花蜜"),
    ("rafting", "竹筏漂流"),
    ("bonfire", "篝火晚会"),
    ("millet", "高粱小米"),
    ("lotus", "荷塘"),
    # English, two words standing word for word in an English title
    ("covered bridge", "飞瀑廊桥"),
    ("stone bridge", "溪口石桥"),
    ("bamboo rafting", "竹筏漂流"),
    ("tea house", "听溪山房"),
    ("night walk", "夜游古街"),
    ("above clouds", "观云台"),
    ("inn above", "云上客栈"),
    ("garden houses", "茶园小屋"),
    ("farm stay", "稻田人家"),
    ("lotus festival", "荷花节"),
    ("tea picking", "采茶制茶"),
    ("bee farm", "蜂场探访"),
    ("brown rice", "石磨糙米"),
    ("bamboo shoots", "笋干"),
    ("old teahouses", "茶馆巷"),
]

# The English site finds its pages by their English and their Chinese words alike.
QUERIES_EN = [
    ("tea house", "Riverside Tea House"),
    ("蜂蜜", "Camellia Honey"),
    ("waterfall", "Covered Bridge by the Falls"),
    ("pubu", "Three-Step Falls"),
    ("night walk", "Night Walk Through the Old Street"),
    # Two English words standing word for word in the English title, on the English site too
    ("stone bridge", "Stone Bridge at Xikou"),
    ("inn above", "Inn Above the Clouds"),
    ("garden houses", "Tea Garden Houses"),
    ("bee farm", "Bee Farm Visit"),
    ("brown rice", "Stone-Milled Brown Rice"),
]

# Queries that many pages answer equally well: the order among them is what differs between
# databases when either orders by its own relevance.
TIES = ["tea", "bamboo", "clouds", "bridge", "festival", "茶", "竹", "蜜", "米", "mi", "lanterns", "old"]


# Each query's top 3 in order, as both databases answer it (recorded on SQLite; PostgreSQL must
# answer the same). A deliberate change of ranking re-records them ("en:": the English site).
TOP3 = {
    "瀑布": ["三叠瀑", "飞瀑廊桥"],
    "廊桥": ["飞瀑廊桥"],
    "漂流": ["竹筏漂流"],
    "荷花": ["荷花节", "荷塘"],
    "客栈": ["云上客栈", "茶园小屋", "稻田人家"],
    "采茶": ["采茶制茶"],
    "古樟": ["千年古樟"],
    "土鸡蛋": ["林下土鸡蛋"],
    "蜂蜜": ["茶花蜜", "百花蜜", "水蜜桃"],
    "鸡蛋": ["林下土鸡蛋"],
    "蜜": ["茶花蜜", "百花蜜", "水蜜桃"],
    "pubu": ["三叠瀑", "飞瀑廊桥"],
    "langqiao": ["飞瀑廊桥"],
    "zhufa": ["竹筏漂流"],
    "hehua": ["荷花节", "荷塘"],
    "yangmei": ["杨梅采摘"],
    "he hua": ["荷花节", "荷塘"],
    "waterfall": ["飞瀑廊桥"],
    "honey": ["茶花蜜", "百花蜜"],
    "rafting": ["竹筏漂流"],
    "bonfire": ["篝火晚会"],
    "millet": ["高粱小米"],
    "lotus": ["荷塘", "荷花节"],
    "covered bridge": ["飞瀑廊桥"],
    "stone bridge": ["溪口石桥"],
    "bamboo rafting": ["竹筏漂流"],
    "tea house": ["听溪山房"],
    "night walk": ["夜游古街"],
    "above clouds": ["观云台", "云上客栈"],
    "inn above": ["云上客栈"],
    "garden houses": ["茶园小屋"],
    "farm stay": ["稻田人家"],
    "lotus festival": ["荷花节"],
    "tea picking": ["采茶制茶"],
    "bee farm": ["蜂场探访"],
    "brown rice": ["石磨糙米"],
    "bamboo shoots": ["笋干"],
    "old teahouses": ["茶馆巷"],
    "tea": ["开茶节", "采茶制茶", "茶园小屋"],
    "bamboo": ["笋干", "万亩竹海", "竹筏漂流"],
    "clouds": ["观云台", "云上客栈"],
    "bridge": ["溪口石桥", "飞瀑廊桥"],
    "festival": ["荷花节", "开茶节"],
    "茶": ["茶花蜜", "采茶制茶", "开茶节"],
    "竹": ["万亩竹海", "竹筏漂流", "竹影小院"],
    "米": ["高粱小米", "石磨糙米", "茶花蜜"],
    "mi": ["茶花蜜", "百花蜜", "高粱小米"],
    "lanterns": ["荷花节"],
    "old": ["茶馆巷", "千年古樟", "夜游古街"],
    "en:tea house": ["Riverside Tea House"],
    "en:蜂蜜": ["Camellia Honey", "Wildflower Honey", "White Peaches"],
    "en:waterfall": ["Covered Bridge by the Falls"],
    "en:pubu": ["Three-Step Falls", "Covered Bridge by the Falls"],
    "en:night walk": ["Night Walk Through the Old Street"],
    "en:stone bridge": ["Stone Bridge at Xikou"],
    "en:inn above": ["Inn Above the Clouds"],
    "en:garden houses": ["Tea Garden Houses"],
    "en:bee farm": ["Bee Farm Visit"],
    "en:brown rice": ["Stone-Milled Brown Rice"],
}


def build_town():
    """The pages and products above, each with its English translation, then the index."""
    home = make_home_page()
    village = VillageFactory(name="溪口村", slug="xikou")
    parents = {
        "attraction": AttractionIndexPageFactory(parent=home),
        "experience": AttractionIndexPageFactory(parent=home, slug="tours", title="体验"),
        "event": EventIndexPageFactory(parent=home),
        "homestay": HomestayIndexPageFactory(parent=home),
    }
    for kind, title, text, title_en, text_en in PAGES:
        parent = parents[kind]
        if kind == "attraction":
            page = AttractionPageFactory(parent=parent, title=title, intro=text, village=village)
            translate(page, title=title_en, intro=text_en, village=None)
        elif kind == "experience":
            page = ExperiencePageFactory(parent=parent, title=title, intro=text, village=village)
            translate(page, title=title_en, intro=text_en, village=None)
        elif kind == "event":
            page = EventPageFactory(parent=parent, title=title, intro=text)
            translate(page, title=title_en, intro=text_en)
        else:
            page = HomestayPageFactory(parent=parent, title=title, summary=text, village=village)
            translate(page, title=title_en, summary=text_en, village=None)
    producer = ProducerFactory(village=village, display_name="溪口合作社")
    english = en_locale()
    for name, text, name_en, text_en, category in PRODUCTS:
        product = ProductFactory(producer=producer, name=name, description=text, category=category)
        copy = product.copy_for_translation(english)
        copy.name, copy.description, copy.live = name_en, text_en, True
        copy.save()
    rebuild()


@pytest.fixture(scope="module")
def town(django_db_setup, django_db_blocker):
    """Built once for the module inside a transaction rolled back at its end (the tests only
    read it; each still runs in its own savepoint)."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            build_town()
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def top3(q, language="zh-hans"):
    return [hit.title for hit in search(SearchRequest(q=q, language=language, per_page=3)).hits]


def titles(q, language="zh-hans"):
    return [hit.title for hit in search(SearchRequest(q=q, language=language, per_page=50)).hits]


@pytest.mark.parametrize(("q", "expected"), QUERIES)
def test_the_expected_page_is_in_the_top_three(town, q, expected):
    found = top3(q)
    assert expected in found, f"{q!r} on {connection.vendor} → {found}"


@pytest.mark.parametrize(("q", "expected"), QUERIES_EN)
def test_the_expected_page_is_in_the_top_three_on_the_english_site(town, q, expected):
    found = top3(q, "en")
    assert expected in found, f"{q!r} on {connection.vendor} → {found}"


@pytest.mark.parametrize(("key", "recorded"), TOP3.items())
def test_the_top_three_is_the_same_on_every_database(town, key, recorded):
    language, q = ("en", key[3:]) if key.startswith("en:") else ("zh-hans", key)
    found = top3(q, language)
    assert found == recorded, f"{q!r} ({language}) on {connection.vendor} → {found}, recorded {recorded}"


def test_every_query_has_its_top_three_recorded():
    assert set(TOP3) == {q for q, _e in QUERIES} | set(TIES) | {f"en:{q}" for q, _e in QUERIES_EN}
    assert len(QUERIES) >= 20


def test_an_english_title_is_found_by_its_two_words_whatever_shares_their_stem(town):
    """The page "Lane of Old Teahouses" holds "teahouses": with an English stemmer, the joined word
    "teahouse" matched it and the search stopped there, losing "Riverside Tea House"."""
    assert titles("tea house") == ["听溪山房"]
    assert titles("tea house", "en") == ["Riverside Tea House"]


@pytest.mark.parametrize(("q", "characters", "pinyin_only"), [("蜜", "蜜", "米"), ("米", "米", "蜜")])
def test_a_pinyin_match_never_outranks_a_character_match(town, q, characters, pinyin_only):
    found = titles(q)
    with_characters = [i for i, title in enumerate(found) if characters in title]
    through_pinyin = [i for i, title in enumerate(found) if pinyin_only in title and characters not in title]
    assert with_characters and through_pinyin, found  # "mi" is the pinyin of both
    assert max(with_characters) < min(through_pinyin), found


# Issue 21, item 4: only a bounded set of the hits is ranked whole (search/backends/database.py,
# RANK_CANDIDATES, chosen by the rank's title part); the answers must not change for it.


@pytest.mark.parametrize(("key", "recorded"), TOP3.items())
def test_the_top_three_is_the_same_when_only_a_few_hits_are_ranked_whole(town, monkeypatch, key, recorded):
    from search.backends import database

    monkeypatch.setattr(database, "RANK_CANDIDATES", 5)
    language, q = ("en", key[3:]) if key.startswith("en:") else ("zh-hans", key)
    found = top3(q, language)
    assert found == recorded, f"{q!r} ({language}) on {connection.vendor}, 5 ranked → {found}"


@pytest.mark.parametrize("q", ["茶", "米", "tea", "mi"])
def test_pages_past_the_ranked_hits_neither_repeat_nor_skip_one(town, monkeypatch, q):
    from search.backends import database

    everything = titles(q)
    assert len(everything) > 4, everything
    monkeypatch.setattr(database, "RANK_CANDIDATES", 3)
    walked = []
    for page in range(1, 20):
        # The second page straddles the 3 ranked hits and the rest.
        results = search(SearchRequest(q=q, page=page, per_page=2))
        if results.page != page:
            break
        walked.extend(hit.title for hit in results.hits)
    assert sorted(walked) == sorted(everything)  # each hit once


def test_the_page_ranks_a_bounded_set_of_the_hits(town, monkeypatch):
    """The page statement ranks at most RANK_CANDIDATES hits (a LIMIT in its subquery); on
    PostgreSQL its token tests read the stored vectors with constant queries, never a LIKE over
    the text or a tsquery parsed for every row."""
    from django.test.utils import CaptureQueriesContext

    from search.backends import database

    monkeypatch.setattr(database, "RANK_CANDIDATES", 7)
    with CaptureQueriesContext(connection) as queries:
        search(SearchRequest(q="tea", per_page=3))
    (page,) = [q["sql"] for q in queries.captured_queries if "_rank" in q["sql"]]
    assert "LIMIT 7" in page and "LIMIT 3" in page
    if connection.vendor == "postgresql":
        assert "::tsquery" in page
        assert "LIKE" not in page.upper()
        assert page.count("to_tsquery") == 1  # the match only


def test_the_quality_set_runs_on_postgresql_when_ci_asks_for_it():
    """CI's PostgreSQL pass sets REQUIRE_POSTGRES: this module must then run there, not skip."""
    import os

    if os.environ.get("REQUIRE_POSTGRES"):
        assert connection.vendor == "postgresql"
    else:
        assert connection.vendor in ("sqlite", "postgresql")
