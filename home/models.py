"""The home page, standard (free-form) pages and the site-wide footer settings."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel, PageChooserPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from town.blocks import BaseStreamBlock
from town.cache import CachedViewRestrictionsMixin

from .blocks import HomeSectionsBlock, PlanYourVisitBlock
from .selectors import home_page_context


def image_field(verbose_name=None):
    return models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=verbose_name or _("image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )


class HomePage(CachedViewRestrictionsMixin, Page):
    hero_title = models.CharField(
        _("hero title"),
        max_length=200,
        blank=True,
        help_text=_("The big line over the photo. Empty: the page title."),
    )
    hero_intro = models.TextField(_("hero text"), blank=True)
    hero_image = image_field(_("hero image"))
    hero_cta_label = models.CharField(_("button label"), max_length=60, blank=True)
    hero_cta_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("button links to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    season_heading = models.CharField(_("heading"), max_length=200, blank=True)
    season_text = models.TextField(_("text"), blank=True)
    season_image = image_field()
    season_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("links to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    upcoming_events_count = models.PositiveSmallIntegerField(
        _("upcoming events shown"),
        default=3,
        validators=[MinValueValidator(0), MaxValueValidator(12)],
        help_text=_("The next events (by start date) listed on the home page; 0 hides the list."),
    )
    plan_your_visit = StreamField(PlanYourVisitBlock(), verbose_name=_("plan your visit"), blank=True)
    # Live sections (never cached): "This month in the town".
    sections = StreamField(HomeSectionsBlock(), verbose_name=_("live sections"), blank=True)

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldPanel("hero_title"),
                FieldPanel("hero_intro"),
                FieldPanel("hero_image"),
                FieldPanel("hero_cta_label"),
                PageChooserPanel("hero_cta_page"),
            ],
            heading=_("Hero"),
        ),
        InlinePanel("featured_attractions", label=_("Featured attractions"), max_num=12),
        MultiFieldPanel(
            [
                FieldPanel("season_heading"),
                FieldPanel("season_text"),
                FieldPanel("season_image"),
                PageChooserPanel("season_page"),
            ],
            heading=_("This season"),
        ),
        FieldPanel("upcoming_events_count"),
        FieldPanel("plan_your_visit"),
        FieldPanel("sections"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("hero_title"),
        index.SearchField("hero_intro"),
        index.SearchField("season_heading"),
        index.SearchField("season_text"),
    ]
    parent_page_types = ["wagtailcore.Page"]

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(home_page_context(self, request))
        return context

    @property
    def image(self):
        """The picture that stands for this page (social cards)."""
        return self.hero_image


class HomePageFeaturedAttraction(Orderable):
    page = ParentalKey(HomePage, on_delete=models.CASCADE, related_name="featured_attractions")
    attraction = models.ForeignKey(
        "attractions.AttractionPage",
        verbose_name=_("attraction"),
        on_delete=models.CASCADE,
        related_name="+",
    )

    panels = [PageChooserPanel("attraction", "attractions.AttractionPage")]

    class Meta(Orderable.Meta):
        verbose_name = _("featured attraction")
        verbose_name_plural = _("featured attractions")

    def __str__(self):
        return str(self.attraction)


class StandardPage(CachedViewRestrictionsMixin, Page):
    intro = models.TextField(_("introduction"), blank=True)
    image = image_field()
    body = StreamField(BaseStreamBlock(), verbose_name=_("body"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("image"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["home.HomePage", "home.StandardPage"]
    subpage_types = ["home.StandardPage"]

    class Meta:
        verbose_name = _("standard page")


class SocialLinkBlock(blocks.StructBlock):
    name = blocks.CharBlock(label=_("Name"), max_length=60, help_text=_("For example WeChat, Weibo, Douyin."))
    url = blocks.URLBlock(label=_("Address"))

    class Meta:
        icon = "link"
        label = _("Social link")


@register_setting(icon="list-ul")
class SiteFooterSettings(BaseSiteSetting):
    """What the footer of every page says: where the visitor centre is and how to reach it."""

    address = models.CharField(_("visitor centre address"), max_length=255, blank=True)
    address_en = models.CharField(_("visitor centre address (English)"), max_length=255, blank=True)
    hotline = models.CharField(
        _("hotline"), max_length=40, blank=True, help_text=_("For example 0571-8888 1234.")
    )
    opening_hours = models.CharField(_("opening hours"), max_length=255, blank=True)
    opening_hours_en = models.CharField(_("opening hours (English)"), max_length=255, blank=True)
    copyright_holder = models.CharField(_("copyright holder"), max_length=120, blank=True)
    copyright_holder_en = models.CharField(_("copyright holder (English)"), max_length=120, blank=True)
    social_links = StreamField(
        [("link", SocialLinkBlock())], verbose_name=_("social links"), blank=True
    )

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("address"),
                FieldPanel("address_en"),
                FieldPanel("hotline"),
                FieldPanel("opening_hours"),
                FieldPanel("opening_hours_en"),
            ],
            heading=_("Visitor centre"),
        ),
        FieldPanel("social_links"),
        MultiFieldPanel(
            [FieldPanel("copyright_holder"), FieldPanel("copyright_holder_en")], heading=_("Copyright")
        ),
    ]

    class Meta:
        verbose_name = _("site footer")

    def __str__(self):
        return str(_("site footer"))

    def localized(self, language_code):
        """The footer texts in ``language_code``, the Chinese ones where no English is given."""
        english = language_code == "en"

        def pick(field):
            value = getattr(self, field)
            return (getattr(self, f"{field}_en") or value) if english else value

        return {
            "address": pick("address"),
            "hotline": self.hotline,
            "opening_hours": pick("opening_hours"),
            "copyright_holder": pick("copyright_holder"),
            "social_links": [
                {"name": block.value["name"], "url": block.value["url"]} for block in self.social_links
            ],
        }
