"""The farmer dashboard pages. Thin: forms check input, ``products.producers`` and
``products.dashboard.services`` decide. Every page needs a verified producer; anything of
another farmer is a 404."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.decorators import verified_email_required
from orders.reservations import local_today

from .. import producers, traceability
from ..models import Batch, Certification, FulfilmentStatus, ProducerStatus
from ..selectors import units_left
from . import selectors, services
from .forms import BatchForm, CertificationForm, FulfilmentForm, ProducerForm, ProductForm, RemainingForm

INVALID = 422
TOO_MANY = 429  # the farmer's photos of the last hour are over the hourly limit


def farmer_required(view):
    """Logged in (else to the log-in page) and a verified producer (else 403 with a way to apply)."""

    @wraps(view)
    @never_cache
    @login_required
    def wrapper(request, *args, **kwargs):
        producer = producers.producer_for(request.user)
        if producer is None or producer.status != ProducerStatus.VERIFIED:
            return render(request, "products/dashboard/not_a_farmer.html", {"producer": producer}, status=403)
        return view(request, producer, *args, **kwargs)

    return wrapper


def _render(request, template, context, status=200):
    return render(request, f"products/dashboard/{template}", context, status=status)


def _invalid(form):
    """The status of a form shown again with its errors."""
    return TOO_MANY if form.over_hourly_limit else INVALID


# --- asking to sell ---------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@verified_email_required
def apply(request):
    producer = producers.producer_for(request.user)
    if producer is not None and producer.is_verified:
        return redirect("farmer_products")
    if producer is not None:
        initial = ProducerForm.initial_for(producer)
    else:
        initial = {"display_name": request.user.display_name, "phone": request.user.phone}
    form = ProducerForm(request.POST or None, request.FILES or None, initial=initial, uploader=request.user)
    if request.method == "POST":
        if form.is_valid():
            try:
                producers.apply(request.user, **form.producer_data())
            except producers.ProducerError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Thank you! The tourism office will check your request soon."))
                return redirect("farmer_apply")
        return _render(request, "apply.html", {"form": form, "producer": producer}, status=_invalid(form))
    return _render(request, "apply.html", {"form": form, "producer": producer})


@farmer_required
@require_http_methods(["GET", "POST"])
def profile(request, producer):
    form = ProducerForm(
        request.POST or None,
        request.FILES or None,
        initial=ProducerForm.initial_for(producer),
        uploader=request.user,
    )
    if request.method == "POST":
        if form.is_valid():
            producers.update_profile(producer, **form.producer_data())
            messages.success(request, _("Your profile is saved."))
            return redirect("farmer_profile")
        return _render(
            request,
            "profile.html",
            {"form": form, "producer": producer, "tab": "profile"},
            status=_invalid(form),
        )
    return _render(request, "profile.html", {"form": form, "producer": producer, "tab": "profile"})


# --- products ---------------------------------------------------------------------------------


@farmer_required
def product_list(request, producer):
    return _products_page(request, producer)


def _products_page(request, producer, status=200):
    context = {"producer": producer, "rows": selectors.product_rows(producer), "tab": "products"}
    return _render(request, "products.html", context, status=status)


@farmer_required
@require_http_methods(["GET", "POST"])
def product_create(request, producer):
    form = ProductForm(
        request.POST or None,
        request.FILES or None,
        initial={"offers_pickup": True, "remaining": 0},
        uploader=request.user,
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                product = services.create_product(
                    producer, data=form.product_data(), new_photos=form.new_photos(), user=request.user
                )
            except services.DashboardError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    _("Saved as a draft. Send it for review when ready: it goes on sale once approved."),
                )
                return redirect("farmer_product_edit", pk=product.pk)
        return _render(
            request,
            "product_form.html",
            {"form": form, "producer": producer, "tab": "products"},
            status=_invalid(form),
        )
    return _render(request, "product_form.html", {"form": form, "producer": producer, "tab": "products"})


def _my_product_or_404(producer, pk):
    product = selectors.my_product(producer, pk)
    if product is None:
        raise Http404(_("Not found."))
    return product


@farmer_required
@require_http_methods(["GET", "POST"])
def product_edit(request, producer, pk):
    product = _my_product_or_404(producer, pk)
    row = selectors.product_row(producer, product)
    latest = product.get_latest_revision_as_object()
    existing_photos = [photo for photo in latest.photos.all() if photo.image_id]
    _attach_images(existing_photos)
    form = ProductForm(
        request.POST or None,
        request.FILES or None,
        initial=ProductForm.initial_for(latest, units_left(product)),
        existing_photos=existing_photos,
        uploader=request.user,
    )
    context = {
        "form": form,
        "producer": producer,
        "product": latest,
        "row": row,
        "existing_photos": existing_photos,
        "tab": "products",
    }
    if request.method == "POST":
        if not row.can_edit:
            form.is_valid()
            form.add_error(None, _("This product is being reviewed. Withdraw it from review to change it."))
            return _render(request, "product_form.html", context, status=409)
        if form.is_valid():
            try:
                services.update_product(
                    producer,
                    product.pk,
                    data=form.product_data(),
                    new_photos=form.new_photos(),
                    remove_image_ids=form.cleaned_data.get("remove_photos") or [],
                    user=request.user,
                )
            except services.NotFound:
                raise Http404(_("Not found.")) from None
            except services.DashboardError as exc:
                form.add_error(None, exc.message)
            else:
                if product.live:
                    messages.success(
                        request, _("Saved. Send the changes for review to show them in the shop.")
                    )
                else:
                    messages.success(request, _("Saved as a draft."))
                return redirect("farmer_product_edit", pk=product.pk)
        return _render(request, "product_form.html", context, status=_invalid(form))
    return _render(request, "product_form.html", context)


def _attach_images(photos):
    """Photos rebuilt from a revision carry only ``image_id``: load their images in one query."""
    from wagtail.images import get_image_model

    ids = {photo.image_id for photo in photos}
    images = get_image_model().objects.prefetch_renditions(selectors.THUMBNAIL).in_bulk(ids)
    for photo in photos:
        photo.image = images.get(photo.image_id)
    photos[:] = [photo for photo in photos if photo.image is not None]


@farmer_required
@require_POST
def product_submit(request, producer, pk):
    _my_product_or_404(producer, pk)
    try:
        services.submit_for_review(producer, pk, user=request.user)
    except services.NotFound:
        raise Http404(_("Not found.")) from None
    except services.DashboardError as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Sent for review. We will show the result here."))
        return redirect("farmer_products")
    return _products_page(request, producer, status=INVALID)


@farmer_required
@require_POST
def product_stock(request, producer, pk):
    _my_product_or_404(producer, pk)
    form = RemainingForm(request.POST)
    if not form.is_valid():
        for message in form.errors.get("remaining", []):
            messages.error(request, message)
        return _products_page(request, producer, status=INVALID)
    try:
        services.set_remaining(producer, pk, form.cleaned_data["remaining"], user=request.user)
    except services.NotFound:
        raise Http404(_("Not found.")) from None
    except services.DashboardError as exc:
        messages.error(request, exc.message)
        return _products_page(request, producer, status=INVALID)
    messages.success(request, _("Units left updated."))
    return redirect("farmer_products")


@farmer_required
@require_POST
def product_withdraw(request, producer, pk):
    _my_product_or_404(producer, pk)
    try:
        services.withdraw_from_review(producer, pk, user=request.user)
    except services.NotFound:
        raise Http404(_("Not found.")) from None
    except services.DashboardError as exc:
        messages.error(request, exc.message)
        return _products_page(request, producer, status=INVALID)
    messages.success(request, _("Withdrawn from review: you can change it now."))
    return redirect("farmer_product_edit", pk=pk)


# --- orders and sales -------------------------------------------------------------------------


@farmer_required
def orders(request, producer):
    return _orders_page(request, producer)


def _orders_page(request, producer, status=200):
    lines = list(selectors.lines_to_fulfil(producer))
    deliveries = selectors.homestay_deliveries(lines)
    for line in lines:
        line.final_step = services.final_step(line)
        line.step = line.fulfilment.status if hasattr(line, "fulfilment") else ""
        line.homestay_delivery = deliveries.get(line.pk)
    return _render(
        request,
        "orders.html",
        {
            "producer": producer,
            "open_lines": [line for line in lines if line.step in ("", FulfilmentStatus.PACKED)],
            "done_lines": [line for line in lines if line.step not in ("", FulfilmentStatus.PACKED)],
            "tab": "orders",
        },
        status=status,
    )


@farmer_required
@require_POST
def line_update(request, producer, pk):
    if selectors.my_line(producer, pk) is None:
        raise Http404(_("Not found."))
    form = FulfilmentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please choose a step."))
        return _orders_page(request, producer, status=INVALID)
    try:
        services.update_fulfilment(
            producer,
            pk,
            form.cleaned_data["status"],
            tracking_number=form.cleaned_data["tracking_number"],
            user=request.user,
        )
    except services.NotFound:
        raise Http404(_("Not found.")) from None
    except services.DashboardError as exc:
        messages.error(request, exc.message)
        return _orders_page(request, producer, status=INVALID)
    messages.success(request, _("Order updated."))
    return redirect("farmer_orders")


@farmer_required
def sales(request, producer):
    return _render(
        request,
        "sales.html",
        {"producer": producer, "sales": selectors.sales_this_month(producer), "tab": "sales"},
    )


# --- traceability: batches, certificates, QR codes ---------------------------------------------


def _trace_page(request, producer, product, *, batch_form=None, cert_form=None, status=200):
    batches = list(product.batches.select_related("village")[:20])
    for batch in batches:
        batch.public_url = traceability.batch_url(batch, request=request)
    context = {
        "producer": producer,
        "product": product,
        "batches": batches,
        "certifications": list(Certification.objects.for_product(product).order_by("-valid_until", "pk")),
        "today": local_today(),
        "batch_form": batch_form
        or BatchForm(initial={"unit": product.unit, "village": product.origin_village_id}),
        "cert_form": cert_form or CertificationForm(),
        "tab": "products",
    }
    return _render(request, "trace.html", context, status=status)


@farmer_required
def product_trace(request, producer, pk):
    return _trace_page(request, producer, _my_product_or_404(producer, pk))


@farmer_required
@require_POST
def batch_create(request, producer, pk):
    product = _my_product_or_404(producer, pk)
    today = local_today()
    form = BatchForm(request.POST, today=today)
    if form.is_valid():
        try:
            batch = traceability.create_batch(product, today=today, **form.cleaned_data)
        except traceability.TraceabilityError as exc:
            for field, message in exc.errors.items():
                form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(
                request, _("Batch %(code)s added. Print its QR code for the packages.") % {"code": batch.code}
            )
            return redirect("farmer_product_trace", pk=product.pk)
    return _trace_page(request, producer, product, batch_form=form, status=INVALID)


@farmer_required
@require_POST
def certification_create(request, producer, pk):
    product = _my_product_or_404(producer, pk)
    form = CertificationForm(request.POST, request.FILES, uploader=request.user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            traceability.create_certification(
                producer,
                product=None if data["applies_to_all"] else product,
                kind=data["kind"],
                name=data["name"],
                number=data["number"],
                issuer=data["issuer"],
                valid_from=data["valid_from"],
                valid_until=data["valid_until"],
                checked_image=data.get("image"),
                user=request.user,
            )
        except traceability.TraceabilityError as exc:
            for field, message in exc.errors.items():
                form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, _("Certificate added."))
            return redirect("farmer_product_trace", pk=product.pk)
    status = TOO_MANY if form.over_hourly_limit else INVALID
    return _trace_page(request, producer, product, cert_form=form, status=status)


@farmer_required
def batch_qr(request, producer, code, fmt):
    """The QR code of one of the farmer's batches, to print on its packages (PNG or SVG)."""
    batch = Batch.objects.filter(code=code.upper(), product__producer=producer).first()
    if batch is None or fmt not in ("png", "svg"):
        raise Http404(_("Not found."))
    url = traceability.batch_url(batch, request=request)
    if fmt == "svg":
        response = HttpResponse(traceability.batch_qr_svg(batch, url), content_type="image/svg+xml")
    else:
        response = HttpResponse(traceability.batch_qr_png(batch, url), content_type="image/png")
    response["Content-Disposition"] = f'attachment; filename="batch-{batch.code}.{fmt}"'
    return response
