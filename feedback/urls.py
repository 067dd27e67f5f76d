from django.urls import path

from . import views

urlpatterns = [
    path("report-a-problem/", views.report_problem, name="feedback_report"),
    path("report-a-problem/<str:ref>/", views.report_status, name="feedback_status"),
]
