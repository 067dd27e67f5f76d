import datetime
import re

import pytest
from django.utils import timezone
from wagtail.embeds.embeds import get_embed_hash
from wagtail.embeds.models import Embed
from wagtail.models import Page, PageViewRestriction

from home.models import HomePage, HomePageFeaturedAttraction, StandardPage
from tests.factories.attractions import AttractionIndexPageFactory, AttractionPageFactory
from tests.factories.events import EventIndexPageFactory, EventPageFactory
from tests.factories.home import ImageFactory, StandardPageFactory, set_footer, translate

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]


def html(response):
    return response.content.decode()


def html_text(content):
    """What a visitor reads: the page without its tags (and the data inside them)."""
    content = re.sub(r"<script.*?</script>", " ", content, flags=re.S)
    return re.sub(r"<[^>]+>", " ", content)


def test_home_page_renders_its_hero_in_chinese(client, home_page, image):
    home_page.hero_image = image
    home_page.hero_cta_label = "探索景点"
    home_page.hero_cta_page = AttractionIndexPageFactory(parent=home_page)
    home_page.save_revision().publish()

    response = client.get("/")

    assert response.status_code == 200
    body = html(response)
    assert '<html lang="zh-hans">' in body
    assert "来青溪，过几天田园日子" in body
    assert 'href="/attractions/">探索景点</a>' in body
    assert ".format-webp.webp" in body  # hero through a WebP rendition
    assert 'alt="桃花坞的春天"' in body


def test_english_home_page_is_served_under_en(client, home_page, english_home):
    response = client.get("/en/")

    assert response.status_code == 200
    body = html(response)
    assert '<html lang="en">' in body
    assert "Come to Qingxi" in body
    assert "来青溪" not in body


def test_featured_attractions_are_shown_in_the_readers_language(client, home_page, english_home):
    index = AttractionIndexPageFactory(parent=home_page)
    bridge = AttractionPageFactory(parent=index, title="青溪古桥", image=ImageFactory())
    tea = AttractionPageFactory(parent=index, title="茶山")
    HomePageFeaturedAttraction.objects.create(page=home_page, attraction=tea, sort_order=0)
    HomePageFeaturedAttraction.objects.create(page=home_page, attraction=bridge, sort_order=1)
    HomePageFeaturedAttraction.objects.create(page=english_home, attraction=bridge, sort_order=0)
    translate(bridge, "en", title="Old Stone Bridge")

    chinese = html(client.get("/"))
    english = html(client.get("/en/"))

    assert chinese.index("茶山") < chinese.index("青溪古桥")  # the editor's order
    assert "Old Stone Bridge" in english
    assert "青溪古桥" not in english


def test_featured_attraction_that_is_unpublished_is_left_out(client, home_page):
    index = AttractionIndexPageFactory(parent=home_page)
    hidden = AttractionPageFactory(parent=index, title="修缮中的祠堂")
    HomePageFeaturedAttraction.objects.create(page=home_page, attraction=hidden, sort_order=0)
    hidden.unpublish()

    assert "修缮中的祠堂" not in html(client.get("/"))


def test_home_page_lists_the_next_live_events_soonest_first(client, home_page):
    index = EventIndexPageFactory(parent=home_page)
    now = timezone.now()
    EventPageFactory(parent=index, title="采茶节", start=now + datetime.timedelta(days=20))
    EventPageFactory(parent=index, title="桃花节", start=now + datetime.timedelta(days=5))
    EventPageFactory(parent=index, title="去年的庙会", start=now - datetime.timedelta(days=40))
    soon = now + datetime.timedelta(days=2)
    EventPageFactory(parent=index, title="还在筹备的活动", start=soon, publish=False)
    EventPageFactory(parent=index, title="明年的灯会", start=now + datetime.timedelta(days=300))
    home_page.upcoming_events_count = 2
    home_page.save_revision().publish()

    body = html(client.get("/"))

    assert body.index("桃花节") < body.index("采茶节")
    for absent in ("去年的庙会", "还在筹备的活动", "明年的灯会"):
        assert absent not in body
    assert 'href="/events/"' in body  # "all events"


