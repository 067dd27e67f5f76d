"""Write paths of the homestays app: booking a stay, giving hosts access to their own homestay,
the review workflow a host's changes go through, and the closures only staff may reopen.

Stays are booked through ``orders.reservations.reserve`` like every other line; this module adds the
rules only a room knows (guests per room, the page being live) before handing over.
"""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from wagtail.models import GroupApprovalTask, GroupPagePermission, Workflow, WorkflowPage, WorkflowTask

from accounts.roles import EDITORS, HOSTS
from orders import organiser_cancel, reservations
from orders.admin_views import can_manage_orders
from orders.exceptions import InvalidClaim
from orders.inventory import canonical_id
from orders.models import ReservationKind

from .forms import MAX_GUESTS
from .models import RoomRateRule, RoomType

HOST_GROUP_PREFIX = "Host: "
REVIEW_WORKFLOW_NAME = "Homestay review"
REVIEW_TASK_NAME = "Tourism office review"
# What a host may do beyond their page: reach the admin, keep their rates and closures, upload photos.
HOST_MODEL_PERMISSIONS = [
    ("wagtailadmin", "access_admin"),
    ("homestays", "add_roomraterule"),
    ("homestays", "change_roomraterule"),
    ("homestays", "delete_roomraterule"),
    ("homestays", "view_roomraterule"),
    ("homestays", "add_externalcalendar"),
    ("homestays", "change_externalcalendar"),
    ("homestays", "delete_externalcalendar"),
    ("homestays", "view_externalcalendar"),
    ("wagtailimages", "add_image"),
    ("wagtailimages", "choose_image"),
]


def reserve_stay(room_type_id, check_in, check_out, guests, rooms=1, *, holder=None, now=None, **kwargs):
    """Hold ``rooms`` rooms of one type for [check_in, check_out); return the Reservation."""
    if not isinstance(rooms, int) or rooms < 1:
        raise InvalidClaim(_("Please choose at least one room."))
    if not isinstance(guests, int) or not 1 <= guests <= MAX_GUESTS:
        raise InvalidClaim(_("Please give between 1 and %(n)d guests.") % {"n": MAX_GUESTS})
    # A translated page's room type sells its default-locale original.
    pk = canonical_id(ReservationKind.STAY, room_type_id)
    room_type = RoomType.objects.filter(pk=pk, page__live=True).select_related("page").first() if pk else None
    if room_type is None:
        raise InvalidClaim(_("This room does not exist."))
    if guests > room_type.max_guests * rooms:
        raise InvalidClaim(
            _("This room sleeps at most %(n)d guests; choose more rooms or another room.")
            % {"n": room_type.max_guests}
        )
    claim = reservations.Claim(ReservationKind.STAY, room_type.pk, rooms, check_in, check_out)
    (reservation,) = reservations.reserve([claim], holder=holder, now=now, **kwargs)
    return reservation


def _permissions(pairs):
    perms = []
    for app_label, codename in pairs:
        perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
        if perm is not None:
            perms.append(perm)
    return perms


def host_group_name(user):
    return f"{HOST_GROUP_PREFIX}{user.email}"[:150]


@transaction.atomic
def grant_host_access(page):
    """Let the page's host edit this homestay (and nothing else); revoke a previous host's right.

    Each host has a group of their own holding "change" on their homestay pages only; they are
    also put in the Hosts role. Publishing stays with the review workflow.
    """
    change_page = Permission.objects.get(content_type__app_label="wagtailcore", codename="change_page")
    own_group = None
    if page.host_id is not None:
        host = page.host
        own_group, _created = Group.objects.get_or_create(name=host_group_name(host))
        own_group.permissions.add(*_permissions(HOST_MODEL_PERMISSIONS))
        GroupPagePermission.objects.get_or_create(group=own_group, page=page, permission=change_page)
        hosts_role, _created = Group.objects.get_or_create(name=HOSTS)
        host.groups.add(own_group, hosts_role)
    stale = GroupPagePermission.objects.filter(page=page, group__name__startswith=HOST_GROUP_PREFIX)
    if own_group is not None:
        stale = stale.exclude(group=own_group)
    stale.delete()
    return own_group


@transaction.atomic
def ensure_review_workflow(index_page):
    """The "Homestay review" workflow (one approval by the tourism office) on the homestay index."""
    editors, _created = Group.objects.get_or_create(name=EDITORS)
    workflow, _created = Workflow.objects.get_or_create(name=REVIEW_WORKFLOW_NAME)
    task = GroupApprovalTask.objects.filter(name=REVIEW_TASK_NAME).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=REVIEW_TASK_NAME)
    task.groups.add(editors)
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    WorkflowPage.objects.update_or_create(page=index_page, defaults={"workflow": workflow})
    return workflow


# --- closures held by the tourism office's call-offs ---------------------------------------------


class ClosureHeld(Exception):
    """A closure staff made when they closed the homestay (``orders.organiser_cancel``): the host
    may not change or remove it. ``message`` is shown as is."""

    def __init__(self, rule):
        self.rule = rule
        self.message = _(
            "%(note)s. These nights were closed by the tourism office and only the office can "
            "reopen them; nothing was changed."
        ) % {"note": rule.shown_note}
        super().__init__(self.message)


def may_reopen(user) -> bool:
    """Who may reopen a call-off's nights: who may call one off (the right to manage orders)."""
    return can_manage_orders(user)


def check_rule_editable(rule):
    """A call-off's closure is read-only for everyone: staff reopen it (``reopen_closure``)."""
    if rule.held_by_call_off:
        raise ClosureHeld(rule)


def check_rule_deletable(rule, user):
    if rule.held_by_call_off and not may_reopen(user):
        raise ClosureHeld(rule)


def reopen_closure(rule, *, by_user, now=None):
    """Staff reopen the nights a call-off closed on one room type: the closure goes and the
    call-off records who reopened and when. A closure of the host's own is just deleted."""
    with transaction.atomic():
        locked = RoomRateRule.objects.select_for_update().filter(pk=rule.pk).first()
        if locked is None:
            return
        check_rule_deletable(locked, by_user)
        call_off_id = locked.call_off_id
        locked.delete()
        if call_off_id is not None:
            organiser_cancel.record_reopened(call_off_id, by_user=by_user, now=now)
