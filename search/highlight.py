"""Marks the words a query matched in a piece of text: escaped first, then wrapped in <mark>.

A word matches when it is a query token, when a Chinese query token is inside it, when its pinyin
(joined or initials) is a query token, or when a Latin query token of two letters or more is its
beginning (partial words). The same rules for every backend, so snippets look alike.
"""

import jieba
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .text import _word_pinyin, is_han, normalise

SNIPPET_LENGTH = 140
LEAD = 30


def _mark(text: str) -> str:
    return f"<mark>{escape(text)}</mark>"


def _highlight_word(word: str, han_terms: list[str], latin_terms: set[str], prefixes: list[str]) -> str:
    key = normalise(word)
    if not key.strip():
        return escape(word)
    if key in latin_terms or key in han_terms:
        return _mark(word)
    if is_han(key):
        if any(p in latin_terms for p in _word_pinyin(key)):
            return _mark(word)
        for term in han_terms:  # longest first
            at = key.find(term)
            if at >= 0 and len(key) == len(word):
                return escape(word[:at]) + _mark(word[at : at + len(term)]) + escape(word[at + len(term) :])
        return escape(word)
    if any(key.startswith(p) for p in prefixes):
        return _mark(word)
    return escape(word)


def highlight(text: str, terms: list[str], length: int = SNIPPET_LENGTH) -> SafeString:
    """A snippet of ``text`` (about ``length`` characters, starting shortly before the first match)
    as safe HTML with the matched words marked."""
    text = " ".join((text or "").split())
    if not text:
        return mark_safe("")
    terms = [normalise(t) for t in terms if t]
    han_terms = sorted({t for t in terms if is_han(t)}, key=len, reverse=True)
    latin_terms = {t for t in terms if not is_han(t)}
    prefixes = [t for t in latin_terms if len(t) >= 2]
    pieces, first_match = [], None
    for word, start, _end in jieba.tokenize(text):
        html = _highlight_word(word, han_terms, latin_terms, prefixes)
        if first_match is None and "<mark>" in html:
            first_match = start
        pieces.append((start, html))
    begin = max(0, (first_match or 0) - LEAD) if first_match and first_match + LEAD > length else 0
    out = []
    for start, html in pieces:
        if start < begin:
            continue
        if start - begin >= length:
            out.append("…")
            break
        out.append(html)
    prefix = "…" if begin else ""
    return mark_safe(prefix + "".join(out))  # noqa: S308 - every piece went through escape()