def test_standard_page_renders_every_block(client, home_page):
    gallery_image, block_image = ImageFactory(title="竹林"), ImageFactory(title="梯田")
    target = StandardPageFactory(parent=home_page, title="交通指南", slug="getting-here")
    video = "https://www.youtube.com/watch?v=tianyuan"
    Embed.objects.create(
        url=video,
        max_width=960,
        hash=get_embed_hash(video, 960, None),
        type="video",
        html='<iframe title="桃花节直播" src="https://www.youtube.com/embed/tianyuan"></iframe>',
    )
    table = {
        "data": [["村", "特色"], ["桃花坞", "桃花"]],
        "first_row_is_table_header": True,
        "first_col_is_header": False,
        "table_caption": "村落",
    }
    blocks = {
        "heading": {"text": "怎么玩", "size": "h2"},
        "paragraph": "<p>先去<b>老街</b>喝茶。</p>",
        "image": {
            "image": block_image.pk,
            "caption": "春天的梯田",
            "attribution": "李华",
            "alt_text": "层层梯田",
        },
        "gallery": {"title": "四季", "images": [{"image": gallery_image.pk, "caption": "竹林小径"}]},
        "quote": {"text": "山里的日子慢。", "attribution": "王阿婆"},
        "embed": {"embed": video, "caption": "桃花节直播"},
        "table": table,
        "call_to_action": {
            "title": "住一晚吧",
            "text": "民宿有空房。",
            "page": target.pk,
            "external_url": "",
            "button_label": "去看看",
        },
        "map_point": {"title": "游客中心", "latitude": "29.612100", "longitude": "118.261800", "zoom": 15},
    }
    body = [{"type": block_type, "value": value} for block_type, value in blocks.items()]
    page = StandardPageFactory(parent=home_page, title="游玩攻略", slug="guide", body=body)

    response = client.get(page.url)

    assert response.status_code == 200
    content = html(response)
    assert '<h2 class="block-heading">怎么玩</h2>' in content
    assert "<b>老街</b>" in content
    assert 'alt="层层梯田"' in content and "春天的梯田" in content and "李华" in content
    assert "竹林小径" in content
    assert "山里的日子慢。" in content and "王阿婆" in content
    assert 'src="https://www.youtube.com/embed/tianyuan"' in content
    assert "<th" in content and "桃花坞" in content
    assert 'href="/getting-here/">去看看</a>' in content
    # The map carries its coordinates for the script; visitors never read the raw numbers.
    assert 'class="map"' in content and "29.6121" in content
    assert "29.61210, 118.26180" not in html_text(content)
    for block_type in blocks:
        assert f"block--{block_type}" in content


def test_standard_page_renders_in_english(client, home_page, english_home):
    page = StandardPageFactory(
        parent=home_page,
        title="游客须知",
        slug="visitor-info",
        body=[{"type": "paragraph", "value": "<p>请保护环境。</p>"}],
    )
    translate(
        page,
        "en",
        title="Visitor information",
        body=[{"type": "paragraph", "value": "<p>Please leave no trace.</p>"}],
    )

    response = client.get("/en/visitor-info/")

    assert response.status_code == 200
    assert "Please leave no trace." in html(response)
    assert "Visitor information" in html(response)


def test_home_page_can_only_sit_at_the_root_of_the_tree(home_page):
    root = Page.objects.get(depth=1)
    assert HomePage.can_create_at(root)
    assert not HomePage.can_create_at(home_page)
    assert not HomePage.can_create_at(StandardPageFactory(parent=home_page))


def test_standard_pages_go_under_the_home_page_or_each_other(home_page):
    root = Page.objects.get(depth=1)
    standard = StandardPageFactory(parent=home_page)
    attractions = AttractionIndexPageFactory(parent=home_page)
    assert StandardPage.can_create_at(home_page)
    assert StandardPage.can_create_at(standard)
    assert not StandardPage.can_create_at(root)
    assert not StandardPage.can_create_at(attractions)


def test_a_draft_page_is_not_public(client, home_page):
    draft = StandardPageFactory(parent=home_page, slug="draft-news", publish=False)

    assert not draft.live
    assert client.get("/draft-news/").status_code == 404


def test_a_private_page_asks_visitors_to_log_in(client, home_page):
    page = StandardPageFactory(parent=home_page, slug="staff-only")
    PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)

    response = client.get("/staff-only/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/staff-only/")


def test_footer_shows_the_visitor_centre_in_both_languages(client, home_page, english_home):
    set_footer(
        address="青溪镇石板街 1 号",
        address_en="1 Flagstone Street, Qingxi",
        hotline="0571-8888 1234",
        opening_hours="每天 8:00–17:30",
        opening_hours_en="Daily 8:00–17:30",
        copyright_holder="青溪镇旅游服务中心",
        social_links=[{"type": "link", "value": {"name": "微博", "url": "https://weibo.com/qingxi"}}],
    )

    chinese = html(client.get("/"))
    english = html(client.get("/en/"))

    assert "青溪镇石板街 1 号" in chinese and "每天 8:00–17:30" in chinese
    assert 'href="tel:057188881234"' in chinese
    assert 'href="https://weibo.com/qingxi"' in chinese
    assert "青溪镇旅游服务中心" in chinese
    assert "1 Flagstone Street, Qingxi" in english and "Daily 8:00–17:30" in english
    assert "青溪镇石板街" not in english
