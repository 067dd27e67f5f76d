"""Chinese-aware tokenisation shared by indexing and querying, for every backend.

The index never sees raw Chinese: every document is stored as one space-separated string of
tokens (``index_text``) and every query is cut into the same tokens (``query_terms``), so any
engine that splits on whitespace — SQLite FTS5, PostgreSQL's ``simple``/``english`` parser,
Elasticsearch's whitespace analyzer — finds a two-character word inside a sentence.

Tokens of a Chinese word: the word itself (jieba, search mode, so 桃花节 also gives 桃花), its
pinyin joined (``taohuajie``), each syllable (``tao``, ``hua``, ``jie``) and, for words of two or
more characters, the initials (``thj``) and, for the names of kinds that ask (``split_names``: the
shop's products), each character (``茶花蜜`` → ``茶``, ``花``, ``蜜``). Latin words
are lowercased; punctuation is dropped.
"""

import logging
import re
import unicodedata
from functools import lru_cache

import jieba
from pypinyin import Style, lazy_pinyin

jieba.setLogLevel(logging.WARNING)

MAX_QUERY_LENGTH = 200
# More words than this add nothing but load on the database (a query is cut to its first ones).
MAX_QUERY_WORDS = 12

# Dropped on both sides: they would match nearly every document.
STOPWORDS = frozenset(
    {
        "的",
        "了",
        "和",
        "与",
        "及",
        "在",
        "是",
        "也",
        "就",
        "都",
        "而",
        "之",
        "或",
        "a",
        "an",
        "the",
        "and",
        "or",
        "of",
        "in",
        "on",
        "at",
        "to",
        "for",
        "with",
        "is",
        "are",
    }
)

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"[0-9a-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_LATIN_WORD = re.compile(r"^[0-9a-z]+$")
_COMPOUND = re.compile(r"[0-9a-z]+(?:[-'’.][0-9a-z]+)+")


