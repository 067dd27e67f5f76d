from django import forms
from django.utils.translation import gettext_lazy as _

from .models import LiveSession


class SessionForm(forms.ModelForm):
    """A farmer's own session; the host is the farmer, approval is staff's."""

    class Meta:
        model = LiveSession
        fields = ["title", "platform", "stream_url", "replay_url", "starts_at", "ends_at", "description"]
        widgets = {
            "starts_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "ends_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "description": forms.Textarea(attrs={"rows": 3}),
        }


class PinForm(forms.Form):
    product = forms.ModelChoiceField(label=_("Product"), queryset=None)
    price_yuan = forms.DecimalField(
        label=_("Session price (yuan)"), min_value=0, max_digits=9, decimal_places=2
    )
    stock = forms.IntegerField(label=_("Units set aside"), min_value=1, max_value=999)

    def __init__(self, *args, products, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products

    @property
    def price_fen(self):
        return int(self.cleaned_data["price_yuan"] * 100)
