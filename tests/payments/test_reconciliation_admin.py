"""The reconciliation report in the Wagtail admin: staff only, filters, links, resolving."""

import secrets
from datetime import date, datetime

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from orders.models import Discrepancy, ReconciliationDay
from orders.payments.statements import BEIJING
from tests.factories.accounts import VerifiedUserFactory

pytestmark = pytest.mark.django_db

URL = "/admin/orders/reconciliation/"
DAY = date(2026, 12, 4)


@pytest.fixture
def reconciled(make_payment):
    """A WeChat Pay day with a missing payment, an amount difference and unknown money, and a
    failed Alipay day."""

    def make(extra_missing=0):
        row = ReconciliationDay.objects.create(
            provider="wechatpay",
            day=DAY,
            status="discrepancies",
            statement_in_fen=24600,
            ours_in_fen=48800 + 30000 * extra_missing,
            statement_lines=2,
            matched_lines=1,
        )
        differs = make_payment(total_fen=18800, provider="wechatpay", status="succeeded")
        Discrepancy.objects.create(
            day=row,
            kind="amount",
            direction="payment",
            reference="a" * 32,
            statement_fen=18000,
            ours_fen=18800,
            payment=differs,
        )
        Discrepancy.objects.create(
            day=row,
            kind="unknown",
            direction="payment",
            reference="b" * 32,
            statement_fen=6600,
            occurred_at=datetime(2026, 12, 4, 16, tzinfo=BEIJING),
        )
        for _ in range(1 + extra_missing):
            missing = make_payment(total_fen=30000, provider="wechatpay", status="succeeded")
            Discrepancy.objects.create(
                day=row,
                kind="missing",
                direction="payment",
                reference=secrets.token_hex(16),
                ours_fen=30000,
                payment=missing,
            )
        failed = ReconciliationDay.objects.create(
            provider="alipay", day=DAY, status="failed", error="isp.bill_not_exist"
        )
        Discrepancy.objects.create(day=failed, kind="download", reference=str(DAY))
        return row, differs

    return make


def test_staff_see_the_days_totals_and_every_open_discrepancy_linked_to_its_order(admin_client, reconciled):
    row, differs = reconciled()
    response = admin_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("orders_admin_manage", args=[differs.order.pk]) in html
    assert differs.order.reference in html
    assert "b" * 32 in html and "isp.bill_not_exist" in html
    assert len(response.context["discrepancies"]) == 4
    [wechat_day] = [d for d in response.context["days"] if d.provider == "wechatpay"]
    assert wechat_day.difference_fen == 24600 - 48800
    assert "¥-242.00" in html  # the day's gap shown, not hidden


def test_the_report_is_filtered_by_provider_kind_and_date(admin_client, reconciled):
    reconciled()
    only_alipay = admin_client.get(URL, {"provider": "alipay"}).context
    assert [d.kind for d in only_alipay["discrepancies"]] == ["download"]
    assert [d.provider for d in only_alipay["days"]] == ["alipay"]
    missing = admin_client.get(URL, {"kind": "missing"}).context["discrepancies"]
    assert [d.kind for d in missing] == ["missing"]
    assert admin_client.get(URL, {"date_from": "2026-12-05"}).context["discrepancies"] == []


def test_a_bad_filter_is_a_400_with_its_message(admin_client, reconciled):
    reconciled()
    response = admin_client.get(URL, {"date_from": "2026-12-05", "date_to": "2026-12-01"})
    assert response.status_code == 400
    assert "must not be after" in response.content.decode() or "不能晚于" in response.content.decode()
    assert admin_client.get(URL, {"date_from": "yesterday"}).status_code == 400


def test_only_staff_who_manage_orders_may_see_it(client, reconciled):
    reconciled()
    assert client.get(URL).status_code == 302  # anonymous: to the log-in page
    editor = VerifiedUserFactory()
    editor.user_permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    client.force_login(editor)
    response = client.get(URL)
    assert response.status_code in (302, 403)
    assert "reconciliation" not in response.get("Location", "")
    discrepancy = Discrepancy.objects.filter(kind="missing").first()
    client.post(
        reverse("orders_admin_reconciliation_resolve", args=[discrepancy.pk]),
        {f"d{discrepancy.pk}-note": "x"},
    )
    discrepancy.refresh_from_db()
    assert discrepancy.resolved_at is None


def test_the_report_runs_a_fixed_number_of_queries(admin_client, reconciled, django_assert_num_queries):
    reconciled()
    admin_client.get(URL)  # warm (Wagtail's own caches)
    # Session, user, profile; providers, discrepancies, days; the rest (6) is Wagtail's menu and
    # its items' permission checks, which other apps' menu items change (the hosts' "Reviews of my
    # homestay" item asks whether the user is a host).
    with django_assert_num_queries(12) as few:
        admin_client.get(URL)
    Discrepancy.objects.all().delete()
    ReconciliationDay.objects.all().delete()
    reconciled(extra_missing=5)
    with django_assert_num_queries(len(few.captured_queries)):
        admin_client.get(URL)


def test_staff_mark_a_discrepancy_resolved_with_a_note(admin_client, admin_user, reconciled):
    reconciled()
    discrepancy = Discrepancy.objects.get(kind="amount")
    url = reverse("orders_admin_reconciliation_resolve", args=[discrepancy.pk])

    refused = admin_client.post(url, {f"d{discrepancy.pk}-note": "  "})
    assert refused.status_code == 400
    discrepancy.refresh_from_db()
    assert discrepancy.resolved_at is None

    response = admin_client.post(
        url, {f"d{discrepancy.pk}-note": "WeChat coupon of ¥8", "next_query": "kind=amount"}
    )
    assert response.status_code == 302 and response["Location"] == URL + "?kind=amount"
    discrepancy.refresh_from_db()
    assert discrepancy.resolved_by == admin_user and discrepancy.note == "WeChat coupon of ¥8"
    assert discrepancy not in admin_client.get(URL).context["discrepancies"]
    shown = admin_client.get(URL, {"resolved": "on"})
    assert discrepancy in shown.context["discrepancies"] and "WeChat coupon" in shown.content.decode()
