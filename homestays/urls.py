"""The stay's "add to basket" post; included inside the language prefixes (``/basket/add/``)."""

from django.urls import path

from . import views

urlpatterns = [
    # Named as when the basket app answered it, so links and forms keep working.
    path("basket/add/", views.add_stay, name="orders_basket_add"),
]
