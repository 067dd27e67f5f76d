"""Read paths of the groups app: the programme listing with its filters and a programme's page,
each in a fixed number of queries whatever the number of programmes; and the rules the study-tour
report (``reports.study_tours``) aggregates by: what a group bought and where its money goes."""

from django import forms
from django.core.paginator import Paginator
from django.db.models import (
    BigIntegerField,
    Case,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    UUIDField,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from wagtail.images import get_image_model
from wagtail.models import Page

from town.cache import cached, is_page_number, lazy_value, query_key
from town.months import in_season

from .models import (
    GroupEnquiry,
    ProgrammeActivity,
    Quote,
    QuoteLine,
    QuoteLineKind,
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


INDEX_LISTING = ("filter_form", "filter_errors", "programmes", "page_obj", "filtered")


def programme_index_context(index_page, request):
    """The index's listing, computed on first use (not at all when its cached fragment hits:
    programmes, their prices and villages change only by a publish, which bumps the content
    version), and ``listing_key``: the validated filters it is cached under (None: uncached)."""
    listing = lazy_value(lambda: programme_listing(index_page, request))
    return {
        **{name: lazy_value(lambda name=name: listing()[name]) for name in INDEX_LISTING},
        "listing_key": query_key(
            request,
            age=lambda value: value == "" or value in AgeGroup.values,
            days=lambda value: value == "" or value in LENGTHS,
            season=lambda value: value == "" or value in SEASONS,
            page=is_page_number,
        ),
    }


def programme_listing(index_page, request):
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
    """The programme's days (activities with their experiences), group prices and photos, each
    computed on first use: the page is one fragment cached until the next publish."""

    def days():
        activities = ProgrammeActivity.objects.filter(page=page).select_related("experience")
        found = {}
        for activity in activities.order_by("day", "sort_order"):
            found.setdefault(activity.day, []).append(activity)
        return sorted(found.items())

    tiers = lazy_value(lambda: sorted(page.price_tiers.all(), key=lambda tier: tier.min_pupils))
    return {
        "programme_days": lazy_value(days),
        "price_tiers": tiers,
        "from_price_fen": lazy_value(lambda: lowest_pupil_day_price_fen(page, tiers())),
        "programme_photos": lazy_value(lambda: list(_with_card_images(page.photos.all(), PHOTO_RENDITION))),
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


# --- what groups bought: the rules of the study-tour report -----------------------------------
#
# * A group is an enquiry with an accepted quote; it counts in the month of its first day
#   (``GroupEnquiry.start_date``, a local date).
# * Its revenue is the accepted quotes' lines at the group's price (``QuoteLine.amount_fen``):
#   what the group agreed to pay, whatever the payments have reached so far.
# * A line's village is its inventory's: the room type's homestay, the tour's experience (its
#   own village, else its meeting point's, as tour sales count it), the entry window's spot;
#   meals and transport go to the programme's village; none of these: not assigned (None).
#   Villages are compared by translation key, as programmes chosen in English point at the
#   English village rows.


def accepted_quote_lines(*, with_village=False):
    """The lines of accepted quotes, with ``amount`` (fen) and, when asked (its joins cost),
    ``village_key`` annotated."""
    lines = QuoteLine.objects.filter(quote__status=QuoteStatus.ACCEPTED).annotate(amount=line_amount())
    return lines.annotate(village_key=line_village_key()) if with_village else lines


def line_amount():
    """``QuoteLine.amount_fen`` in SQL: quantity × unit price, × nights for rooms."""
    nights = Case(When(kind=QuoteLineKind.STAY, then=F("nights")), default=Value(1))
    return ExpressionWrapper(F("quantity") * F("unit_price_fen") * nights, output_field=BigIntegerField())


def line_village_key():
    """The translation key of the village a line's money reaches (None: not assigned)."""
    programme_village = F("quote__enquiry__programme__village__translation_key")
    return Case(
        When(kind=QuoteLineKind.STAY, then=F("room_type__page__village__translation_key")),
        When(
            kind=QuoteLineKind.TOUR,
            then=Coalesce(
                F("tour_slot__experience__village__translation_key"),
                F("tour_slot__experience__meeting_point__village__translation_key"),
            ),
        ),
        When(kind=QuoteLineKind.ENTRY, then=F("entry_window__rule__spot__village__translation_key")),
        default=programme_village,
        output_field=UUIDField(),
    )


def booked_groups(start, end, village_key=None):
    """Enquiries with an accepted quote whose first day is in ``start`` .. ``end - 1``; with
    ``village_key`` (a value or an expression), only those that bought something there."""
    if village_key is None:
        bought = Quote.objects.filter(enquiry=OuterRef("pk"), status=QuoteStatus.ACCEPTED)
    else:
        bought = accepted_quote_lines(with_village=True).filter(
            quote__enquiry=OuterRef("pk"), village_key=village_key
        )
    return GroupEnquiry.objects.filter(start_date__gte=start, start_date__lt=end).filter(Exists(bought))


def booked_lines(start, end, village_key=None, *, with_village=False):
    """The accepted lines of the groups whose first day is in the period, in ``village_key``
    when given (``with_village``: each line's ``village_key`` annotated too)."""
    lines = accepted_quote_lines(with_village=with_village or village_key is not None).filter(
        quote__enquiry__start_date__gte=start, quote__enquiry__start_date__lt=end
    )
    if village_key is not None:
        lines = lines.filter(village_key=village_key)
    return lines
