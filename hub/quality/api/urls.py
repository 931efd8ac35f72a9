from django.urls import path

from . import views

urlpatterns = [
    path("feedback/", views.FeedbackView.as_view(), name="quality-feedback"),
    path("issues/", views.IssueList.as_view(), name="quality-issues"),
    path("scores/", views.ScoreView.as_view(), name="quality-scores"),
]
