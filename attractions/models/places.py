"""Places to see: attraction pages, their index, and routes across villages."""


from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel, PageChooserPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from town import geo
from town.blocks import BaseStreamBlock
from town.cache import CachedViewRestrictionsMixin, lazy_value
from town.models import Village, clean_coordinates, coordinate_fields, postal_address

RICH_TEXT_SHORT = ["bold", "italic", "link", "ul", "ol"]


class AttractionCategory(models.TextChoices):
    SCENIC_SPOT = "scenic_spot", _("Scenic spot")
    VILLAGE = "village", _("Village")
    ETHNIC_CULTURE = "ethnic_culture", _("Ethnic culture")
    RED_CULTURE = "red_culture", _("Red culture")
    FARM = "farm", _("Farm / picking garden")
    CAMPING = "camping", _("Camping")
    STUDY_BASE = "study_base", _("Study base")


class AttractionIndexPage(CachedViewRestrictionsMixin, Page):
    intro = RichTextField(_("introduction"), features=RICH_TEXT_SHORT, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["attractions.AttractionPage", "attractions.RoutePage", "attractions.ExperiencePage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("attraction index")

    def get_context(self, request, *args, **kwargs):
        # When serving: selectors import this module (a Wagtail page is its own view).
        from ..selectors import attraction_index_context

        context = super().get_context(request, *args, **kwargs)
        context.update(attraction_index_context(self, request))
        return context


class AttractionTag(TaggedItemBase):
    content_object = ParentalKey(
        "attractions.AttractionPage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class AttractionPage(CachedViewRestrictionsMixin, Page):
    village = models.ForeignKey(
        Village,
        verbose_name=_("village"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="attractions",
    )
    category = models.CharField(_("category"), max_length=20, choices=AttractionCategory.choices)
    latitude, longitude = coordinate_fields()
    address = models.CharField(_("address"), max_length=255, blank=True)
    opening_hours = models.TextField(_("opening hours"), blank=True)
    ticket_info = RichTextField(_("tickets"), features=RICH_TEXT_SHORT, blank=True)
    intro = models.TextField(_("introduction"), blank=True, help_text=_("One or two sentences for cards."))
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = StreamField(BaseStreamBlock(), verbose_name=_("body"), blank=True)
    tags = ClusterTaggableManager(through=AttractionTag, blank=True, verbose_name=_("tags"))

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("image"),
        MultiFieldPanel(
            [
                FieldPanel("category"),
                FieldPanel("village"),
                FieldPanel("tags"),
            ],
            heading=_("Classification"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("address"),
                FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")]),
            ],
            heading=_("Location"),
        ),
        MultiFieldPanel([FieldPanel("opening_hours"), FieldPanel("ticket_info")], heading=_("Visiting")),
        FieldPanel("body"),
        InlinePanel("gallery_images", label=_("Gallery")),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("intro"),
        index.SearchField("body"),
        index.SearchField("address"),
        index.AutocompleteField("title"),
        index.FilterField("category"),
        index.FilterField("village"),
        index.RelatedFields("village", [index.SearchField("name")]),
        index.RelatedFields("tags", [index.SearchField("name")]),
    ]
    parent_page_types = ["attractions.AttractionIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("attraction")

    def clean(self):
        super().clean()
        clean_coordinates(self)

    def get_context(self, request, *args, **kwargs):
        # When serving: selectors import this module (a Wagtail page is its own view).
        from ..selectors import attraction_page_context

        context = super().get_context(request, *args, **kwargs)
        context.update(attraction_page_context(self, request))
        return context

    @property
    def has_coordinates(self):
        return geo.has_coordinates(self)

    def nearby(self, limit=4):
        """The nearest other live, public attractions in this page's language, closest first."""
        # Selectors import this module.
        from ..selectors import nearby_attractions

        return nearby_attractions(self, limit=limit)

    def map_marker(self):
        if not self.has_coordinates:
            return None
        marker = {"lat": float(self.latitude), "lng": float(self.longitude), "title": self.title}
        if self.address:
            marker["label"] = self.address
        return marker

    def structured_data(self, request=None, image_url=None):
        """schema.org TouristAttraction, as a dict ready for JSON-LD."""
        data = {
            "@context": "https://schema.org",
            "@type": "TouristAttraction",
            "name": self.title,
            "url": self.get_full_url(request),
        }
        if self.intro or self.search_description:
            data["description"] = self.search_description or self.intro
        if self.has_coordinates:
            data["geo"] = {
                "@type": "GeoCoordinates",
                "latitude": float(self.latitude),
                "longitude": float(self.longitude),
            }
        if self.address:
            data["address"] = postal_address(self.address)
        if image_url:
            data["image"] = image_url
        return data


class AttractionGalleryImage(Orderable):
    page = ParentalKey(AttractionPage, on_delete=models.CASCADE, related_name="gallery_images")
    image = models.ForeignKey(
        "wagtailimages.Image", verbose_name=_("image"), on_delete=models.CASCADE, related_name="+"
    )
    caption = models.CharField(_("caption"), max_length=250, blank=True)

    panels = [FieldPanel("image"), FieldPanel("caption")]

    class Meta(Orderable.Meta):
        verbose_name = _("gallery image")
        verbose_name_plural = _("gallery images")

    def __str__(self):
        return self.caption or str(self.image)


class RoutePage(CachedViewRestrictionsMixin, Page):
    intro = models.TextField(_("introduction"), blank=True)
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    suggested_duration = models.CharField(
        _("suggested duration"), max_length=60, blank=True, help_text=_('For example "1 day" or "3 hours".')
    )
    body = StreamField(BaseStreamBlock(), verbose_name=_("body"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("image"),
        FieldPanel("suggested_duration"),
        InlinePanel("stops", label=_("Stops"), min_num=2),
        FieldPanel("body"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["attractions.AttractionIndexPage", "home.HomePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("route")

    def get_context(self, request, *args, **kwargs):
        # When serving: selectors import this module (a Wagtail page is its own view).
        from ..selectors import route_app_url, route_stops, with_map_layers

        context = super().get_context(request, *args, **kwargs)
        # Computed on first use: not at all when the template's cached fragment hits.
        stops = lazy_value(lambda: route_stops(self))
        context["stops"] = stops
        context["total_distance_km"] = lazy_value(lambda: self.total_distance_km(stops()))
        context["route_app_url"] = lazy_value(lambda: route_app_url(stops()))
        context["markers"] = lazy_value(
            lambda: with_map_layers(
                [
                    {**marker, "label": str(number), "url": stop.place.get_url(request)}
                    for number, stop in enumerate(stops(), start=1)
                    if (marker := stop.place.map_marker())
                ]
            )
        )
        return context

    def total_distance_km(self, stops=None):
        """Straight-line length through the stops in order, in km with one decimal."""
        # Selectors import this module.
        from ..selectors import route_stops

        stops = route_stops(self) if stops is None else stops
        return round(geo.path_length_km((s.place.latitude, s.place.longitude) for s in stops), 1)


class RouteStop(Orderable):
    route = ParentalKey(RoutePage, on_delete=models.CASCADE, related_name="stops")
    attraction = models.ForeignKey(
        AttractionPage, verbose_name=_("attraction"), on_delete=models.CASCADE, related_name="+"
    )
    note = models.CharField(_("note"), max_length=250, blank=True)

    panels = [PageChooserPanel("attraction", "attractions.AttractionPage"), FieldPanel("note")]

    class Meta(Orderable.Meta):
        verbose_name = _("stop")
        verbose_name_plural = _("stops")

    def __str__(self):
        return str(self.attraction)
