"""Every admin view of ours opens for its owner: 200, or the redirect written down in its case.

"Ours" is read from the admin's URL resolver, not listed by hand: a view whose code lives in one
of our apps, or that serves one of our models (our viewsets, snippets and their choosers, the users
viewset with our forms), plus the edit form of our site settings and the add and edit forms of our
page types. ``test_every_admin_view_of_ours_has_a_case`` fails when one appears without a case in
``CASES``, so a new view cannot go untested.

The objects the views need are made once for the module inside a transaction rolled back at its
end (each test runs in its own savepoint and only reads).
"""

import dataclasses
import datetime
from collections.abc import Callable
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.settings.registry import registry as settings_registry
from wagtail.models import Page, PreviewableMixin, get_page_models

from accounts.roles import EDITORS, HOSTS

ADMIN_HOME = "/admin/"

# --- which admin URLs are ours ----------------------------------------------------------------


def our_packages():
    """Top-level packages of the project's own apps (those under BASE_DIR, not the virtualenv)."""
    root = Path(settings.BASE_DIR).resolve()
    names = set()
    for app in apps.get_app_configs():
        path = Path(app.path).resolve()
        if path.is_relative_to(root) and ".venv" not in path.relative_to(root).parts:
            names.add(app.name.split(".")[0])
    return names


