"""The booking post of an experience page. Thin: the tour line kind and the basket decide."""

from django.contrib import messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from orders import basket as basket_service
from orders.exceptions import ReservationError
from orders.lines import LineInvalid

from .forms import ExperienceBookingForm


def book_experience(page, request):
    """Add the chosen slot to the visitor's basket; on a refusal, show the page again with the
    reasons (422 for bad input, 409 when the slot cannot be had) and nothing added."""
    form = ExperienceBookingForm(request.POST)
    status = 422
    if form.is_valid():
        basket = basket_service.get_basket(request, create=True)
        try:
            basket_service.add_line(basket, form.line_data())
        except LineInvalid as exc:
            for field, message in exc.errors.items():
                form.add_error(field if field in form.fields else None, message)
        except ReservationError as exc:
            form.add_error(None, str(exc.message))
            status = 409
        else:
            messages.success(request, _("Added to your basket."))
            return redirect("orders_basket")
    context = page.get_context(request)
    context["booking_form"] = form
    return TemplateResponse(request, page.get_template(request), context, status=status)
