"""The demo loader's toolbox: a context shared by the steps, and idempotent upserts for pages,
translatable snippets and generated images.

Every upsert looks its object up by a stable key (slug, translation key, image title) and updates
it in place, so running the loader twice gives the same rows.
"""

import datetime
from dataclasses import dataclass, field
from io import BytesIO

from django.core.files.images import ImageFile
from django.utils import timezone
from wagtail.images import get_image_model
from wagtail.models import Collection, Locale, Page, Site

from . import images

LANGS = ("zh", "en")
DEMO_COLLECTION = "演示图片 Demo images"
DEMO_PASSWORD = "tianyuan-demo"  # noqa: S105 - development only, printed by the command


def t(zh, en):
    """A demo text in both languages."""
    return {"zh": zh, "en": en}


@dataclass
class DemoContext:
    """What the steps share: locales, today's date, the pages and images made so far."""

    zh: Locale
    en: Locale
    today: datetime.date = field(default_factory=timezone.localdate)
    verbosity: int = 1
    write: object = print
    pages: dict = field(default_factory=dict)  # (slug, lang) -> specific page
    images: dict = field(default_factory=dict)  # key -> image
    villages: dict = field(default_factory=dict)  # (slug, lang) -> Village
    users: list = field(default_factory=list)  # (email, password, role) for the summary
    _collection: Collection = None

    def locale(self, lang):
        return self.zh if lang == "zh" else self.en

    def log(self, message):
        if self.verbosity:
            self.write(message)

    def page(self, slug, lang="zh"):
        """A page made by an earlier step, in the given language."""
        return self.pages[(slug, lang)]

    @property
    def collection(self):
        if self._collection is None:
            root = Collection.get_first_root_node()
            self._collection = root.get_children().filter(name=DEMO_COLLECTION).first()
            if self._collection is None:
                self._collection = root.add_child(name=DEMO_COLLECTION)
        return self._collection

    def image(self, key, theme, title):
        """A generated picture saved as a Wagtail image, found again by its title.

        ``title`` is a language pair; the image title (its alt text) carries both, since images
        are shared by the Chinese and English pages.
        """
        if key in self.images:
            return self.images[key]
        text = f"{title['zh']} · {title['en']}"[:255]
        Image = get_image_model()
        image = Image.objects.filter(collection=self.collection, title=text).first()
        if image is None:
            data = images.render_jpeg(key, theme)
            image = Image(
                title=text,
                collection=self.collection,
                file=ImageFile(BytesIO(data), name=f"demo-{key}.jpg"),
            )
            if hasattr(image, "description"):
                image.description = text
            image._set_image_file_metadata()
            image.save()
        self.images[key] = image
        return image


TREE_FIELDS = ("path", "depth", "numchild", "url_path")


def refresh_tree_fields(page):
    """Reload the treebeard fields a page object may hold stale (children added elsewhere):
    saving a stale ``numchild`` would hide the page's children."""
    if page.pk:
        for name, value in Page.objects.filter(pk=page.pk).values(*TREE_FIELDS).get().items():
            setattr(page, name, value)
    return page


def publish(page):
    """Save the page's current field values as a revision and publish it."""
    refresh_tree_fields(page)
    page.save_revision().publish()
    return page


def upsert_page(ctx, parent, model, slug, fill):
    """Create or update the Chinese page ``slug`` under ``parent`` and its English translation.

    ``fill(page, lang)`` sets the page's fields for one language; references to other pages
    must be taken in that language (``ctx.page(slug, lang)``). The English page is made with
    ``copy_for_translation`` so Wagtail links the two by translation key.
    """
    page = model.objects.child_of(parent).filter(slug=slug).first()
    if page is None:
        page = model(slug=slug, locale=ctx.zh)
        fill(page, "zh")
        refresh_tree_fields(parent).add_child(instance=page)
    else:
        fill(page, "zh")
    publish(page)
    ctx.pages[(slug, "zh")] = page

    translation = page.get_translation_or_none(ctx.en)
    if translation is None:
        translation = page.copy_for_translation(ctx.en, copy_parents=True)
    translation = translation.specific
    fill(translation, "en")
    publish(translation)
    ctx.pages[(slug, "en")] = translation
    return page, translation


def upsert_snippet(ctx, model, lookup, fill):
    """Create or update a translatable snippet found by ``lookup`` (in Chinese) and its English
    translation (made with ``copy_for_translation``)."""
    obj = model.objects.filter(locale=ctx.zh, **lookup).first()
    if obj is None:
        obj = model(locale=ctx.zh, **lookup)
    fill(obj, "zh")
    obj.save()
    translation = obj.get_translation_or_none(ctx.en)
    if translation is None:
        translation = obj.copy_for_translation(ctx.en)
    fill(translation, "en")
    translation.save()
    return obj, translation


def home_root():
    """Wagtail's tree root (depth 1)."""
    return Page.get_first_root_node()


def home_page(ctx):
    """The demo's Chinese home page: made by this run, else the default site's root (the loader
    makes the home page the site's root; before that the root is Wagtail's welcome page, a plain
    Page). Found without importing the home app, which sits above every app's demo step."""
    if ("home", "zh") in ctx.pages:
        return ctx.page("home")
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    root = site.root_page if site else None
    if root is None or root.locale_id != ctx.zh.pk or root.specific_class is Page:
        raise RuntimeError("The demo home page is missing: run `python manage.py load_demo` first.")
    return root.specific


def ensure_locales():
    """The Chinese (default) and English locales; Wagtail's migration made only the default."""
    zh, _ = Locale.objects.get_or_create(language_code="zh-hans")
    en, _ = Locale.objects.get_or_create(language_code="en")
    return zh, en
