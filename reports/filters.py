"""The reports' filter forms: a date range, a village and how rows are grouped.

The rows come from ``reports.figures``, not from a queryset, so these filter sets only validate
and clean the request: ``report_args()`` turns a valid form into the figures' arguments.
Missing values take the report's defaults (this month, or the last 12 months and this one for
common prosperity), and the defaults are the form's initial values, so Wagtail does not list
them as active filters.
"""

import calendar
import datetime

import django_filters
from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_filters.fields import DateRangeField
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet

from orders.reservations import local_today
from town.models import Village

from . import figures
from .models import TownReport

FIRST_YEAR, LAST_YEAR = 2000, 2099
MAX_DAYS = 1100  # about three years: longer ranges are refused (one page of figures, not a decade)


def month_end(day: datetime.date) -> datetime.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


class LocalDateRangeField(DateRangeField):
    """django-filter's date range, kept as dates (its own turns them into datetimes)."""

    def compress(self, data_list):
        if data_list:
            return slice(*data_list)
        return None


class DateRangeFilter(django_filters.DateFromToRangeFilter):
    field_class = LocalDateRangeField


class ReportFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        period = cleaned.get("period")
        if period is None:
            return cleaned
        if period.start is None or period.stop is None:
            self.add_error("period", _("Give both the first and the last day."))
        elif not (period.start.year >= FIRST_YEAR and period.stop.year <= LAST_YEAR):
            # the figures count days and months past the range's end: keep clear of date.max
            self.add_error(
                "period",
                _("Choose dates between %(first)s and %(last)s.") % {"first": FIRST_YEAR, "last": LAST_YEAR},
            )
        elif period.stop < period.start:
            self.add_error("period", _("The last day is before the first day."))
        elif (period.stop - period.start).days + 1 > MAX_DAYS:
            self.add_error(
                "period", _("Choose at most %(days)s days (about three years).") % {"days": MAX_DAYS}
            )
        return cleaned


class ReportFilterSet(WagtailFilterSet):
    period = DateRangeFilter(label=_("Dates"), widget=DateRangePickerWidget)
    village = django_filters.ModelChoiceFilter(
        label=_("Village"), queryset=lambda request: Village.objects.in_locale(), empty_label=_("All")
    )

    group_choices = ()  # (value, label) pairs; the first is the default
    default_months_back = 0  # how many whole months before this one the default range starts

    class Meta:
        model = TownReport  # only for django-filter's sake: nothing is queried
        fields = []
        form = ReportFilterForm

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        if queryset is None:
            queryset = TownReport.objects.none()
        defaults = self.default_values()
        data = data.copy() if data is not None else QueryDict(mutable=True)
        for key, value in defaults.items():
            if not data.get(key):
                data[key] = value
        super().__init__(data, queryset, request=request, prefix=prefix)
        start, to = self.default_period()
        self.filters["period"].extra["initial"] = slice(start, to)
        if self.group_choices:
            self.filters["group"] = django_filters.ChoiceFilter(
                label=_("Group by"),
                choices=self.group_choices,
                empty_label=None,
                widget=forms.RadioSelect,
                initial=self.group_choices[0][0],
            )

    @classmethod
    def default_period(cls, today=None):
        today = today or local_today()
        return figures.add_months(figures.month_start(today), -cls.default_months_back), month_end(today)

    def default_values(self):
        start, to = self.default_period()
        values = {"period_from": start.isoformat(), "period_to": to.isoformat()}
        if self.group_choices:
            values["group"] = self.group_choices[0][0]
        return values

    def report_args(self):
        """(Period, village id or None, group or None) from a valid form."""
        cleaned = self.form.cleaned_data
        period = figures.Period(cleaned["period"].start, cleaned["period"].stop + datetime.timedelta(days=1))
        village = cleaned.get("village")
        return period, (village.pk if village else None), cleaned.get("group")


class HomestayFilterSet(ReportFilterSet):
    group_choices = (("homestay", _("Homestay")), ("village", _("Village")))


class TourEventFilterSet(ReportFilterSet):
    group_choices = (("slot", _("Tour slot")), ("experience", _("Experience")))


class ShopFilterSet(ReportFilterSet):
    group_choices = (("producer", _("Producer")), ("village", _("Village")), ("category", _("Category")))


class ProsperityFilterSet(ReportFilterSet):
    default_months_back = 12


class ProblemReportFilterSet(ReportFilterSet):
    default_months_back = 11


class StudyTourFilterSet(ReportFilterSet):
    """Schools book months ahead: the default is this whole calendar year, months to come too."""

    group_choices = (
        ("month", _("Month")),
        ("village", _("Village")),
        # In context: a plain "Programme" is an event's.
        ("programme", pgettext_lazy("study-tour report", "Programme")),
    )

    @classmethod
    def default_period(cls, today=None):
        today = today or local_today()
        return datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31)
