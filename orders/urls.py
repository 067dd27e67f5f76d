"""Basket, checkout, "My trips" and waiting-list pages; included inside the language prefixes."""

from django.urls import path

from . import views, waitlist_views

urlpatterns = [
    path("basket/", views.basket_page, name="orders_basket"),
    path("basket/remove/<int:line_id>/", views.basket_remove, name="orders_basket_remove"),
    path("checkout/", views.checkout_page, name="orders_checkout"),
    path("trips/", views.trips, name="orders_trips"),
    path("trips/<str:ref>/", views.order_detail, name="orders_order_detail"),
    path("trips/<str:ref>/invoice/", views.order_invoice, name="orders_order_invoice"),
    path("trips/<str:ref>/receipt.pdf", views.order_receipt, name="orders_order_receipt"),
    path("trips/<str:ref>/cancel/", views.order_cancel, name="orders_order_cancel"),
    path("trips/<str:ref>/pay/", views.order_pay_part, name="orders_order_pay_part"),
    path("trips/<str:ref>/lines/<int:line_id>/cancel/", views.line_cancel_page, name="orders_line_cancel"),
    path("trips/<str:ref>/lines/<int:line_id>/change/", views.line_change_page, name="orders_line_change"),
    # Short links for text messages (views.short_link, views.provider_link).
    path("o/<str:ref>/", views.short_link, name="orders_short_link"),
    path("p/<str:ref>/", views.provider_link, name="orders_provider_link"),
    path("waitlist/join/", waitlist_views.join_page, name="orders_waitlist_join"),
    path("waitlist/<int:entry_id>/", waitlist_views.offer_page, name="orders_waitlist_offer"),
    path("waitlist/<int:entry_id>/leave/", waitlist_views.leave_page, name="orders_waitlist_leave"),
]
