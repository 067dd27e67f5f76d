"""The StreamField blocks every page of the site shares: one place, one look.

``BaseStreamBlock`` is the body of a standard page; other apps reuse it (or pick single blocks)
for their own bodies so that an editor meets the same blocks everywhere.

Blocks that show live figures take them in their templates, through template tags of the app
that owns the figures, so that this module imports no other app of ours.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.contrib.table_block.blocks import TableBlock as WagtailTableBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock

RICH_TEXT_FEATURES = ["h2", "h3", "h4", "bold", "italic", "ol", "ul", "link", "document-link", "hr"]


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Heading"), max_length=200)
    size = blocks.ChoiceBlock(
        label=_("Level"),
        choices=[("h2", _("Heading 2")), ("h3", _("Heading 3")), ("h4", _("Heading 4"))],
        default="h2",
    )

    class Meta:
        icon = "title"
        label = _("Heading")
        template = "town/blocks/heading_block.html"


class ParagraphBlock(blocks.RichTextBlock):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("features", RICH_TEXT_FEATURES)
        super().__init__(*args, **kwargs)

    class Meta:
        icon = "pilcrow"
        label = _("Text")
        template = "town/blocks/paragraph_block.html"


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("Image"))
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=250)
    attribution = blocks.CharBlock(label=_("Photo credit"), required=False, max_length=120)
    alt_text = blocks.CharBlock(
        label=_("Alternative text"),
        required=False,
        max_length=250,
        help_text=_("Describe the image for people who cannot see it. Empty: the image's title."),
    )

    class Meta:
        icon = "image"
        label = _("Image")
        template = "town/blocks/image_block.html"


class GalleryImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("Image"))
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=250)

    class Meta:
        icon = "image"
        label = _("Gallery image")


class GalleryBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"), required=False, max_length=200)
    images = blocks.ListBlock(GalleryImageBlock(), label=_("Images"), min_num=1)

    class Meta:
        icon = "image"
        label = _("Gallery")
        template = "town/blocks/gallery_block.html"


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("Quote"))
    attribution = blocks.CharBlock(label=_("Who said it"), required=False, max_length=200)

    class Meta:
        icon = "openquote"
        label = _("Quote")
        template = "town/blocks/quote_block.html"


class VideoEmbedBlock(blocks.StructBlock):
    """A video or a live stream from a provider Wagtail's embeds know (oEmbed)."""

    embed = EmbedBlock(label=_("Video or live stream URL"), max_width=960)
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=250)

    class Meta:
        icon = "media"
        label = _("Video / live stream")
        template = "town/blocks/embed_block.html"


class TableBlock(WagtailTableBlock):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "table_options",
            {"startRows": 3, "startCols": 3, "colHeaders": False, "rowHeaders": False, "editor": "text"},
        )
        super().__init__(*args, **kwargs)

    class Meta:
        icon = "table"
        label = _("Table")


class LinkStructValue(blocks.StructValue):
    def url(self):
        page = self.get("page")
        if page:
            return page.url
        return self.get("external_url") or ""


class LinkBlock(blocks.StructBlock):
    """A link to a page of the site or to another address (exactly one of the two)."""

    title = blocks.CharBlock(label=_("Link text"), max_length=120)
    page = blocks.PageChooserBlock(label=_("Page"), required=False)
    external_url = blocks.URLBlock(label=_("Or an address"), required=False)

    class Meta:
        icon = "link"
        label = _("Link")
        value_class = LinkStructValue
        template = "town/blocks/link_block.html"

    def clean(self, value):
        value = super().clean(value)
        if bool(value.get("page")) == bool(value.get("external_url")):
            message = _("Choose a page or enter an address, not both.")
            raise StructBlockValidationError(
                block_errors={"page": ValidationError(message), "external_url": ValidationError(message)}
            )
        return value


class CallToActionBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"), max_length=200)
    text = blocks.TextBlock(label=_("Text"), required=False)
    page = blocks.PageChooserBlock(label=_("Page"), required=False)
    external_url = blocks.URLBlock(label=_("Or an address"), required=False)
    button_label = blocks.CharBlock(label=_("Button label"), max_length=60)

    class Meta:
        icon = "pick"
        label = _("Call to action")
        value_class = LinkStructValue
        template = "town/blocks/call_to_action_block.html"

    def clean(self, value):
        value = super().clean(value)
        if bool(value.get("page")) == bool(value.get("external_url")):
            message = _("Choose a page or enter an address, not both.")
            raise StructBlockValidationError(
                block_errors={"page": ValidationError(message), "external_url": ValidationError(message)}
            )
        return value


class MapPointBlock(blocks.StructBlock):
    """One point on a map, in WGS-84 (what a phone's GPS gives); the map converts for Chinese tiles."""

    title = blocks.CharBlock(label=_("Title"), max_length=200)
    latitude = blocks.DecimalBlock(
        label=_("Latitude"), min_value=-90, max_value=90, max_digits=9, decimal_places=6
    )
    longitude = blocks.DecimalBlock(
        label=_("Longitude"), min_value=-180, max_value=180, max_digits=9, decimal_places=6
    )
    zoom = blocks.IntegerBlock(label=_("Zoom"), min_value=1, max_value=19, default=14)

    class Meta:
        icon = "site"
        label = _("Map point")
        template = "town/blocks/map_point_block.html"
        form_classname = "map-point-block"

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        lat, lng = float(value["latitude"]), float(value["longitude"])
        context["markers"] = [{"lat": lat, "lng": lng, "title": value["title"]}]
        # Stable per point, so a page's HTML is the same on every render.
        context["map_id"] = "map-point-" + f"{lat:.5f}-{lng:.5f}".replace(".", "_")
        return context


class TownInNumbersBlock(blocks.StructBlock):
    """ "Our town in numbers": the season's visitors, produce sold and the villages the money
    reached, worked out when the page is shown by the reports app's ``{% town_in_numbers %}``
    tag (``reports/templatetags/figures_tags.py``). Anonymised totals only: no household,
    producer or single sale can be read from it."""

    heading = blocks.CharBlock(label=_("Heading"), max_length=200)
    intro = blocks.TextBlock(label=_("Introduction"), required=False)

    class Meta:
        icon = "table"
        label = _("Our town in numbers")
        template = "town/blocks/town_in_numbers_block.html"


class BaseStreamBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = ParagraphBlock()
    image = ImageBlock()
    gallery = GalleryBlock()
    quote = QuoteBlock()
    embed = VideoEmbedBlock()
    table = TableBlock()
    call_to_action = CallToActionBlock()
    map_point = MapPointBlock()
    town_in_numbers = TownInNumbersBlock()

    class Meta:
        label = _("Body")
