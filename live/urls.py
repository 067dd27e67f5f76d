from django.urls import path

from . import views

urlpatterns = [
    path("live/", views.session_index, name="live_index"),
    path("live/new/", views.session_schedule, name="live_schedule"),
    path("live/mine/", views.my_sessions, name="live_mine"),
    path("live/<int:pk>/", views.session_page, name="live_session"),
    path("live/<int:pk>/pins/", views.session_pins, name="live_pins"),
    path("live/<int:pk>/add/<int:pin_id>/", views.session_add, name="live_session_add"),
]
