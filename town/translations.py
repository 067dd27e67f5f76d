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
from wagtail.models import Locale

from .cache import cached
from .models import Village


def content_language(language=None):
    """The content language ``language`` (else the active one) maps to: "zh-hans", "en"."""
    try:
        return get_supported_content_language_variant(language or translation.get_language())
    except LookupError:
        return get_supported_content_language_variant(settings.LANGUAGE_CODE)


def is_default_language(language=None):
    return content_language(language) == content_language(settings.LANGUAGE_CODE)


def site_locales() -> dict:
    """{pk: Locale} of every locale, from the content cache: a page asks for the default locale or
    its own several times a request, and locales change only when an editor adds or edits one
    (which bumps the content version, ``town.cache.CONTENT_MODELS``)."""
    return cached(
        ("locales",), lambda: {locale.pk: locale for locale in Locale.objects.all()}, in_process=True
    )


def default_locale():
    """``Locale.get_default()`` without its query (and raising as it does when there is none)."""
    code = content_language(settings.LANGUAGE_CODE)
    for locale in site_locales().values():
        if locale.language_code == code:
            return locale
    return Locale.get_default()


def active_locale():
    """``Locale.get_active()`` without its query: the locale of the active language, else the
    default one."""
    code = content_language()
    for locale in site_locales().values():
        if locale.language_code == code:
            return locale
    return default_locale()


def locale_of(obj):
    """``obj.locale`` (a page, a snippet) without its query."""
    return site_locales().get(obj.locale_id) or obj.locale


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


def villages_in(locale_id):
    """The villages of a locale, by name (a filter's choices, the names a translated page shows):
    read once per content version, which an edit to a village bumps."""
    return cached(("villages", locale_id), lambda: list(Village.objects.in_locale(locale_id)))


def localize_villages(pages, locale_id, villages=None):
    """Set ``village_shown`` on each page (or any row with a ``village``): its village in
    ``locale_id`` when there is one. The locale's villages come from the content cache.

    A translated page keeps pointing at the village chosen in Chinese; the English reader should
    read the English name. ``villages`` (already in ``locale_id``) saves the query."""
    foreign = {p.village.translation_key for p in pages if p.village_id and p.village.locale_id != locale_id}
    by_key = {}
    if foreign:
        if villages is None:
            villages = villages_in(locale_id)
        by_key = {village.translation_key: village for village in villages}
    for page in pages:
        village = page.village if page.village_id else None
        page.village_shown = by_key.get(village.translation_key, village) if village else None
    return pages
