"""The festival programme: a list of schedule entries (when, what, where)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError


class ScheduleBlock(blocks.StructBlock):
    day = blocks.DateBlock(label=_("Day"), required=False)
    start_time = blocks.TimeBlock(label=_("Starts"), required=False)
    end_time = blocks.TimeBlock(label=_("Ends"), required=False)
    title = blocks.CharBlock(label=_("Title"), max_length=200)
    place = blocks.CharBlock(label=_("Place"), max_length=200, required=False)
    description = blocks.TextBlock(label=_("Description"), required=False)

    class Meta:
        icon = "time"
        label = _("Programme item")
        template = "events/blocks/schedule_block.html"

    def clean(self, value):
        value = super().clean(value)
        start, end = value.get("start_time"), value.get("end_time")
        if start and end and end < start:
            raise StructBlockValidationError(
                block_errors={"end_time": ValidationError(_("The end time must not be before the start."))}
            )
        return value


class ProgrammeBlock(blocks.StreamBlock):
    item = ScheduleBlock()

    class Meta:
        label = _("Programme")
