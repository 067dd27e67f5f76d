"""What a buyer needs on a 发票 (VAT invoice): one request per order, captured at checkout or
later on the order's page, until staff issue the invoice and record its number.

The rules (who may change it, the tax number's check character) are in ``orders.invoices``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class InvoiceKind(models.TextChoices):
    PERSONAL = "personal", _("Personal")
    COMPANY = "company", _("Company or organisation")


class InvoiceStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    INVOICED = "invoiced", _("Invoiced")


class InvoiceRequest(models.Model):
    order = models.OneToOneField(
        "orders.Order", verbose_name=_("order"), on_delete=models.CASCADE, related_name="invoice_request"
    )
    kind = models.CharField(_("type"), max_length=16, choices=InvoiceKind.choices)
    title = models.CharField(_("invoice title (抬头)"), max_length=150)
    # 统一社会信用代码 (GB 32100-2015), 18 characters; empty for a personal invoice without one.
    tax_number = models.CharField(_("tax number"), max_length=18, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    bank_name = models.CharField(_("bank"), max_length=100, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail for the e-invoice"), max_length=254)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=InvoiceStatus.choices,
        default=InvoiceStatus.REQUESTED,
        db_index=True,
    )
    invoice_number = models.CharField(_("invoice number"), max_length=40, blank=True)
    invoiced_at = models.DateTimeField(_("invoiced at"), null=True, blank=True)
    invoiced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invoiced by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("invoice request")
        verbose_name_plural = _("invoice requests")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # An issued invoice always has its number.
            models.CheckConstraint(
                condition=Q(status="requested") | ~Q(invoice_number=""),
                name="orders_invoicerequest_invoiced_has_number",
            ),
            # A company's invoice always carries its tax number.
            models.CheckConstraint(
                condition=Q(kind="personal") | ~Q(tax_number=""),
                name="orders_invoicerequest_company_has_tax_number",
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.order_id})"

    @property
    def is_invoiced(self) -> bool:
        return self.status == InvoiceStatus.INVOICED
