"""The event page's admin form: ticket types that have sold are archived, never removed."""

from django.utils.translation import gettext as _
from wagtail.admin.forms import WagtailAdminPageForm


def sold_ticket_type_message(ticket_types):
    return _(
        "Ticket types that have been sold cannot be removed: %(names)s. Tick “archived” instead: "
        "it stops their sale and keeps them on their orders."
    ) % {"names": ", ".join(t.name for t in ticket_types)}


class EventPageForm(WagtailAdminPageForm):
    def clean(self):
        cleaned_data = super().clean()
        formset = self.formsets.get("ticket_types")
        removed = [form.instance for form in getattr(formset, "deleted_forms", []) if form.instance.pk]
        if removed:
            # The formset's model is TicketType (this form is the base form of events.models, so
            # it does not import them).
            ticket_types = formset.model.objects.filter(pk__in=[t.pk for t in removed])
            sold = set(ticket_types.sold().values_list("pk", flat=True))
            if sold:
                self.add_error(None, sold_ticket_type_message([t for t in removed if t.pk in sold]))
        return cleaned_data
