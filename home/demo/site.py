"""Demo steps for the site itself: the home page (replacing Wagtail's welcome page), the standard
pages, the home page's links to the rest of the town, and the footer setting."""

from wagtail.models import Page, Site

from home.models import HomePage, HomePageFeaturedAttraction, SiteFooterSettings, StandardPage
from town.demo.base import home_root, publish, upsert_page
from town.demo.blocks import stream

from . import content

HOME_SLUG = "home"


def _welcome_pages():
    """Wagtail's placeholder pages right under the root (plain ``Page``, not ours)."""
    return Page.objects.filter(depth=2, content_type__app_label="wagtailcore", content_type__model="page")


def load_home(ctx):
    words = content.HOME
    hero = ctx.image("home-hero", words["hero_theme"], words["hero_image_title"])
    existing = HomePage.objects.filter(locale=ctx.zh, depth=2).first()
    slug = existing.slug if existing else HOME_SLUG
    # Wagtail's welcome page is also called "home": free the slug until the site has moved.
    welcome = _welcome_pages().filter(slug=slug)
    welcome.filter(numchild=0).update(slug="wagtail-welcome", url_path="/wagtail-welcome/")
    if welcome.exists():  # it has pages under it: leave it be and take another slug
        slug = "qingxi"

    def fill(page, lang):
        page.title = words["title"][lang]
        page.hero_title = words["hero_title"][lang]
        page.hero_intro = words["hero_text"][lang]
        page.hero_image = hero
        page.hero_cta_label = words["hero_cta"][lang]
        page.search_description = words["hero_text"][lang]

    home, _ = upsert_page(ctx, home_root(), HomePage, slug, fill)

    site = Site.objects.filter(is_default_site=True).first() or Site.objects.first()
    if site is None:
        site = Site(is_default_site=True)
    site.hostname = "localhost"
    site.port = 8000
    site.site_name = f"{content.TOWN['name']['zh']} · 田园 Tianyuan"
    site.root_page = home
    site.is_default_site = True
    site.save()
    # Wagtail's placeholder goes, unless someone has already built pages under it.
    for welcome in _welcome_pages().filter(numchild=0):
        welcome.delete()


def load_standard_pages(ctx):
    home = ctx.page("home")
    for item in content.STANDARD_PAGES:
        image = ctx.image(f"page-{item['slug']}", item["theme"], item["title"])

        def fill(page, lang, item=item, image=image):
            page.title = item["title"][lang]
            page.intro = item["intro"][lang]
            page.search_description = item["intro"][lang]
            page.image = image
            page.body = stream(ctx, item["body"], lang, key=f"page/{item['slug']}")
            page.show_in_menus = True

        upsert_page(ctx, home, StandardPage, item["slug"], fill)
    ctx.log(f"  standard pages: {len(content.STANDARD_PAGES)}")


def finish_home(ctx):
    """Point the home page at what the other steps built: featured attractions, the season's
    festival and the plan-your-visit links."""
    words = content.HOME
    featured = [item["slug"] for item in content.ATTRACTIONS if item.get("featured")]
    next_event = min(
        content.EVENTS,
        key=lambda item: content.next_occurrence(ctx.today, item["month"], item["day"], item["days"])[0],
    )
    season_image = ctx.image(f"event-{next_event['slug']}", next_event["theme"], next_event["title"])
    for lang in ("zh", "en"):
        home = ctx.page("home", lang)
        home.hero_cta_page = ctx.page("attractions", lang)
        # "This season" shows the next festival.
        home.season_heading = next_event["title"][lang]
        home.season_text = next_event["intro"][lang]
        home.season_page = ctx.page(next_event["slug"], lang)
        home.season_image = season_image
        home.featured_attractions = [
            HomePageFeaturedAttraction(attraction=ctx.page(slug, lang), sort_order=n)
            for n, slug in enumerate(featured)
        ]
        home.plan_your_visit = [
            {
                "type": "link",
                "value": {"title": label[lang], "page": ctx.page(slug, lang).pk, "external_url": ""},
            }
            for label, slug in words["plan_links"]
        ]
        publish(home)


def load_footer(ctx):
    words = content.FOOTER
    for site in Site.objects.all():
        footer = SiteFooterSettings.for_site(site)
        footer.address = words["address"]["zh"]
        footer.address_en = words["address"]["en"]
        footer.hotline = words["hotline"]
        footer.opening_hours = words["opening_hours"]["zh"]
        footer.opening_hours_en = words["opening_hours"]["en"]
        footer.copyright_holder = words["copyright"]["zh"]
        footer.copyright_holder_en = words["copyright"]["en"]
        footer.social_links = [
            {"type": "link", "value": {"name": name, "url": url}} for name, url in words["social"]
        ]
        footer.save()
