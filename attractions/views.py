"""The booking post of an experience page. Thin: the tour line kind and the basket decide."""

from django.shortcuts import redirect
from django.template.response import TemplateResponse

from orders.views import add_to_basket

from .forms import ExperienceBookingForm


def book_experience(page, request):
    """Add the chosen slot to the visitor's basket; on a refusal, show the page again with the
    reasons (422 for bad input, 409 when the slot cannot be had) and nothing added."""
    form = ExperienceBookingForm(request.POST)
    status = 422
    if form.is_valid():
        refused = add_to_basket(request, form.line_data())
        if refused is None:
            return redirect("orders_basket")
        refused.add_to_form(form)
        status = refused.status
    context = page.get_context(request)
    context["booking_form"] = form
    return TemplateResponse(request, page.get_template(request), context, status=status)
