"""Read paths of the groups app: the programme listing with its filters and a programme's page,
each in a fixed number of queries whatever the number of programmes."""

from django import forms
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from wagtail.images import get_image_model
from wagtail.models import Page

from town.cache import cached
from town.months import in_season

from .models import (
    ProgrammeActivity,
    Quote,
    QuoteLine,
    QuoteStatus,
    Roster,
    RosterParticipant,
    StudyProgrammePage,
)
from .pricing import lowest_pupil_day_price_fen
from .stages import AgeGroup, for_age_group

PER_PAGE = 12
CARD_RENDITION = "fill-600x400|format-webp"
PHOTO_RENDITION = "fill-800x533|format-webp"

SEASONS = {
    "spring": (_("Spring (March to May)"), [3, 4, 5]),
    "summer": (_("Summer (June to August)"), [6, 7, 8]),
    "autumn": (_("Autumn (September to November)"), [9, 10, 11]),
    "winter": (_("Winter (December to February)"), [12, 1, 2]),
}
# value: (label, fewest days, most days or None)
LENGTHS = {
    "1": (_("One day"), 1, 1),
    "2-3": (_("Two or three days"), 2, 3),
    "4+": (_("Four days or more"), 4, None),
}


class ProgrammeFilterForm(forms.Form):
    age = forms.ChoiceField(label=_("Age group"), required=False)
    days = forms.ChoiceField(label=_("Length"), required=False)
    season = forms.ChoiceField(label=_("Season"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["age"].choices = [("", _("All ages")), *AgeGroup.choices]
        self.fields["days"].choices = [("", _("Any length"))] + [(k, v[0]) for k, v in LENGTHS.items()]
        self.fields["season"].choices = [("", _("Any season"))] + [(k, v[0]) for k, v in SEASONS.items()]
        for name in self.fields:
            self.fields[name].error_messages["invalid_choice"] = _(
                "“%(value)s” is not one of the choices; that filter is left out."
            )


def _with_card_images(queryset, *specs, field="image"):
    renditions = get_image_model().get_rendition_model().objects.filter(filter_spec__in=specs)
    return queryset.select_related(field).prefetch_related(
        Prefetch(f"{field}__renditions", queryset=renditions)
    )


def filter_programmes(queryset, *, age="", days="", season=""):
    if age:
        queryset = for_age_group(queryset, age)
    if days:
        _label, fewest, most = LENGTHS[days]
        queryset = queryset.filter(duration_days__gte=fewest)
        if most is not None:
            queryset = queryset.filter(duration_days__lte=most)
    if season:
        queryset = in_season(queryset, SEASONS[season][1])
    return queryset


def programme_index_context(index_page, request):
    """The index's live, public programmes, filtered by ``?age=``, ``?days=`` and ``?season=``
    (each stands on its own: a bad one is reported and left out)."""
    form = ProgrammeFilterForm(request.GET or None)
    filters, filter_errors = {}, []
    if form.is_bound:
        form.is_valid()
        filters = {name: form.cleaned_data.get(name, "") for name in ("age", "days", "season")}
        filter_errors = [error for errors in form.errors.values() for error in errors]
    private = cached(("private-pages",), Page.objects.private_q)
    programmes = (
        StudyProgrammePage.objects.live()
        .exclude(private)
        .child_of(index_page)
        .select_related("village")
        .prefetch_related("price_tiers")
        .order_by("path")
    )
    programmes = _with_card_images(filter_programmes(programmes, **filters), CARD_RENDITION)
    page_obj = Paginator(programmes, PER_PAGE).get_page(request.GET.get("page"))
    for programme in page_obj.object_list:
        programme.from_price_fen = lowest_pupil_day_price_fen(programme, list(programme.price_tiers.all()))
    return {
        "filter_form": form,
        "filter_errors": filter_errors,
        "programmes": page_obj.object_list,
        "page_obj": page_obj,
        "filtered": any(filters.values()),
    }


def programme_page_context(page):
    """The programme's days (activities with their experiences), group prices and photos."""
    activities = list(
        ProgrammeActivity.objects.filter(page=page).select_related("experience").order_by("day", "sort_order")
    )
    days = {}
    for activity in activities:
        days.setdefault(activity.day, []).append(activity)
    tiers = sorted(page.price_tiers.all(), key=lambda tier: tier.min_pupils)
    photos = list(_with_card_images(page.photos.all(), PHOTO_RENDITION))
    return {
        "programme_days": sorted(days.items()),
        "price_tiers": tiers,
        "from_price_fen": lowest_pupil_day_price_fen(page, tiers),
        "programme_photos": photos,
    }


def quote_for_visitor(token):
    """A sent (or accepted, or expired) quote by its link, with its enquiry and lines and what
    they point at, in three queries; None for an unknown link or a draft."""
    if not token or len(token) > 64:
        return None
    lines = QuoteLine.objects.select_related(
        "room_type__page", "tour_slot__experience", "entry_window__rule__spot"
    ).order_by("day", "sort_order", "pk")
    return (
        Quote.objects.exclude(status=QuoteStatus.DRAFT)
        .select_related("enquiry__programme", "roster", "order")
        .prefetch_related(Prefetch("lines", queryset=lines))
        .filter(token=token)
        .first()
    )


def quote_plan(quote, today):
    """The quote day by day: [(day, lines, subtotal)], the totals and the status the group sees."""
    from .services import quote_totals

    lines = list(quote.lines.all())
    days = {}
    for line in lines:
        days.setdefault(line.day, []).append(line)
    total, deposit, balance = quote_totals(lines, quote.deposit_percent)
    return {
        "days": [(day, rows, sum(row.amount_fen for row in rows)) for day, rows in sorted(days.items())],
        "total_fen": total,
        "deposit_fen": deposit,
        "balance_fen": balance,
        "status": quote.shown_status(today),
    }


def roster_for_visitor(quote):
    """The quote's roster as the organiser sees it — names, roles and masked numbers, never the
    sealed ones, birth dates or phones — with a count by role; None without one. One query (the
    roster itself came with the quote)."""
    try:
        roster = quote.roster
    except Roster.DoesNotExist:
        return None
    participants = list(
        RosterParticipant.objects.filter(roster=roster)
        .only("row", "name", "role", "document_kind", "document_masked")
        .order_by("row", "pk")
    )
    counts = {}
    for participant in participants:
        counts[participant.role] = counts.get(participant.role, 0) + 1
    return {"roster": roster, "participants": participants, "counts": counts}
