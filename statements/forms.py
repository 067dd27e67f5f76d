from django.contrib.auth import get_user_model
from wagtail.admin.forms import WagtailAdminModelForm

from . import services


class SellerChoiceForm(WagtailAdminModelForm):
    """The seller is chosen among producers and hosts only, not every account."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "seller" in self.fields:
            self.fields["seller"].queryset = get_user_model().objects.filter(pk__in=services.sellers())
