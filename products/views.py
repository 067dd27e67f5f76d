"""The shop's routes (called by ``ShopPage``): the product list and a product's page with its
"add to basket" form. Thin: filters, stock and delivery rules live in selectors and lines."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from orders import basket as basket_service
from orders.reservations import local_today
from orders.views import add_to_basket
from town.translations import locale_of

from . import selectors, services, traceability
from .forms import AddToBasketForm, ShopFilterForm

PRODUCTS_PER_PAGE = 12


def _default_language():
    return selectors.default_language()


def _language(shop):
    return locale_of(shop).language_code


def product_list(request, shop):
    form = ShopFilterForm(request.GET or None, locale=locale_of(shop))
    today = local_today()
    status = 400 if form.is_bound and not form.is_valid() else 200
    paginator = Paginator(selectors.shop_products(form.filters(today.month)), PRODUCTS_PER_PAGE)
    page_obj = paginator.get_page(request.GET.get("page"))
    products = selectors.localize_products(page_obj.object_list, _language(shop))
    base = shop.get_url(request)
    for product in products:
        product.url = f"{base}{product.pk}/{product.slug}/"
    response = shop.render(
        request,
        template="products/shop_page.html",
        context_overrides={
            "form": form,
            "page_obj": page_obj,
            "products": products,
            "result_count": paginator.count,
        },
    )
    response.status_code = status
    return response


def product_detail(request, shop, product_id):
    product = selectors.product_detail(product_id, photos=False)
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
    language = _language(shop)
    others = selectors.other_products(product, photos=False)
    selectors.with_photos([product, *others])
    # The product and the others in the page's language at once.
    product, *others = selectors.localize_products([product, *others], language)
    today = local_today()
    base = shop.get_url(request)
    for item in [product, *others]:
        item.url = f"{base}{item.pk}/{item.slug}/"
    response = shop.render(
        request,
        template="products/product_page.html",
        context_overrides={
            "product": product,
            "photos": list(product.photos.all()),
            "producer": product.producer,
            "other_products": others,
            "form": form,
            "units_left": max(0, product.units_left),
            "season_months": selectors.month_names(product.months_in_season),
            "in_season": product.in_season(today.month),
            "latest_batch": traceability.latest_batch_of(
                product, selectors.village_names(language) if language != _default_language() else None
            ),
            "certifications": traceability.certification_badges(product),
            "stays": stays or [],
        },
    )
    response.status_code = status
    return response


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
