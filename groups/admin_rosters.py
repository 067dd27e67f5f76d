"""A quote's roster in the Wagtail admin: a panel on the quote's edit page (who uploaded it, how
many people, links to export it), an upload for staff (when the organiser e-mails the file
instead; the same checks, recorded as theirs) and the export for the insurer (XLSX or CSV). Staff with
``groups.export_full_ids`` get the full document numbers (each such export logged in the quote's
history); other staff who may see quotes get them masked."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from wagtail.admin.panels import Panel

from orders.reservations import local_today

from . import rosters, services
from .forms import RosterUploadForm
from .models import Quote, Roster

FORMATS = ("xlsx", "csv")


def roster_export(request, pk, fmt):
    if fmt not in FORMATS:
        raise Http404
    if not request.user.has_perm("groups.view_quote"):
        raise PermissionDenied
    quote = get_object_or_404(Quote.objects.select_related("enquiry"), pk=pk)
    full = request.user.has_perm("groups.export_full_ids")
    content, content_type, filename = services.roster_export(quote, user=request.user, full=full, fmt=fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
def roster_upload(request, pk):
    if not request.user.has_perm("groups.change_quote"):
        raise PermissionDenied
    quote = get_object_or_404(Quote.objects.select_related("enquiry"), pk=pk)
    form, errors, status = RosterUploadForm(), [], 200
    if request.method == "POST":
        form = RosterUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                roster = services.upload_roster(
                    quote, form.cleaned_data["file"], today=local_today(), by_user=request.user
                )
            except rosters.RosterRejected as exc:
                errors, status = exc.errors, 400
            else:
                count = roster.participants.count()
                messages.success(request, _("Roster saved: %(n)d participants.") % {"n": count})
                return redirect("groups_quotes:edit", quote.pk)
        else:
            status = 400
    context = {
        "quote": quote,
        "form": form,
        "roster_errors": errors,
        "page_title": _("Upload the roster of %(quote)s") % {"quote": quote},
    }
    return render(request, "groups/admin/roster_upload.html", context, status=status)


class RosterPanel(Panel):
    """What the organiser uploaded, on the quote's edit page."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "groups/admin/roster_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            quote = self.instance
            roster = (
                Roster.objects.filter(quote_id=quote.pk).select_related("uploaded_by").first()
                if quote.pk
                else None
            )
            context.update(
                {
                    "roster": roster,
                    "people": roster.participants.count() if roster else 0,
                    "full": self.request.user.has_perm("groups.export_full_ids"),
                    "upload_url": reverse("groups_roster_upload", args=[quote.pk]) if quote.pk else "",
                    "links": [
                        (fmt.upper(), reverse("groups_roster_export", args=[quote.pk, fmt]))
                        for fmt in FORMATS
                    ]
                    if roster
                    else [],
                }
            )
            return context
