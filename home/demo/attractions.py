"""Demo steps for villages, attractions, their index and the cross-village routes."""

from decimal import Decimal

from attractions.models import (
    AttractionGalleryImage,
    AttractionIndexPage,
    AttractionPage,
    RoutePage,
    RouteStop,
)
from town.demo.base import upsert_page, upsert_snippet
from town.models import Village

from . import content

# A second picture per attraction, in a theme that suits its category.
GALLERY_THEME = {
    "scenic_spot": "mountain",
    "village": "river",
    "ethnic_culture": "harvest",
    "red_culture": "mountain",
    "farm": "harvest",
    "camping": "river",
    "study_base": "tea",
}


def _coordinate(value):
    return Decimal(f"{value:.6f}")


def load_villages(ctx):
    for item in content.VILLAGES:

        def fill(village, lang, item=item):
            village.name = item["name"][lang]
            village.description = item["summary"][lang]
            village.latitude = _coordinate(item["lat"])
            village.longitude = _coordinate(item["lng"])

        zh, en = upsert_snippet(ctx, Village, {"slug": item["slug"]}, fill)
        ctx.villages[(item["slug"], "zh")] = zh
        ctx.villages[(item["slug"], "en")] = en
    ctx.log(f"  villages: {len(content.VILLAGES)}")


def load_attraction_index(ctx):
    words = content.INDEXES["attractions"]

    def fill(page, lang):
        page.title = words["title"][lang]
        page.intro = f"<p>{words['intro'][lang]}</p>"
        page.show_in_menus = True

    upsert_page(ctx, ctx.page("home"), AttractionIndexPage, "attractions", fill)


def load_attractions(ctx):
    index = ctx.page("attractions")
    for item in content.ATTRACTIONS:
        image = ctx.image(item["slug"], item["theme"], item["title"])
        gallery = [
            ctx.image(
                f"{item['slug']}-{n}",
                theme,
                {"zh": f"{item['title']['zh']}（{n + 1}）", "en": f"{item['title']['en']} ({n + 1})"},
            )
            for n, theme in enumerate((item["theme"], GALLERY_THEME[item["category"]]))
        ]

        def fill(page, lang, item=item, image=image, gallery=gallery):
            page.title = item["title"][lang]
            page.category = item["category"]
            page.village = ctx.villages[(item["village"], lang)]
            page.latitude = _coordinate(item["lat"])
            page.longitude = _coordinate(item["lng"])
            page.address = item["address"][lang]
            page.opening_hours = item["opening_hours"][lang]
            page.ticket_info = f"<p>{item['ticket_info'][lang]}</p>"
            page.intro = item["intro"][lang]
            page.search_description = item["intro"][lang]
            page.image = image
            # No map block: the attraction page draws the map of its own place.
            page.body = [{"type": "paragraph", "value": item["body"][lang]}]
            page.gallery_images = [
                AttractionGalleryImage(image=picture, caption=item["title"][lang], sort_order=n)
                for n, picture in enumerate(gallery)
            ]
            tags = item["tags"] if lang == "zh" else [content.TAG_EN[tag] for tag in item["tags"]]
            page.tags.set(tags)

        upsert_page(ctx, index, AttractionPage, item["slug"], fill)
    ctx.log(f"  attractions: {len(content.ATTRACTIONS)}")


def load_routes(ctx):
    index = ctx.page("attractions")
    for item in content.ROUTES:
        image = ctx.image(f"route-{item['slug']}", item["theme"], item["title"])

        def fill(page, lang, item=item, image=image):
            page.title = item["title"][lang]
            page.intro = item["intro"][lang]
            page.search_description = item["intro"][lang]
            page.image = image
            page.suggested_duration = item["duration"][lang]
            page.stops = [
                RouteStop(attraction=ctx.page(slug, lang), note=note[lang], sort_order=n)
                for n, (slug, note) in enumerate(item["stops"])
            ]
            page.body = [{"type": "paragraph", "value": f"<p>{item['intro'][lang]}</p>"}]

        upsert_page(ctx, index, RoutePage, item["slug"], fill)
    ctx.log(f"  routes: {len(content.ROUTES)}")
