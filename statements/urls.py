"""The farmer's statement, under /farmer/statement/ beside the dashboard (products.dashboard)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.statement, name="farmer_statement"),
    path("export.<str:fmt>", views.statement_export, name="farmer_statement_export"),
]
