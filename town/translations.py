"""Translatable rows (Wagtail's ``TranslatableMixin``: pages, snippets, inline rows) in the
visitor's language.

The rows that carry inventory (room types, ticket types, products, the pages they hang on) are
the default-locale ones; a translation is another row with the same ``translation_key`` in
another locale, made with ``copy_for_translation``. What a visitor reads is the translation when
there is one, else the original.
"""

from django.conf import settings
from django.utils import translation
from wagtail.coreutils import get_supported_content_language_variant

from .models import Village


def content_language(language=None):
    """The content language ``language`` (else the active one) maps to: "zh-hans", "en"."""
    try:
        return get_supported_content_language_variant(language or translation.get_language())
    except LookupError:
        return get_supported_content_language_variant(settings.LANGUAGE_CODE)


def is_default_language(language=None):
    return content_language(language) == content_language(settings.LANGUAGE_CODE)


def in_language(objects, language=None) -> dict:
    """{object pk: its translation in ``language`` (else the active language), or the object
    itself when it has none}, for default-locale ``objects`` (the rows that carry inventory):
    one query per model, none in the default language."""
    objects = [obj for obj in objects if obj is not None]
    found = {obj.pk: obj for obj in objects}
    if not objects or is_default_language(language):
        return found
    language = content_language(language)
    by_model = {}
    for obj in objects:
        by_model.setdefault(type(obj), []).append(obj)
    for model, items in by_model.items():
        rows = model.objects.filter(
            translation_key__in={obj.translation_key for obj in items}, locale__language_code=language
        )
        translated = {row.translation_key: row for row in rows}
        for obj in items:
            found[obj.pk] = translated.get(obj.translation_key, obj)
    return found


def localize_villages(pages, locale_id, villages=None):
    """Set ``village_shown`` on each page (or any row with a ``village``): its village in
    ``locale_id`` when there is one. One query, none when every village is already in it.

    A translated page keeps pointing at the village chosen in Chinese; the English reader should
    read the English name. ``villages`` (already in ``locale_id``) saves the query."""
    foreign = {p.village.translation_key for p in pages if p.village_id and p.village.locale_id != locale_id}
    by_key = {}
    if foreign:
        if villages is None:
            villages = Village.objects.filter(locale_id=locale_id, translation_key__in=foreign)
        by_key = {village.translation_key: village for village in villages}
    for page in pages:
        village = page.village if page.village_id else None
        page.village_shown = by_key.get(village.translation_key, village) if village else None
    return pages
