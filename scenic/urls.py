"""Included inside the language prefixes: /now/ and /en/now/, /parking/ (staff)."""

from django.urls import path

from . import views

urlpatterns = [
    path("now/", views.right_now, name="scenic_now"),
    path("parking/", views.parking_counter, name="scenic_parking"),
]
