"""Search quality on the demo town: each query finds the expected item in the top 3.

The demo is loaded once for the module (``demo_town``). Queries cover Chinese words (also two-
character words inside sentences), pinyin (joined, spaced), initials, English (the translations
are indexed with the Chinese pages), synonyms (the seeded ``SearchSynonym`` groups) and partial
words. Runs on SQLite and on PostgreSQL (DATABASE_URL=postgres://...).
"""

import pytest

from search.service import SearchRequest, search

pytestmark = [pytest.mark.django_db, pytest.mark.site_search]

QUALITY = [
    # Chinese words
    ("采摘", "桃花坞采摘园"),
    ("桃花节", "桃花坞桃花节"),
    ("瀑布", "飞云瀑"),
    ("露营", "溪口星空营地"),
    ("研学", "茶山自然研学基地"),
    ("花灯", "青溪花灯庙会"),
    ("红军", "红军小道"),
    ("畲族", "竹源畲族风情园"),
    ("吊脚楼", "畲家吊脚楼"),
    ("茶园", "茶山有机茶园"),
    ("采茶", "茶山采茶节"),
    ("丰收节", "中国农民丰收节 · 青溪稻香季"),
    ("老街", "石板街老街"),
    ("纪念馆", "红岭革命纪念馆"),
    ("客栈", "茶馆客栈"),
    ("交通", "交通指南"),
    ("桃花坞 采摘", "桃花坞采摘园"),
    # Two-character words inside sentences
    ("竹筏", "青溪十里画廊"),
    ("猕猴桃", "桃花坞采摘园"),
    ("山歌", "畲歌堂与彩带工坊"),
    ("云海", "云雾茶舍"),
    ("天井", "石板老宅"),
    ("汉服", "桃花坞桃花节"),
    ("泡池", "竹泉山居"),
    ("观星", "溪口星空营地"),
    # Pinyin
    ("taohua", "桃花坞桃花节"),
    ("tao hua", "桃花坞桃花节"),
    ("taohuajie", "桃花坞桃花节"),
    ("pubu", "飞云瀑"),
    ("huadeng", "青溪花灯庙会"),
    ("hongjun", "红军小道"),
    ("kezhan", "茶馆客栈"),
    ("yanxue", "茶山自然研学基地"),
    ("CaiCha", "茶山采茶节"),
    # Initials
    ("th", "桃花坞桃花节"),
    ("hd", "青溪花灯庙会"),
    # English
    ("waterfall", "飞云瀑"),
    ("lantern", "青溪花灯庙会"),
    ("camping", "溪口星空营地"),
    ("tea picking", "茶山采茶节"),
    ("Red Army", "红军小道"),
    ("stilt house", "畲家吊脚楼"),
    ("Peach Blossom Festival", "桃花坞桃花节"),
    # Synonyms (seeded groups: 民宿 = 农家乐 = homestay, 采摘 = picking, 露营 = camping, ...)
    ("农家乐", "茶馆客栈"),
    ("homestay", "茶馆客栈"),
    ("picking", "草莓采摘"),
    ("picking", "水蜜桃采摘"),
    ("帐篷", "溪口星空营地"),
    # Partial words (typed without finishing)
    ("waterf", "飞云瀑"),
    ("lant", "青溪花灯庙会"),
    ("taohuaj", "桃花坞桃花节"),
    # The strawberry set (the "done when"): the tour and the products come first
    ("草莓采摘", "草莓采摘"),
    ("草莓酱", "草莓酱"),
    ("采摘", "草莓采摘"),
    ("caomei", "草莓采摘"),
    ("strawberry", "草莓采摘"),
    ("草莓", "奶油草莓"),
    ("caomei", "奶油草莓"),
    ("caomei", "草莓酱"),
    ("strawberry", "奶油草莓"),
    ("strawberry", "草莓酱"),
    ("caom", "奶油草莓"),
]

# The English site finds its pages from Chinese words too (each entry carries its translations).
QUALITY_EN = [
    ("桃花节", "Peach Blossom Festival"),
    ("waterfall", "Flying Cloud Falls"),
    ("taohua", "Peach Blossom Festival"),
    ("民宿", "Tea House Inn"),
]


def top3(q, language="zh-hans"):
    return [hit.title for hit in search(SearchRequest(q=q, language=language, per_page=3)).hits]


@pytest.mark.parametrize(("q", "expected"), QUALITY)
def test_expected_item_in_top_three(demo_town, q, expected):
    assert expected in top3(q), f"{q!r} → {top3(q)}"


@pytest.mark.parametrize(("q", "expected"), QUALITY_EN)
def test_expected_item_in_top_three_on_the_english_site(demo_town, q, expected):
    assert expected in top3(q, "en"), f"{q!r} → {top3(q, 'en')}"


def test_the_quality_set_has_at_least_forty_queries():
    assert len(QUALITY) + len(QUALITY_EN) >= 40


def test_results_on_the_chinese_site_are_chinese_pages(demo_town):
    results = search(SearchRequest(q="waterfall"))
    assert results.hits
    assert all(hit.obj.language == "zh-hans" for hit in results.hits)


@pytest.mark.parametrize("q", ["caomei", "strawberry", "草莓"])
def test_strawberries_bring_the_picking_tour_and_the_strawberry_products_first(demo_town, q):
    assert set(top3(q)) == {"草莓采摘", "奶油草莓", "草莓酱"}


# Issue 20, item 10: a Chinese word inside a longer name, and pinyin never above the characters.


def titles(q, language="zh-hans"):
    return [hit.title for hit in search(SearchRequest(q=q, language=language, per_page=50)).hits]


def test_honey_finds_the_honeys_named_after_their_flowers(demo_town):
    found = titles("蜂蜜")
    assert {"茶花蜜", "百花蜜"} <= set(found), found


@pytest.mark.parametrize(
    ("q", "expected"), [("米", {"石磨糙米", "高粱小米", "红岭梯田米"}), ("蜜", {"茶花蜜", "百花蜜"})]
)
def test_a_word_inside_a_longer_name_is_found(demo_town, q, expected):
    found = titles(q)
    assert expected <= set(found), found


def test_a_pinyin_match_never_outranks_a_character_match(demo_town):
    found = titles("蜜")
    with_honey = [i for i, title in enumerate(found) if "蜜" in title]
    rice_only = [i for i, title in enumerate(found) if "米" in title and "蜜" not in title]
    assert with_honey and rice_only, found  # 米 is still found through its pinyin "mi"
    assert max(with_honey) < min(rice_only), found
