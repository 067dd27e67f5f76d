"""The event page's admin form: ticket types that have sold are archived, never removed."""

from wagtail.admin.forms import WagtailAdminPageForm


class EventPageForm(WagtailAdminPageForm):
    def clean(self):
        cleaned_data = super().clean()
        from .models import TicketType, sold_ticket_type_message

        formset = self.formsets.get("ticket_types")
        removed = [form.instance for form in getattr(formset, "deleted_forms", []) if form.instance.pk]
        sold = set(
            TicketType.objects.filter(pk__in=[t.pk for t in removed]).sold().values_list("pk", flat=True)
        )
        if sold:
            self.add_error(None, sold_ticket_type_message([t for t in removed if t.pk in sold]))
        return cleaned_data
