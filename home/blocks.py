"""The blocks only the home page uses: its live sections and its "plan your visit" links. The
blocks every page shares are in ``town.blocks``."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks

# Migrations of home, attractions, events and homestays name these two blocks by their old path
# (home.blocks.ParagraphBlock, home.blocks.TableBlock); nothing else may import them from here.
from town.blocks import LinkBlock, ParagraphBlock, TableBlock, TownInNumbersBlock  # noqa: F401


class ThisMonthBlock(blocks.StructBlock):
    """ "This month in the town" on the home page: tours with free places, festivals and produce
    of the current month, worked out when the page is shown by the events app's
    ``{% season_this_month %}`` tag (``events/templatetags/season_tags.py``)."""

    heading = blocks.CharBlock(label=_("Heading"), max_length=200, required=False)
    season_page = blocks.PageChooserBlock(
        label=_("Link to the full month"), page_type="events.SeasonPage", required=False
    )
    items_per_section = blocks.IntegerBlock(
        label=_("Items per section"), min_value=1, max_value=12, default=3
    )

    class Meta:
        icon = "date"
        label = _("This month in the town")
        template = "home/blocks/this_month_block.html"


class HomeSectionsBlock(blocks.StreamBlock):
    """Live sections an editor can place on the home page."""

    this_month = ThisMonthBlock()
    town_in_numbers = TownInNumbersBlock()


class PlanYourVisitBlock(blocks.StreamBlock):
    """Short links for the home page's "plan your visit" row."""

    link = LinkBlock()
