"""The farmer's own statement on the dashboard (/farmer/statement/), made for a phone. Thin:
``statements.services`` computes, ``statements.exports`` writes the files."""

import datetime

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from products.dashboard.views import farmer_required
from town.sites import site_identity

from . import exports, services


def month_choices(period, today):
    """The months before and after ``period`` (None past this month) for the page's arrows."""
    previous = (period.first - datetime.timedelta(days=1)).replace(day=1)
    following = period.end if period.end <= today.replace(day=1) else None
    return previous, following


@farmer_required
def statement(request, producer):
    today = timezone.localdate()
    try:
        period = services.parse_month(request.GET.get("month"), today=today)
    except services.StatementInvalid as exc:
        return render(
            request,
            "statements/farmer_statement.html",
            {"producer": producer, "tab": "statement", "errors": exc.errors},
            status=422,
        )
    found = services.statement(request.user, period)
    previous, following = month_choices(period, today)
    return render(
        request,
        "statements/farmer_statement.html",
        {
            "producer": producer,
            "tab": "statement",
            "statement": found,
            "month": period.first,
            "previous": previous,
            "following": following,
        },
    )


@farmer_required
def statement_export(request, producer, fmt):
    if fmt not in exports.FORMATS:
        raise Http404
    try:
        period = services.parse_month(request.GET.get("month"))
    except services.StatementInvalid as exc:
        return render(
            request,
            "statements/farmer_statement.html",
            {"producer": producer, "tab": "statement", "errors": exc.errors},
            status=422,
        )
    found = services.statement(request.user, period)
    return exports.response(found, fmt, site_name=site_identity(request).name)
