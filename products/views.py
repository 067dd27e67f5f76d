"""The shop's routes (called by ``ShopPage``): the product list and a product's page with its
"add to basket" form. Thin: filters, stock and delivery rules live in selectors and lines."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from orders import basket as basket_service
from orders.reservations import local_today
from orders.views import add_to_basket
from town.cache import lazy_value, query_key
from town.translations import locale_of

from . import selectors, services, traceability
from .forms import AddToBasketForm, ShopFilterForm

PRODUCTS_PER_PAGE = 12


def _default_language():
    return selectors.default_language()


def _language(shop):
    return locale_of(shop).language_code


def product_list(request, shop):
    if request.GET:
        form = ShopFilterForm(request.GET, locale=locale_of(shop))
        invalid = not form.is_valid()
    else:
        # The blank form is shown only by the listing's fragment: made when it misses.
        form = lazy_value(lambda: ShopFilterForm(locale=locale_of(shop)))
        invalid = False

    def listing():
        filters = form.filters(local_today().month) if request.GET else selectors.ShopFilters()
        paginator = Paginator(selectors.shop_products(filters), PRODUCTS_PER_PAGE)
        page_obj = paginator.get_page(request.GET.get("page"))
        base = shop.get_url(request)
        products = _with_urls(selectors.localize_products(page_obj.object_list, _language(shop)), base)
        return {"page_obj": page_obj, "products": products, "result_count": paginator.count}

    # Read only when the page's cached listing misses (showingcache in the template): a valid
    # query, the same for every visitor, is its key; one with errors renders afresh.
    found = lazy_value(listing)
    known = dict.fromkeys([*ShopFilterForm.base_fields, "page"], _any)
    listing_key = None if invalid else query_key(request, **known)
    response = shop.render(
        request,
        template="products/shop_page.html",
        context_overrides={
            "form": form,
            "listing_key": listing_key,
            **{name: lazy_value(lambda name=name: found()[name]) for name in LISTING},
        },
    )
    response.status_code = 400 if invalid else 200
    return response


LISTING = ("page_obj", "products", "result_count")


def _any(value):
    # The form has checked the filters; a page number out of range shows the last page.
    return len(value) <= 100


def product_detail(request, shop, product_id):
    language = _language(shop)
    # Remembered until the product, its stock or a claim on it changes (selectors.product_for_page).
    product = selectors.product_for_page(product_id, language)
    if product is None:
        original = selectors.canonical_product(product_id, live_only=True)
        if original is not None and original.pk != product_id:
            return redirect(f"{shop.get_url(request)}{original.pk}/{original.slug}/")
        raise Http404(_("This product is not on sale."))
    form, status = None, 200
    stays = None
    if "homestay" in product.delivery_options:
        stays = services.stay_periods(request.user, basket=basket_service.get_basket(request))
    if request.method == "POST":
        form = AddToBasketForm(request.POST, product=product, stays=stays)
        if form.is_valid():
            refused = add_to_basket(request, form.line_data(product))
            if refused is None:
                return redirect("orders_basket")
            refused.add_to_form(form)
            status = refused.status
        else:
            # Bad input answers 422 on every kind's page, as the line kind's refusal does.
            status = 422
    elif request.method != "GET":
        from django.http import HttpResponseNotAllowed

        return HttpResponseNotAllowed(["GET", "POST"])
    form = form or AddToBasketForm(product=product, stays=stays)
    base = shop.get_url(request)
    product.url = f"{base}{product.pk}/{product.slug}/"
    # Read only when a cached fragment of the page misses (showingcache in the template).
    details = lazy_value(lambda: selectors.product_page_details(product, language))
    others = lazy_value(lambda: _with_urls(selectors.other_products_for_page(product, language), base))
    response = shop.render(
        request,
        template="products/product_page.html",
        context_overrides={
            "product": product,
            "details": details,
            "producer": product.producer,
            "other_products": others,
            "form": form,
            # The blank form's fields are the same for all but a visitor with a stay.
            "form_key": None if form.is_bound or stays else "blank",
            "units_left": max(0, product.units_left),
            "stays": stays or [],
        },
    )
    response.status_code = status
    return response


def _with_urls(products, base):
    for product in products:
        product.url = f"{base}{product.pk}/{product.slug}/"
    return products


def batch_detail(request, shop, code):
    """A batch's traceability page: what the QR code on its packages opens."""
    batch = traceability.batch_by_code(code)
    if batch is None:
        raise Http404(_("No batch has this code."))
    product = batch.product
    language = _language(shop)
    (product,) = selectors.localize_products([product], language)
    product.url = f"{shop.get_url(request)}{product.pk}/{product.slug}/"
    today = local_today()
    village = batch.village
    if village is not None and language != _default_language():
        village_name = selectors.village_names(language).get(village.translation_key, village.name)
    else:
        village_name = village.name if village else product.display_village
    return shop.render(
        request,
        template="products/batch_page.html",
        context_overrides={
            "batch": batch,
            "product": product,
            "producer": product.producer,
            "village_name": village_name,
            "certifications": traceability.valid_certifications(product, today=today),
            "today": today,
        },
    )