def normalise(text: str) -> str:
    """NFKC (full-width letters and digits become ASCII), lowercased, accents stripped."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


def is_han(token: str) -> bool:
    return bool(_HAN.search(token))


@lru_cache(maxsize=4096)
def _cut(chunk: str, search_mode: bool) -> tuple[str, ...]:
    return tuple(jieba.cut_for_search(chunk) if search_mode else jieba.cut(chunk))


def _segment(text: str, search_mode: bool) -> list[str]:
    words = []
    for chunk in _WORD.findall(normalise(text)):
        for piece in _cut(chunk, search_mode) if is_han(chunk) else (chunk,):
            for token in _WORD.findall(piece):
                if token not in STOPWORDS:
                    words.append(token)
    return words


def segment(text: str) -> list[str]:
    """Words of ``text`` in order: jieba search-mode cut, lowercased, punctuation and stop words
    dropped. Overlapping words are kept (桃花节 → 桃花节, 桃花). Search mode yields every word the
    precise cut yields, so a query's precise words are always among a document's tokens."""
    return _segment(text, search_mode=True)


@lru_cache(maxsize=8192)
def _word_pinyin(word: str) -> tuple[str, ...]:
    syllables = [s for s in lazy_pinyin(word, errors="ignore") if s.isalpha()]
    if not syllables:
        return ()
    terms = ["".join(syllables)]
    if len(syllables) > 1:
        terms.extend(syllables)
        terms.append("".join(s[0] for s in lazy_pinyin(word, style=Style.FIRST_LETTER, errors="ignore")))
    return tuple(dict.fromkeys(terms))


def pinyin_terms(text: str) -> list[str]:
    """Pinyin of each Chinese word in ``text``: joined syllables, each syllable, initials."""
    terms = []
    for token in segment(text):
        if is_han(token):
            terms.extend(_word_pinyin(token))
    return list(dict.fromkeys(terms))


def tokens(text: str, characters: bool = False) -> list[str]:
    """Every index token of one piece of text: its words, then the pinyin of its Chinese words,
    with ``characters`` each character of its longer Chinese words, then hyphenated
    Latin compounds joined (``Wi-Fi`` → ``wi``, ``fi``, ``wifi``)."""
    words = segment(text)
    extra = []
    for word in words:
        if is_han(word):
            extra.extend(_word_pinyin(word))
    # Each character of a longer Chinese word too, so a word inside a longer name is found
    # whatever jieba cut (蜜 in 茶花蜜, cut 茶 / 花蜜; 米 in 糙米): the n-gram fallback of CJK search.
    if characters:
        extra.extend(ch for word in words if len(word) > 1 and is_han(word) for ch in word if is_han(ch))
    extra.extend(re.sub(r"[-'’.]", "", c) for c in _COMPOUND.findall(normalise(text)))
    return words + extra


def index_text(*parts: str, characters: bool = False) -> str:
    """The one string stored in the index for some text: unique tokens, space-joined (with
    ``characters``, each character of its longer Chinese words too)."""
    seen = {}
    for part in parts:
        for token in tokens(str(part or ""), characters=characters):
            seen.setdefault(token, None)
    return " ".join(seen)


def entry_text(titles, texts, characters: bool = False) -> str:
    """An entry's searched text: its title's tokens (with ``characters``, each character of the
    name's longer words too, so 蜜 finds 茶花蜜), then the rest without characters, so a long
    description's every character does not pull it into unrelated searches."""
    seen = dict.fromkeys(index_text(*titles, characters=characters).split())
    seen.update(dict.fromkeys(index_text(*titles, *texts, characters=False).split()))
    return " ".join(seen)


def strip_controls(value: str) -> str:
    """``value`` without control characters (a NUL byte cannot even reach PostgreSQL)."""
    return "".join(
        " " if ch.isspace() else ch for ch in value if ch.isspace() or unicodedata.category(ch)[0] != "C"
    )


def clean_query(q: str) -> str:
    """The query as searched: control characters dropped, stripped, at most MAX_QUERY_LENGTH
    characters."""
    return " ".join(strip_controls(q or "").split())[:MAX_QUERY_LENGTH]


def query_groups(q: str, synonyms: dict[str, list[str]]) -> list[list[str]]:
    """The query as AND-ed groups of OR-ed alternatives.

    One group per word of the query (jieba's precise cut, whose words are all among the
    search-mode tokens a document is indexed with); its alternatives are the word, the joined
    pinyin of a Chinese word and the words of its synonyms. A run of Latin words is also tried
    joined (``tao hua`` → ``taohua``) so spaced pinyin finds the word. ``synonyms``: the staff's
    map, ``search.synonyms.synonym_map()`` (the callers read it; this module reads no database).
    """
    words = list(dict.fromkeys(_segment(clean_query(q), search_mode=False)))[:MAX_QUERY_WORDS]
    groups: list[list[str]] = []
    for word in words:
        alternatives = [word, *(_word_pinyin(word)[:1] if is_han(word) else ())]
        for synonym in synonyms.get(word, ()):
            alternatives.extend(segment(synonym))
        groups.append(list(dict.fromkeys(alternatives)))
    latin_run = [w for w in words if _LATIN_WORD.match(w)]
    if len(latin_run) > 1 and len(latin_run) == len(words):
        joined = "".join(latin_run)
        # "tao hua" means one word; match it joined, or all syllables present.
        for group in groups:
            group.append(joined)
    return groups


def characters_query(q: str) -> str:
    """The last try for a Chinese query that found nothing: its characters, any of them
    (蜂蜜 → "蜂 蜜", so 茶花蜜 and 百花蜜 are found by 蜜). Empty when there is nothing to split."""
    words = _segment(clean_query(q), search_mode=False)[:MAX_QUERY_WORDS]
    if not any(len(w) > 1 and is_han(w) for w in words):
        return ""
    chars = [ch for w in words for ch in (w if is_han(w) else (w,)) if ch not in STOPWORDS]
    return " ".join(dict.fromkeys(chars))


def pinyin_alternatives(group: list[str]) -> set[str]:
    """The pinyin alternative of a Chinese query word's group (``query_groups``): it matches, but
    ranks below any match of the characters themselves (蜜 must not put 米 first)."""
    return set(_word_pinyin(group[0])[:1]) if group and is_han(group[0]) else set()


def query_terms(q: str, synonyms: dict[str, list[str]]) -> list[str]:
    """Every token a query may match: its own index tokens (``tokens``, the same cut as
    ``index_text``), then joined Latin runs and synonyms from ``query_groups``; unique, in order."""
    # Not each character of the query's words: the snippets would light up every 摘 for 采摘.
    own = tokens(clean_query(q))
    return list(dict.fromkeys([*own, *(t for group in query_groups(q, synonyms) for t in group)]))
