"""The staff form on a problem report's admin page: who handles it, the reply the visitor sees,
and closing it. Saving runs ``services`` (each change a step in the report's history), never a
plain ``form.save()``."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from .models import MAX_TEXT, ProblemReport, ReportStatus
from .selectors import handlers


class ProblemReportAdminForm(WagtailAdminModelForm):
    reply_text = forms.CharField(
        label=_("Reply to the visitor"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "The visitor sees this on the report's page and is told by text message or e-mail. "
            "Changing it sends the new reply."
        ),
    )
    close = forms.BooleanField(
        label=_("Close the report"),
        required=False,
        help_text=_("When nothing more is to be done. The visitor still sees the reply."),
    )

    class Meta:
        model = ProblemReport
        fields = ["assigned_to"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = handlers()
        self.fields["assigned_to"].required = False
        self.fields["reply_text"].initial = self.instance.reply
        if self.instance.status == ReportStatus.CLOSED:
            for field in self.fields.values():
                field.disabled = True

    def clean(self):
        cleaned = super().clean()
        if self.instance.status == ReportStatus.CLOSED:
            raise forms.ValidationError(_("This report is closed."), code="closed")
        if cleaned.get("close") and not (cleaned.get("reply_text") or "").strip():
            self.add_error("reply_text", _("Reply to the visitor before closing the report."))
        return cleaned
