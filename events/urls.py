"""Gate check-in pages; included inside the language prefixes (``/gate/``, ``/en/gate/``)."""

from django.urls import path

from . import gate_views

urlpatterns = [
    path("gate/", gate_views.gate_index, name="events_gate"),
    path("gate/<str:key>/", gate_views.gate_scan, name="events_gate_scan"),
]
