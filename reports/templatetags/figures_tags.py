"""``{% town_in_numbers heading intro %}``: the public "Our town in numbers" section
(``town.blocks.TownInNumbersBlock`` renders it), with the season's anonymised figures."""

from django import template

from reports import figures

register = template.Library()


def _whole_percent(share):
    """0..1 as a whole percent, halves up (62.5 -> 63, as a reader rounds; round() would give 62)."""
    return int(share * 100 + 0.5)


@register.inclusion_tag("reports/includes/town_in_numbers.html")
def town_in_numbers(heading, intro=""):
    numbers = figures.town_in_numbers()
    return {
        "heading": heading,
        "intro": intro,
        "numbers": numbers,
        # Hidden unless enough households had sales.
        "helped_percent": (
            None if numbers.supported_share is None else _whole_percent(numbers.supported_share)
        ),
        # Widths and texts of the village bars; "." decimals whatever the language (a CSS width).
        "village_bars": [
            {
                "village": share.village,
                "percent": _whole_percent(share.share),
                "width": f"{share.share * 100:.1f}",
            }
            for share in numbers.village_shares
        ],
    }
