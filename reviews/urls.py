from django.urls import path

from . import views

urlpatterns = [
    path("reviews/mine/", views.reviews_for_me, name="reviews_for_me"),
    path("reviews/write/<int:line_id>/", views.write_review, name="reviews_write"),
    path("reviews/<int:review_id>/report/", views.report_review, name="reviews_report"),
    path("reviews/<int:review_id>/reply/", views.reply_to_review, name="reviews_reply"),
]