def _walk(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace else (pattern.name or "")
            yield name, pattern.callback


def _served_model(callback):
    model = getattr(callback, "view_initkwargs", {}).get("model")
    if isinstance(model, str):
        model = apps.get_model(model)
    return model


def our_admin_urls():
    """The names of the admin views of ours (keys of ``CASES``)."""
    ours = our_packages()

    def is_ours(module):
        return module.split(".")[0] in ours

    admin = next(
        p
        for p in get_resolver().url_patterns
        if isinstance(p, URLResolver) and p.urlconf_name is wagtailadmin_urls
    )
    names = set()
    for name, callback in _walk(admin.url_patterns):
        code = getattr(callback, "view_class", callback)
        model = _served_model(callback)
        if is_ours(code.__module__) or (model is not None and is_ours(model._meta.app_config.name)):
            assert name, f"an admin view of ours has no URL name: {code!r}"
            names.add(name)
    # Generic URLs that take the model from the path: one key per model of ours.
    for model in settings_registry:
        if is_ours(model._meta.app_config.name):
            names.add(f"wagtailsettings:edit {model._meta.label_lower}")
            if issubclass(model, PreviewableMixin):
                names.add(f"wagtailsettings:preview_on_edit {model._meta.label_lower}")
    for model in get_page_models():
        if is_ours(model._meta.app_config.name):
            names.add(f"wagtailadmin_pages:add {model._meta.label_lower}")
            names.add(f"wagtailadmin_pages:edit {model._meta.label_lower}")
    return names


# --- the objects the views open, made once ----------------------------------------------------


def build_town():
    """One of each object an admin view of ours needs, with its owners."""
    from wagtail.models import Locale

    from homestays.models import ExternalCalendar
    from homestays.services import grant_host_access
    from orders import basket as basket_service
    from orders.models import Basket, CallOff, CallOffRefund, CallOffRefundStatus, Reservation, WaitlistEntry
    from products.models import ProducerStatus
    from products.services import ensure_product_workflow
    from search.models import SearchSynonym
    from tests.factories.accounts import SuperuserFactory, UserFactory, VerifiedUserFactory
    from tests.factories.attractions import (
        AttractionIndexPageFactory,
        AttractionPageFactory,
        ExperiencePageFactory,
        PageFactory,
        RoutePageFactory,
        TourSlotFactory,
    )
    from tests.factories.events import EventIndexPageFactory, EventPageFactory
    from tests.factories.home import HomePageFactory, StandardPageFactory, make_home_page
    from tests.factories.homestays import (
        HomestayIndexPageFactory,
        HomestayPageFactory,
        RoomRateRuleFactory,
        RoomTypeFactory,
    )
    from tests.factories.products import ProducerFactory, ProductFactory, ShippingRateFactory, ShopPageFactory
    from tests.factories.town import VillageFactory
    from tests.orders.checkout_fixtures import check_out

    class SeasonPageFactory(PageFactory):
        class Meta:
            model = "events.SeasonPage"

        title = "本月田园"
        slug = "this-month"

    town = {}
    town["superuser"] = SuperuserFactory()
    town["editor"] = UserFactory(email="editor@example.com")
    town["editor"].groups.add(Group.objects.get(name=EDITORS))
    ensure_product_workflow()  # the staff roles' shop rights and the moderation workflow

    root = Page.get_first_root_node()
    town["root"] = root
    town["home"] = home = make_home_page()
    # Add forms open under a second home page: index pages allow one of their kind per parent.
    town["home_for_adding"] = HomePageFactory(parent=root, slug="qingxi-2", locale=Locale.get_default())
    town["standard"] = StandardPageFactory(parent=home)

    town["host"] = host = UserFactory(email="host@example.com")
    host.groups.add(Group.objects.get_or_create(name=HOSTS)[0])
    town["homestay_index"] = HomestayIndexPageFactory(parent=home, slug="homestays")
    town["homestay"] = homestay = HomestayPageFactory(parent=town["homestay_index"], host=host)
    grant_host_access(homestay)
    room = RoomTypeFactory(page=homestay)
    town["rule"] = RoomRateRuleFactory(room_type=room)
    town["calendar"] = ExternalCalendar.objects.create(
        room_type=room, name="Airbnb", url="https://calendar.example/room.ics"
    )

    town["village"] = village = VillageFactory()
    town["attraction_index"] = AttractionIndexPageFactory(parent=home)
    town["attraction"] = AttractionPageFactory(parent=town["attraction_index"], village=village)
    town["route"] = RoutePageFactory(parent=town["attraction_index"], stops=[town["attraction"]])
    town["experience"] = experience = ExperiencePageFactory(parent=town["attraction_index"])
    town["slot"] = experience.slots.first() or TourSlotFactory(experience=experience)
    town["event_index"] = EventIndexPageFactory(parent=home)
    town["event"] = EventPageFactory(parent=town["event_index"])
    town["season"] = SeasonPageFactory(parent=home)
    town["shop"] = ShopPageFactory(parent=home)

    town["applicant"] = ProducerFactory(village=village, status=ProducerStatus.APPLIED)
    town["producer"] = producer = ProducerFactory(village=village)
    town["shipping_rate"] = ShippingRateFactory()
    town["synonym"] = SearchSynonym.objects.create(terms="民宿, 农家乐, homestay")

    # A product with a published revision, a scheduled one, and a moderation under way.
    town["product"] = product = ProductFactory(producer=producer)
    first = product.save_revision(user=town["superuser"])
    first.publish(user=town["superuser"])
    town["revision"] = first
    go_live = timezone.now() + datetime.timedelta(days=30)
    town["scheduled_revision"] = product.save_revision(user=town["superuser"], approved_go_live_at=go_live)
    product.refresh_from_db()
    town["workflow_state"] = product.get_workflow().start(product, town["superuser"])
    town["task_state"] = town["workflow_state"].current_task_state
    town["locked_product"] = ProductFactory(
        producer=producer, locked=True, locked_by=town["editor"], locked_at=timezone.now()
    )

    # A real order (checkout, on-site payment) with a product line and its reservation.
    buyer = VerifiedUserFactory()
    basket, _ = Basket.objects.get_or_create(user=buyer)
    basket_service.add_line(
        basket, {"kind": "product", "product_id": product.pk, "quantity": 1, "delivery": "pickup"}
    )
    town["order"] = order = check_out(buyer, basket).order
    town["product_line"] = order.lines.get()
    town["reservation"] = Reservation.objects.filter(order_line__order=order).first()
    town["visitor"] = buyer
    # Made as is: the views only list, offer (the slot has room) or remove it.
    town["waitlist_entry"] = WaitlistEntry.objects.create(
        user=buyer, kind="tour", object_id=town["slot"].pk, quantity=1, options={"adults": 1}
    )
    # A call-off kept for its report, with cash paid on site to hand back.
    town["call_off"] = CallOff.objects.create(key="tour:0", kind="tour", title="草莓采摘", reason="暴雨")
    town["call_off_refund"] = CallOffRefund.objects.create(
        call_off=town["call_off"],
        order=order,
        payment=order.payments.get(),
        provider="on_site",
        amount_fen=100,
        status=CallOffRefundStatus.TO_HAND_BACK,
    )
    # The scenic area's snippets (scenic).
    from scenic.models import CarPark, Facility, Notice
    from tests.scenic.conftest import make_counter

    town["car_park"] = car_park = CarPark.objects.create(name="停车场", total_spaces=100, free_spaces=40)
    town["parking_counter"], _token = make_counter(car_park)
    town["facility"] = Facility.objects.create(kind="toilet", name="公厕", latitude="29.6", longitude="118.2")
    town["notice"] = Notice.objects.create(title="雷阵雨")
    # Timed entry and crowding (gates), a problem report (feedback), a reconciliation day (orders).
    from feedback.models import ProblemReport
    from gates.models import EntryRule, SpotCrowd
    from orders.models import Discrepancy, ReconciliationDay

    town["entry_rule"] = EntryRule.objects.create(spot=town["attraction"], per_window=10, per_day=50)
    town["spot_crowd"] = SpotCrowd.objects.create(spot=town["attraction"], comfortable=100, maximum=200)
    town["problem_report"] = ProblemReport.objects.create(
        category="cleanliness", text="垃圾桶满了", phone="+8613900000000", created_at=timezone.now()
    )
    day = ReconciliationDay.objects.create(
        provider="wechatpay", day=datetime.date(2026, 12, 4), status="discrepancies"
    )
    town["discrepancy"] = Discrepancy.objects.create(
        day=day, kind="unknown", direction="payment", reference="x1", statement_fen=100
    )
    # The receipt is for an order with money received: the on-site payment marked paid.
    from orders.order_state import mark_paid_on_site

    mark_paid_on_site(order, by_user=town["superuser"])
    # Groups and study tours: an enquiry, its quote, the programmes' pages.
    from gates.models import EntryWindow
    from gates.schedules import generate_windows
    from groups.models import GroupEnquiry, Quote
    from tests.groups.conftest import ProgrammeFactory, ProgrammeIndexFactory

    later = timezone.localdate() + datetime.timedelta(days=60)
    town["enquiry"] = enquiry = GroupEnquiry.objects.create(
        organisation="青溪镇中心小学",
        kind="school",
        start_date=later,
        end_date=later + datetime.timedelta(days=1),
        pupils=45,
        teachers=4,
        contact_name="王老师",
        contact_phone="+8613900000001",
        phone_verified_at=timezone.now(),
    )
    town["quote"] = Quote.objects.create(enquiry=enquiry, valid_until=later)
    town["room"] = room
    generate_windows(town["entry_rule"], days=3)
    town["entry_window"] = EntryWindow.objects.filter(rule=town["entry_rule"]).latest("starts_at")
    town["programme_index"] = ProgrammeIndexFactory(parent=home)
    town["programme"] = ProgrammeFactory(parent=town["programme_index"])
    # Traceable produce (a batch, a certificate) and a guest's review (reviews).
    from products.models import Batch, Certification, CertificationKind
    from reviews.models import Review

    town["batch"] = Batch.objects.create(
        product=product, harvested_on=timezone.localdate(), quantity=120, unit="jin", plot="东坡三号梯田"
    )
    town["certification"] = Certification.objects.create(
        producer=producer,
        product=product,
        kind=CertificationKind.ORGANIC,
        number="ORG-2027-001",
        issuer="中绿华夏有机食品认证中心",
        valid_from=timezone.localdate(),
        valid_until=later,
    )
    town["review"] = Review.objects.create(
        order_line=town["product_line"], author=buyer, product=product, rating=4, text="很新鲜"
    )
    # Statements and payouts: a payout to the host and a rate on stays.
    from statements.models import CommissionRate, Payout

    town["payout"] = Payout.objects.create(
        seller=town["host"], paid_on=datetime.date(2026, 11, 5), amount_fen=10000, method="wechat"
    )
    town["commission_rate"] = CommissionRate.objects.create(kind="stay", rate_bp=500)

    # A live selling session (live).
    from live.models import LiveSession

    town["live_session"] = LiveSession.objects.create(
        title="茶园直播",
        producer=producer,
        platform="bilibili",
        stream_url="https://live.bilibili.com/1",
        starts_at=timezone.now() + datetime.timedelta(days=1),
        ends_at=timezone.now() + datetime.timedelta(days=1, hours=2),
    )
    return town


@pytest.fixture(scope="module")
def town(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_town()
        transaction.set_rollback(True)


# --- what each view needs, who owns it, what it answers ---------------------------------------


@dataclasses.dataclass(frozen=True)
class Case:
    owner: str  # who opens it: "host", "editor" or "superuser" (keys of ``town``)
    obj: str | None = None  # the object (or parent page) the URL is about (a key of ``town``)
    status: int = 200
    location: str | Callable | None = None  # where a documented redirect goes (or town -> URL)
    why: str = ""  # why the answer is a redirect and not the page
    method: str = "get"  # "post" for views that only act (lock, unlock)


def refused(owner, obj=None, why=""):
    """Wagtail answers a permission denial with a redirect to the dashboard."""
    return Case(owner, obj, status=302, location=ADMIN_HOME, why=why)


READ_ONLY = "read-only: these rows change through the orders services, never in a form"

OBJECT_VIEWS = ["edit", "delete", "history", "history_results", "usage"]
LISTING_VIEWS = ["index", "index_results", "add"]
SNIPPET_LISTING_VIEWS = ["list", "list_results", "add"]
CHOOSER_VIEWS = ["choose", "choose_results", "create"]
CHOOSER_OBJECT_VIEWS = ["chosen", "chosen_multiple"]


def viewset_cases(namespace, owner, obj, views, object_views, **special):
    cases = {f"{namespace}:{view}": Case(owner) for view in views}
    cases.update({f"{namespace}:{view}": Case(owner, obj) for view in object_views})
    cases.update({f"{namespace}:{view}": case for view, case in special.items()})
    return cases


def snippet_cases(model, owner, obj, extra_object_views=(), **special):
    cases = viewset_cases(
        f"wagtailsnippets_{model}",
        owner,
        obj,
        SNIPPET_LISTING_VIEWS,
        [*OBJECT_VIEWS, "copy", *extra_object_views],
        **special,
    )
    choosers = f"wagtailsnippetchoosers_{model}"
    cases.update(viewset_cases(choosers, owner, obj, CHOOSER_VIEWS, CHOOSER_OBJECT_VIEWS))
    return cases


def read_only_cases(namespace, obj):
    return viewset_cases(
        namespace,
        "superuser",
        obj,
        ["index", "index_results"],
        ["inspect"],
        add=refused("superuser", why=READ_ONLY),
        edit=refused("superuser", obj, why=READ_ONLY),
        delete=refused("superuser", obj, why=READ_ONLY),
        history=refused("superuser", obj, why=READ_ONLY + " (history needs add, change or delete)"),
        history_results=refused("superuser", obj, why=READ_ONLY),
        usage=refused("superuser", obj, why=READ_ONLY + " (usage needs change)"),
    )


def product_editor(key):
    return lambda town: reverse("wagtailsnippets_products_product:edit", args=[town[key].pk])


PRODUCT_OBJECT_VIEWS = [
    "inspect",
    "revisions_revert",
    "revisions_compare",
    "revisions_unschedule",
    "unpublish",
    "workflow_action",
    "collect_workflow_action_data",
    "confirm_workflow_cancellation",
    "workflow_history",
    "workflow_history_detail",
]

PAGE_PARENTS = {
    "home.homepage": "root",
    "home.standardpage": "home_for_adding",
    "attractions.attractionindexpage": "home_for_adding",
    "attractions.attractionpage": "attraction_index",
    "attractions.routepage": "attraction_index",
    "attractions.experiencepage": "attraction_index",
    "events.eventindexpage": "home_for_adding",
    "events.seasonpage": "home_for_adding",
    "events.eventpage": "event_index",
    "homestays.homestayindexpage": "home_for_adding",
    "homestays.homestaypage": "homestay_index",
    "products.shoppage": "home_for_adding",
    "groups.studyprogrammeindexpage": "home_for_adding",
    "groups.studyprogrammepage": "programme_index",
}
PAGES = {
    "home.homepage": "home",
    "home.standardpage": "standard",
    "attractions.attractionindexpage": "attraction_index",
    "attractions.attractionpage": "attraction",
    "attractions.routepage": "route",
    "attractions.experiencepage": "experience",
    "events.eventindexpage": "event_index",
    "events.seasonpage": "season",
    "events.eventpage": "event",
    "homestays.homestayindexpage": "homestay_index",
    "homestays.homestaypage": "homestay",
    "products.shoppage": "shop",
    "groups.studyprogrammeindexpage": "programme_index",
    "groups.studyprogrammepage": "programme",
}

CASES = {
    # Hosts: their homestay's rates, closures and calendars, their bookings and export addresses.
    **viewset_cases("rate_rules", "host", "rule", LISTING_VIEWS, OBJECT_VIEWS),
    **viewset_cases("external_calendars", "host", "calendar", LISTING_VIEWS, OBJECT_VIEWS),
    "homestays_bookings": Case("host"),
    "homestays_calendar_exports": Case("host"),
    # The tourism office: reports and site settings (granted to editors by the migrations).
    **{
        f"reports_{name}{suffix}": Case("editor")
        for name in ("homestays", "tours_events", "shop", "prosperity", "study_tours")
        for suffix in ("", "_results")
    },
    "wagtailsettings:edit home.sitefootersettings": Case("editor"),
    # The shop: editors hold these rights (products.services.STAFF_PERMISSIONS); deleting a
    # product is left to superusers.
    **snippet_cases(
        "products_product",
        "editor",
        "product",
        PRODUCT_OBJECT_VIEWS,
        delete=Case("superuser", "product"),
        # Lock and unlock only act (POST), then go back to the editor; during moderation only the
        # one who locked may unlock.
        lock=Case("editor", "product", 302, product_editor("product"), "acts, then edits", "post"),
        unlock=Case(
            "editor", "locked_product", 302, product_editor("locked_product"), "acts, then edits", "post"
        ),
    ),
    **snippet_cases("products_shippingrate", "editor", "shipping_rate"),
    **viewset_cases(
        "products_producer_applications",
        "editor",
        "applicant",
        ["index", "index_results"],
        ["edit", "history", "history_results", "usage", "inspect"],
    ),
    "products_producer_review": Case("editor", "applicant"),
    **read_only_cases("product_orders", "product_line"),
    # Staff (superusers): the rest.
    **snippet_cases("town_village", "superuser", "village"),
    **snippet_cases("attractions_tourslot", "superuser", "slot"),
    # The organiser's cancellation: the confirmation page (a GET shows the figures, changes nothing).
    "wagtailsnippets_attractions_tourslot:call_off": Case("superuser", "slot"),
    "events_call_off": Case("superuser", "event"),
    "homestays_call_off": Case("superuser", "homestay"),
    # The call-off report (staff who manage orders): the list, one call-off, paying back by hand.
    "reports_call_offs": Case("superuser"),
    "reports_call_offs_results": Case("superuser"),
    "reports_call_off": Case("superuser", "call_off"),
    "reports_call_off_results": Case("superuser", "call_off"),
    "reports_call_off_hand_back": Case(
        "superuser",
        "call_off",
        302,
        lambda town: reverse("reports_call_off", args=[town["call_off"].pk]),
        "acts, then shows the report",
        "post",
    ),
    **snippet_cases("sitesearch_searchsynonym", "superuser", "synonym"),
    **snippet_cases("scenic_carpark", "superuser", "car_park"),
    **snippet_cases("scenic_parkingcounter", "superuser", "parking_counter"),
    **snippet_cases("scenic_facility", "superuser", "facility"),
    **snippet_cases("scenic_notice", "superuser", "notice"),
    **snippet_cases("gates_entryrule", "superuser", "entry_rule"),
    **snippet_cases("gates_spotcrowd", "superuser", "spot_crowd"),
    **viewset_cases(
        "feedback_reports",
        "editor",
        "problem_report",
        ["index", "index_results"],
        OBJECT_VIEWS,
        add=refused("editor", why="reports come from visitors, never typed in the admin"),
        delete=refused("editor", "problem_report", why="editors answer reports, they do not delete them"),
    ),
    "reports_problem_reports": Case("editor"),
    "reports_problem_reports_results": Case("editor"),
    "orders_admin_reconciliation": Case("superuser"),
    "orders_admin_reconciliation_resolve": Case(
        "superuser", "discrepancy", 400, None, "acts: a resolution without its note is refused", "post"
    ),
    # Invoice requests for the finance office, and an order's receipt (staff who manage orders).
    "reports_invoices": Case("superuser"),
    "reports_invoices_results": Case("superuser"),
    "orders_admin_receipt": Case("superuser", "order"),
    # Groups: enquiries come from visitors (never added here); quotes are built for them, from
    # choosers of what can still be sold.
    **viewset_cases(
        "groups_enquiries",
        "superuser",
        "enquiry",
        ["index", "index_results"],
        [*OBJECT_VIEWS, "inspect"],
        add=refused("superuser", why="enquiries come from visitors, never typed in the admin"),
    ),
    **viewset_cases("groups_quotes", "superuser", "quote", LISTING_VIEWS, OBJECT_VIEWS),
    # A quote's roster for the insurer (a file; full numbers for the superuser).
    "groups_roster_export": Case("superuser", "quote"),
    "groups_roster_upload": Case("superuser", "quote"),
    **viewset_cases("groups_room_type_chooser", "superuser", "room", CHOOSER_VIEWS, CHOOSER_OBJECT_VIEWS),
    **viewset_cases("groups_tour_slot_chooser", "superuser", "slot", CHOOSER_VIEWS, CHOOSER_OBJECT_VIEWS),
    **viewset_cases(
        "groups_entry_window_chooser", "superuser", "entry_window", CHOOSER_VIEWS, CHOOSER_OBJECT_VIEWS
    ),
    # Traceable produce, and guests' reviews (moderated by editors, never added here).
    **snippet_cases("products_batch", "superuser", "batch"),
    **snippet_cases("products_certification", "superuser", "certification"),
    **viewset_cases(
        "reviews",
        "editor",
        "review",
        ["index", "index_results"],
        OBJECT_VIEWS,
        add=refused("editor", why="reviews come from guests, never typed in the admin"),
        # Editors publish or reject; deleting a guest's review is left to superusers.
        delete=Case("superuser", "review"),
    ),
    # Live selling: staff schedule and approve sessions; sales per session.
    **snippet_cases("live_livesession", "superuser", "live_session"),
    "live_admin_sales": Case("superuser"),
    **read_only_cases("reservations", "reservation"),
    **read_only_cases("orders", "order"),
    "orders_admin_manage": Case("superuser", "order"),
    "orders_admin_waitlist": Case("superuser"),
    **{
        f"orders_admin_waitlist_{action}": Case(
            "superuser", "waitlist_entry", 302, "/admin/orders/waitlist/", "acts, then lists", "post"
        )
        for action in ("offer", "remove")
    },
    **viewset_cases(
        "wagtailusers_users",
        "superuser",
        "visitor",
        LISTING_VIEWS,
        [*OBJECT_VIEWS, "copy"],
    ),
    # Page editors: the editors' for every page type, the host's for their homestay.
    **{f"wagtailadmin_pages:add {label}": Case("editor", parent) for label, parent in PAGE_PARENTS.items()},
    **{f"wagtailadmin_pages:edit {label}": Case("editor", page) for label, page in PAGES.items()},
}
CASES["wagtailadmin_pages:edit homestays.homestaypage"] = Case("host", "homestay")
# Statements and payouts: the tourism office records payouts and sets rates; they read every
# seller's statement, a host their own. Deleting a payout stays with superusers.
CASES.update(
    {
        **snippet_cases(
            "statements_payout",
            "editor",
            "payout",
            delete=refused(
                "editor", "payout", why="a payout is corrected by a new one; deleting is a superuser's"
            ),
        ),
        **snippet_cases("statements_commissionrate", "editor", "commission_rate"),
        "statements_index": Case("editor"),
        "statements_seller": Case("editor", "host"),
        "statements_seller_export": Case("editor", "host"),
        "statements_mine": Case("host"),
        "statements_mine_export": Case("host"),
    }
)


def url_for(name, case, town):
    """The address of the view ``name`` for the case's object."""
    obj = town[case.obj] if case.obj else None
    if " " in name:
        url_name, label = name.split(" ")
        app_label, model_name = label.split(".")
        if url_name.startswith("wagtailsettings:"):
            from wagtail.models import Site

            site = Site.objects.get(is_default_site=True)
            return reverse(url_name, args=[app_label, model_name, site.pk])
        if url_name == "wagtailadmin_pages:add":
            return reverse(url_name, args=[app_label, model_name, obj.pk])
        return reverse(url_name, args=[obj.pk])
    view = name.rsplit(":", 1)[-1]
    if view == "chosen_multiple":
        return f"{reverse(name)}?id={obj.pk}"
    if view == "revisions_compare":
        kwargs = {"pk": obj.pk, "revision_id_a": town["revision"].pk, "revision_id_b": "latest"}
        return reverse(name, kwargs=kwargs)
    extra = {
        "revisions_revert": lambda: [town["revision"].pk],
        "revisions_unschedule": lambda: [town["scheduled_revision"].pk],
        "workflow_action": lambda: ["approve", town["task_state"].pk],
        "collect_workflow_action_data": lambda: ["approve", town["task_state"].pk],
        "workflow_history_detail": lambda: [town["workflow_state"].pk],
        "reports_call_off_hand_back": lambda: [town["call_off_refund"].pk],
        "groups_roster_export": lambda: ["xlsx"],
        "statements_seller_export": lambda: ["pdf"],
    }.get(view, list)()
    if name == "statements_mine_export":
        return reverse(name, args=["pdf"])
    return reverse(name, args=[obj.pk, *extra] if obj is not None else [])


# --- the tests --------------------------------------------------------------------------------


def test_every_admin_view_of_ours_has_a_case():
    found = our_admin_urls()
    missing = sorted(found - CASES.keys())
    stale = sorted(CASES.keys() - found)
    assert not missing, f"admin views of ours without a case in CASES: {missing}"
    assert not stale, f"cases for admin views that no longer exist: {stale}"


def test_the_inventory_finds_views_of_each_kind():
    """The collector is not vacuous: it sees hooks' views, viewsets, snippets, settings and pages."""
    found = our_admin_urls()
    for name in [
        "homestays_bookings",
        "rate_rules:history",
        "external_calendars:history",
        "wagtailsnippets_products_product:workflow_action",
        "wagtailsnippetchoosers_town_village:choose",
        "wagtailusers_users:edit",
        "wagtailsettings:edit home.sitefootersettings",
        "wagtailadmin_pages:edit homestays.homestaypage",
    ]:
        assert name in found
    assert not any(name.startswith(("wagtailimages", "wagtailusers_groups")) for name in found)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(CASES))
def test_the_owner_opens_the_admin_view(client, town, name):
    case = CASES[name]
    client.force_login(town[case.owner])
    url = url_for(name, case, town)
    response = getattr(client, case.method)(url)
    if case.location is None:
        assert response.status_code == case.status, f"{url}: {response.status_code}"
    else:
        location = case.location(town) if callable(case.location) else case.location
        assert (response.status_code, response["Location"]) == (case.status, location), case.why
