"""Tokenisation: index time and query time cut the same way; pinyin, initials, synonyms."""

import pytest

from search.models import split_terms
from search.synonyms import build_map
from search.text import (
    MAX_QUERY_LENGTH,
    clean_query,
    index_text,
    pinyin_terms,
    query_groups,
    query_terms,
    segment,
    tokens,
)

SENTENCES = [
    "三千亩桃花盛开，花海徒步、汉服巡游、摄影大赛和桃花宴。",
    "六月至八月采水蜜桃，秋天摘猕猴桃，现摘现称，农户直销。",
    "Pick honey peaches from June to August — and kiwi fruit in autumn!",
    "住在桃林里，三月看花，七月摘桃。Wi-Fi 全覆盖",
    "桃花坞桃花节",
    "草莓采摘",
]


@pytest.mark.parametrize("text", SENTENCES)
def test_index_and_query_tokenise_the_same_text_to_the_same_tokens(text):
    indexed = index_text(text).split()
    assert indexed == list(dict.fromkeys(tokens(text)))
    # Without synonyms, a query's terms start with exactly the index tokens of the same text.
    assert query_terms(text, synonyms={})[: len(indexed)] == indexed


@pytest.mark.parametrize("text", SENTENCES)
def test_every_query_word_of_a_text_is_among_its_index_tokens(text):
    indexed = set(index_text(text).split())
    for group in query_groups(text, synonyms={}):
        assert group[0] in indexed


def test_a_two_character_word_inside_a_sentence_is_its_own_token():
    indexed = index_text("秋天摘猕猴桃，现摘现称").split()
    assert "猕猴桃" in indexed
    assert "秋天" in indexed
    assert "现摘现称" not in indexed  # only words, not the whole clause


def test_search_mode_keeps_the_short_words_inside_long_ones():
    assert segment("桃花节") == ["桃花", "桃花节"]


def test_pinyin_has_joined_syllables_each_syllable_and_initials():
    terms = pinyin_terms("桃花节")
    assert {"taohua", "taohuajie", "tao", "hua", "jie", "th", "thj"} <= set(terms)


def test_latin_words_are_lowercased_and_punctuation_dropped():
    assert segment("Strawberry-Picking!! 《草莓》") == ["strawberry", "picking", "草莓"]
    assert "wifi" in tokens("Wi-Fi")


def test_full_width_letters_are_folded():
    assert segment("ＴＡＯＨＵＡ") == ["taohua"]


def test_punctuation_only_has_no_tokens():
    assert segment("！？。，、…——") == []
    assert query_groups("!!! ??? ...", synonyms={}) == []


def test_spaced_pinyin_is_also_tried_joined():
    assert query_groups("tao hua", synonyms={}) == [["tao", "taohua"], ["hua", "taohua"]]


def test_a_chinese_query_word_also_matches_its_pinyin():
    assert query_groups("草莓", synonyms={}) == [["草莓", "caomei"]]


def test_synonyms_expand_a_query_word():
    synonyms = build_map([["民宿", "农家乐", "homestay"], ["采摘", "picking"]])
    assert query_groups("农家乐", synonyms) == [["农家乐", "nongjiale", "民宿", "homestay"]]
    assert query_groups("Picking", synonyms) == [["picking", "采摘"]]
    assert "homestay" in query_terms("民宿", synonyms)


def test_synonyms_match_whole_terms_only():
    synonyms = build_map([["农家乐", "homestay"]])
    assert "homestay" not in query_terms("农家", synonyms)


def test_synonym_terms_are_split_on_commas_and_lines():
    assert split_terms("民宿, 农家乐，客栈\nhomestay、guesthouse") == [
        "民宿",
        "农家乐",
        "客栈",
        "homestay",
        "guesthouse",
    ]


def test_queries_are_cut_to_two_hundred_characters():
    assert len(clean_query("桃" * 500)) == MAX_QUERY_LENGTH
    assert clean_query("  桃花  ") == "桃花"


def test_each_character_of_a_longer_chinese_word_of_a_name_is_indexed_too():
    from search.text import entry_text

    assert {"茶", "花", "蜜"} <= set(index_text("茶花蜜", characters=True).split())
    assert "蜜" not in index_text("茶花蜜").split()  # only for kinds that ask (split_names)
    text = entry_text(["茶花蜜"], ["蜂箱"], characters=True).split()
    assert {"茶", "花", "蜜", "蜂箱"} <= set(text)
    assert "箱" not in text  # the description's words stay whole


def test_a_chinese_query_that_found_nothing_is_tried_by_its_characters():
    from search.text import characters_query

    assert characters_query("蜂蜜") == "蜂 蜜"
    assert characters_query("蜜") == ""  # one character: nothing more to split
    assert characters_query("honey") == ""
