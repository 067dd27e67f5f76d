"""Timed entry and the spot gate; included inside the language prefixes (``/entry/…``, ``/en/entry/…``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("entry/<int:spot_id>/", views.book_entry, name="gates_book"),
    path("entry/<int:spot_id>/gate/", views.spot_gate, name="gates_gate"),
    path("entry/<int:spot_id>/count/", views.spot_counter, name="gates_counter"),
]
