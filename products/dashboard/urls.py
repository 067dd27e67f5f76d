"""The farmer dashboard, at /farmer/ inside the language prefixes."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.product_list, name="farmer_products"),
    path("apply/", views.apply, name="farmer_apply"),
    path("profile/", views.profile, name="farmer_profile"),
    path("products/new/", views.product_create, name="farmer_product_create"),
    path("products/<int:pk>/", views.product_edit, name="farmer_product_edit"),
    path("products/<int:pk>/stock/", views.product_stock, name="farmer_product_stock"),
    path("products/<int:pk>/submit/", views.product_submit, name="farmer_product_submit"),
    path("products/<int:pk>/withdraw/", views.product_withdraw, name="farmer_product_withdraw"),
    path("products/<int:pk>/trace/", views.product_trace, name="farmer_product_trace"),
    path("products/<int:pk>/trace/batch/", views.batch_create, name="farmer_batch_create"),
    path(
        "products/<int:pk>/trace/certificate/", views.certification_create, name="farmer_certification_create"
    ),
    path("batches/<str:code>/qr.<str:fmt>", views.batch_qr, name="farmer_batch_qr"),
    path("orders/", views.orders, name="farmer_orders"),
    path("orders/<int:pk>/", views.line_update, name="farmer_line_update"),
    path("sales/", views.sales, name="farmer_sales"),
]
