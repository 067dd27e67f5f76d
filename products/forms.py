"""Input of the shop pages: the listing's filters and the "add to basket" form. The rules of a
basket line live in ``products.lines``; these forms only collect and present."""

from django import forms
from django.utils.translation import gettext_lazy as _

from orders.money import format_fen
from town.forms import ContentChoiceField
from town.models import Village

from .lines import DELIVERY_CHOICES, MAX_PRODUCT_QUANTITY
from .models import ProductCategory
from .selectors import SORT_LABELS, ShopFilters, shipping_rates

MAX_PRICE_YUAN = 100_000


class ShopFilterForm(forms.Form):
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", _("All"))] + list(ProductCategory.choices), required=False
    )
    village = ContentChoiceField(label=_("Village"), queryset=None, required=False, empty_label=_("All"))
    in_season = forms.BooleanField(label=_("In season now"), required=False)
    price_min = forms.IntegerField(
        label=_("Minimum price (¥)"), min_value=0, max_value=MAX_PRICE_YUAN, required=False
    )
    price_max = forms.IntegerField(
        label=_("Maximum price (¥)"), min_value=0, max_value=MAX_PRICE_YUAN, required=False
    )
    sort = forms.ChoiceField(label=_("Sort by"), choices=list(SORT_LABELS.items()), required=False)

    def __init__(self, *args, locale=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = Village.objects.in_locale(locale)

    def clean(self):
        data = super().clean()
        low, high = data.get("price_min"), data.get("price_max")
        if low is not None and high is not None and high < low:
            self.add_error("price_max", _("The maximum price must not be below the minimum."))
        return data

    def filters(self, month):
        """The selectors' filters for a valid form (none for an unbound or invalid one)."""
        if not self.is_bound or not self.is_valid():
            return ShopFilters()
        data = self.cleaned_data
        return ShopFilters(
            category=data.get("category") or "",
            village=data.get("village"),
            in_season_month=month if data.get("in_season") else None,
            price_min_fen=data["price_min"] * 100 if data.get("price_min") is not None else None,
            price_max_fen=data["price_max"] * 100 if data.get("price_max") is not None else None,
            sort=data.get("sort") or "new",
        )


class AddToBasketForm(forms.Form):
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=MAX_PRODUCT_QUANTITY, initial=1)
    delivery = forms.ChoiceField(label=_("Delivery"), widget=forms.RadioSelect)
    delivery_date = forms.DateField(
        label=_("Delivery day (to your homestay)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    shipping_region = forms.ChoiceField(label=_("Ship to region"), required=False)
    shipping_address = forms.CharField(
        label=_("Shipping address"), required=False, max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, product, stays=None, **kwargs):
        """``stays``: the visitor's stay periods; without one, delivery to a homestay is not offered."""
        super().__init__(*args, **kwargs)
        options = product.delivery_options
        if stays is not None and not stays and not self.is_bound:
            # Not offered without a stay; a posted choice still reaches the line's own clear refusal.
            options = [code for code in options if code != "homestay"]
        self.fields["delivery"].choices = [(code, DELIVERY_CHOICES[code]) for code in options]
        if options:
            self.fields["delivery"].initial = options[0]
        if "homestay" not in options:
            del self.fields["delivery_date"]
        elif stays:
            self.fields["delivery_date"].widget.attrs.update(
                min=min(start for start, _end in stays).isoformat(),
                max=max(end for _start, end in stays).isoformat(),
            )
        if "shipping" in options:
            self.fields["shipping_region"].choices = [("", "—")] + [
                (region, f"{region} (+{format_fen(fee_fen)})") for region, fee_fen in shipping_rates()
            ]
        else:
            del self.fields["shipping_region"]
            del self.fields["shipping_address"]

    def line_data(self, product):
        data = {"kind": "product", "product_id": product.pk, **self.cleaned_data}
        if data.get("delivery_date"):
            data["delivery_date"] = data["delivery_date"].isoformat()
        return {key: value for key, value in data.items() if value not in (None, "")}
