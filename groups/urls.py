from django.urls import path

from . import views

urlpatterns = [
    path("groups/enquiry/", views.enquiry, name="groups_enquiry"),
    path("groups/enquiry/sent/", views.enquiry_sent, name="groups_enquiry_sent"),
]
