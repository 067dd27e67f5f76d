from django.urls import path

from . import views

urlpatterns = [
    path("groups/enquiry/", views.enquiry, name="groups_enquiry"),
    path("groups/enquiry/sent/", views.enquiry_sent, name="groups_enquiry_sent"),
    path("groups/quote/<str:token>/", views.quote, name="groups_quote"),
    path("groups/roster-template.<str:fmt>", views.roster_template, name="groups_roster_template"),
]
