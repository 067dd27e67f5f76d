"""Wagtail admin: staff call off an event (each event has one date, so this is "cancelling the
date"): its tickets stop selling, and those sold are cancelled, refunded and their visitors told,
after a page that shows how many and how much (``orders.organiser_cancel``)."""

from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from orders.admin_views import can_manage_orders
from orders.models import ReservationKind
from orders.organiser_cancel_views import CallOffTarget, OrganiserCancelView, register_page_call_off

from .models import EventPage, TicketType, is_called_off


def may_call_off(user, event) -> bool:
    return can_manage_orders(user) and event.permissions_for_user(user).can_publish()


class EventCallOffView(OrganiserCancelView):
    def get_target(self):
        event = get_object_or_404(EventPage, pk=self.kwargs["pk"])
        self.event = event
        # Its ticket types and its translations' (whichever id a line names, it is found).
        ticket_ids = TicketType.objects.filter(page__translation_key=event.translation_key).values_list(
            "pk", flat=True
        )
        starts = timezone.localtime(event.start).strftime("%Y-%m-%d %H:%M")
        return CallOffTarget(
            kind=ReservationKind.TICKET,
            object_ids=list(ticket_ids),
            title=f"{event.title} · {starts}",
            what=_("event"),
            back_url=reverse("wagtailadmin_pages:edit", args=[event.pk]),
            back_label=event.title,
            called_off=is_called_off(event),
        )

    def has_permission(self, user, target):
        return may_call_off(user, self.event)


@hooks.register("register_admin_urls")
def register_event_call_off_url():
    return [path("events/cancel/<int:pk>/", EventCallOffView.as_view(), name="events_call_off")]


register_page_call_off(EventPage, "events_call_off", _("Cancel the event and refund"), may_call_off)
