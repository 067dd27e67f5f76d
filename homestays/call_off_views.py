"""Staff close a homestay for some nights (flood, epidemic control) and cancel what was sold on
them: pick its room types (all by default) and the nights, see every stay affected with its
visitor and price, confirm with a reason (``orders.organiser_cancel`` with ``nights``).

Only the tourism office may: it refunds, so it needs the right to manage orders, which hosts never
have; a host closes their own nights with a closure ("Rates and closures"), which cancels nothing.
"""

from datetime import timedelta

from django import forms
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orders.admin_views import can_manage_orders
from orders.organiser_cancel_views import CallOffTarget, OrganiserCancelView
from orders.reservations import MAX_NIGHTS, local_today

from .inventory import STAY, RoomTypeInventory
from .models import HomestayPage, RoomType


def may_call_off(user, page) -> bool:
    return can_manage_orders(user) and page.permissions_for_user(user).can_edit()


class RoomTypeChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name  # the page's title is in the heading already


class NightsForm(forms.Form):
    """Which room types (none ticked: all of them) and which nights, both ends included."""

    room_types = RoomTypeChoices(
        label=gettext_lazy("Room types"),
        queryset=RoomType.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Leave all unticked to close every room type."),
    )
    first_night = forms.DateField(
        label=gettext_lazy("First night"), widget=forms.DateInput(attrs={"type": "date"})
    )
    last_night = forms.DateField(
        label=gettext_lazy("Last night"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("Leave empty to close the first night only."),
    )

    def __init__(self, *args, room_types, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room_types"].queryset = room_types

    def clean(self):
        data = super().clean()
        first, last = data.get("first_night"), data.get("last_night") or data.get("first_night")
        if first is None:
            return data
        if last < first:
            self.add_error("last_night", _("The last night must be on or after the first night."))
        elif first < local_today():
            self.add_error("first_night", _("Nights in the past cannot be closed."))
        elif (last - first).days >= MAX_NIGHTS:
            self.add_error("last_night", _("Close at most %(n)d nights at once.") % {"n": MAX_NIGHTS})
        data["last_night"] = last
        return data


class HomestayCallOffView(OrganiserCancelView):
    def get_target(self):
        page = get_object_or_404(HomestayPage, pk=self.kwargs["pk"])
        self.page = page
        room_types = RoomType.objects.canonical_for(page)
        picked = any(name in self.request.GET for name in ("first_night", "last_night", "room_types"))
        pick = NightsForm(self.request.GET if picked else None, room_types=room_types)
        target = CallOffTarget(
            kind=STAY,
            object_ids=[],
            title=page.title,
            what=_("homestay nights"),
            back_url=reverse("wagtailadmin_pages:edit", args=[page.pk]),
            back_label=page.title,
            called_off=False,
            pick_form=pick,
            ready=False,
            show_lines=True,
        )
        if not pick.is_valid():
            return target
        chosen = list(pick.cleaned_data["room_types"]) or list(room_types)
        first, last = pick.cleaned_data["first_night"], pick.cleaned_data["last_night"]
        nights = (first, last + timedelta(days=1))
        inventory = RoomTypeInventory()
        target.object_ids = [room.pk for room in chosen]
        target.nights = nights
        target.ready = bool(chosen)
        target.called_off = bool(chosen) and all(inventory.nights_closed(room, *nights) for room in chosen)
        names = ", ".join(room.name for room in chosen) if len(chosen) < len(room_types) else _("all rooms")
        span = first.isoformat() if first == last else f"{first.isoformat()} – {last.isoformat()}"
        target.title = f"{page.title} · {names} · {span}"
        return target

    def get_page_title(self):
        return _("Close a homestay and refund")

    def has_permission(self, user, target):
        return may_call_off(user, self.page)

    def get_done_url(self, result):
        # What was refunded and what staff must hand back: the call-off's report.
        return reverse("reports_call_off", args=[result.record.pk])
