from django.urls import path

from polls import views

app_name = "polls"

urlpatterns = [
    path("", views.PollListView.as_view(), name="list"),
    path("<slug:slug>/", views.PollDetailView.as_view(), name="detail"),
    path("<slug:slug>/ballot/", views.ballot, name="ballot"),
    path("<slug:slug>/vote/", views.vote, name="vote"),
    path("<slug:slug>/challenge/", views.challenge, name="challenge"),
]
