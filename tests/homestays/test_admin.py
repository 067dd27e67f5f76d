"""Hosts in the Wagtail admin: their own homestay only, changes reviewed, their bookings; and
room type ids that survive publishing."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from wagtail.models import Page, WorkflowPage

from accounts.roles import EDITORS, HOSTS
from homestays.models import HomestayPage, RateRuleKind, RoomType
from homestays.services import ensure_review_workflow, grant_host_access, host_group_name
from homestays.wagtail_hooks import sync_host_access
from orders.models import ReservationKind, ReservationStatus
from tests.factories.accounts import SuperuserFactory
from tests.factories.homestays import HomestayPageFactory, RoomRateRuleFactory, RoomTypeFactory
from tests.factories.orders import ReservationFactory

pytestmark = pytest.mark.django_db

PAGE_URLS = ["edit", "history", "revisions_index", "preview_on_edit", "delete", "unpublish", "move", "copy"]


@pytest.fixture
def make_host(django_user_model):
    def make(email):
        return django_user_model.objects.create_user(email, password="pw-not-used")

    return make


@pytest.fixture
def host_a(make_host):
    return make_host("a@example.com")


@pytest.fixture
def host_b(make_host):
    return make_host("b@example.com")


def hosted_homestay(index_page, host):
    # Editors choose the host among the Hosts role (the field is limited to it).
    host.groups.add(Group.objects.get_or_create(name=HOSTS)[0])
    page = HomestayPageFactory(parent=index_page, host=host)
    RoomTypeFactory(page=page)
    page.save_revision().publish()
    grant_host_access(page)
    return page


@pytest.fixture
def page_a(index_page, host_a):
    return hosted_homestay(index_page, host_a)


@pytest.fixture
def page_b(index_page, host_b):
    return hosted_homestay(index_page, host_b)


def test_host_is_put_in_hosts_and_their_own_group(page_a, host_a):
    names = set(host_a.groups.values_list("name", flat=True))
    assert names == {HOSTS, host_group_name(host_a)}


def test_host_can_open_the_editor_of_their_homestay(client, page_a, page_b, host_a):
    client.force_login(host_a)
    assert client.get(reverse("wagtailadmin_pages:edit", args=[page_a.pk])).status_code == 200


@pytest.mark.parametrize("name", PAGE_URLS)
def test_host_cannot_reach_another_hosts_homestay(client, page_a, page_b, host_a, name):
    client.force_login(host_a)
    response = client.get(reverse(f"wagtailadmin_pages:{name}", args=[page_b.pk]), follow=True)
    # Wagtail answers a permission denial with a redirect to the dashboard (or 403/404).
    if response.redirect_chain:
        assert response.redirect_chain[-1][0] == reverse("wagtailadmin_home")
    else:
        assert response.status_code in {403, 404}


def test_host_cannot_publish_their_homestay(page_a, host_a):
    assert not page_a.permissions_for_user(host_a).can_publish()
    assert page_a.permissions_for_user(host_a).can_edit()


def test_explorer_of_the_index_does_not_list_other_hosts_homestays(
    client, index_page, page_a, page_b, host_a
):
    client.force_login(host_a)
    # A host's explorer starts at their own homestay; the index's other children stay hidden.
    response = client.get(reverse("wagtailadmin_explore", args=[index_page.pk]), follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert page_a.title in html
    assert page_b.title not in html


def test_changing_the_host_revokes_the_previous_hosts_access(page_a, host_a, host_b):
    page_a.host = host_b
    grant_host_access(page_a)
    assert not page_a.permissions_for_user(host_a).can_edit()
    assert page_a.permissions_for_user(host_b).can_edit()


def test_review_workflow_is_on_the_homestay_index(index_page, page_a):
    ensure_review_workflow(index_page)
    workflow = page_a.get_workflow()
    assert workflow is not None and workflow.name == "Homestay review"
    (task,) = workflow.tasks.all()
    assert list(task.specific.groups.values_list("name", flat=True)) == [EDITORS]


def test_review_workflow_is_created_once(index_page):
    ensure_review_workflow(index_page)
    ensure_review_workflow(index_page)
    assert WorkflowPage.objects.filter(page=index_page).count() == 1


def test_publishing_a_new_revision_keeps_room_type_ids(page_a):
    before = list(page_a.room_types.values_list("pk", flat=True))
    page = HomestayPage.objects.get(pk=page_a.pk)
    page.title = "新名字"
    room = page.room_types.all()[0]
    room.base_price_fen = 45000
    page.room_types = [room, RoomType(name="家庭房", base_price_fen=50000, max_guests=4)]
    page.save_revision().publish()
    after = list(RoomType.objects.filter(page=page_a).order_by("pk").values_list("pk", "base_price_fen"))
    assert after[0] == (before[0], 45000)
    assert len(after) == 2


def test_host_sees_only_rules_of_their_rooms(client, page_a, page_b, host_a, monday):
    mine = RoomRateRuleFactory(
        room_type=page_a.room_types.first(), kind=RateRuleKind.CLOSED, start_date=monday
    )
    theirs = RoomRateRuleFactory(
        room_type=page_b.room_types.first(), kind=RateRuleKind.CLOSED, start_date=monday
    )
    client.force_login(host_a)
    response = client.get(reverse("rate_rules:index"))
    assert response.status_code == 200
    assert list(response.context["object_list"]) == [mine]
    assert client.get(reverse("rate_rules:edit", args=[theirs.pk])).status_code in {302, 403, 404}
    assert client.get(reverse("rate_rules:edit", args=[mine.pk])).status_code == 200


def test_host_can_add_a_closure_only_for_their_rooms(client, page_a, page_b, host_a, monday):
    client.force_login(host_a)
    response = client.get(reverse("rate_rules:add"))
    choices = list(response.context["form"].fields["room_type"].queryset)
    assert choices == list(page_a.room_types.all())


def test_host_bookings_list_their_reservations_only(client, page_a, page_b, host_a, monday):
    mine = ReservationFactory(
        kind=ReservationKind.STAY,
        object_id=page_a.room_types.first().pk,
        start_date=monday,
        end_date=monday + timedelta(days=1),
        status=ReservationStatus.CONFIRMED,
    )
    ReservationFactory(
        kind=ReservationKind.STAY,
        object_id=page_b.room_types.first().pk,
        start_date=monday,
        end_date=monday + timedelta(days=1),
        status=ReservationStatus.CONFIRMED,
    )
    client.force_login(host_a)
    response = client.get(reverse("homestays_bookings"), {"month": monday.strftime("%Y-%m")})
    assert response.status_code == 200
    assert [r.pk for r in response.context["reservations"]] == [mine.pk]
    (row,) = response.context["grid"]
    assert [c["booked"] for c in row["cells"] if c["date"] == monday] == [1]


def test_tourism_office_sees_every_homestays_bookings(client, page_a, page_b, make_host):
    editor = make_host("editor@example.com")
    editors = Group.objects.get_or_create(name=EDITORS)[0]
    editors.permissions.add(Permission.objects.get(codename="access_admin"))
    editor.groups.add(editors)
    client.force_login(editor)
    response = client.get(reverse("homestays_bookings"))
    assert len(response.context["grid"]) == 2


def test_visitor_without_homestays_cannot_open_bookings(client, make_host, page_a):
    client.force_login(make_host("visitor@example.com"))
    assert client.get(reverse("homestays_bookings")).status_code in {302, 403}


def test_pages_are_created_under_the_index(page_a, index_page):
    assert Page.objects.get(pk=page_a.pk).get_parent().pk == index_page.pk


def test_saving_a_homestay_in_the_admin_grants_its_host_access(index_page, host_a):
    host_a.groups.add(Group.objects.get_or_create(name=HOSTS)[0])
    page = HomestayPageFactory(parent=index_page, host=host_a)
    sync_host_access(None, page)
    assert page.permissions_for_user(host_a).can_edit()


def test_creating_the_index_in_the_admin_attaches_the_review_workflow(index_page):
    sync_host_access(None, index_page)
    assert WorkflowPage.objects.get(page=index_page).workflow.name == "Homestay review"


def test_host_change_in_a_draft_waits_for_publishing(page_a, host_a, host_b):
    host_b.groups.add(Group.objects.get(name=HOSTS))
    draft = HomestayPage.objects.get(pk=page_a.pk)
    draft.host = host_b
    revision = draft.save_revision()
    sync_host_access(None, draft)
    assert page_a.permissions_for_user(host_a).can_edit()
    assert not page_a.permissions_for_user(host_b).can_edit()
    revision.publish()
    fresh = type(host_a).objects.get  # fresh users: permissions are cached on the instance
    assert page_a.permissions_for_user(fresh(pk=host_b.pk)).can_edit()
    assert not page_a.permissions_for_user(fresh(pk=host_a.pk)).can_edit()


@pytest.mark.parametrize("view", ["history", "history_results", "usage", "edit", "delete"])
def test_host_opens_the_object_views_of_their_own_rule_and_not_anothers(client, page_a, page_b, host_a, view):
    mine = RoomRateRuleFactory(room_type=page_a.room_types.first())
    theirs = RoomRateRuleFactory(room_type=page_b.room_types.first())
    client.force_login(host_a)
    assert client.get(reverse(f"rate_rules:{view}", args=[mine.pk])).status_code == 200
    response = client.get(reverse(f"rate_rules:{view}", args=[theirs.pk]))
    # Wagtail turns a permission denial into a redirect to the dashboard.
    assert (response.status_code, response["Location"]) == (302, reverse("wagtailadmin_home"))


@pytest.mark.parametrize("view", ["history", "history_results"])
def test_an_administrator_opens_the_history_of_a_hosts_rule(client, page_a, view):
    rule = RoomRateRuleFactory(room_type=page_a.room_types.first())
    client.force_login(SuperuserFactory())
    assert client.get(reverse(f"rate_rules:{view}", args=[rule.pk])).status_code == 200
