from django.urls import path

from dialogue_portal.previews import views

app_name = "previews"

urlpatterns = [
    path("preview/<str:token>/", views.page, name="page"),
    path("preview/<str:token>/files/<int:pk>/", views.attachment, name="file"),
    path("preview/<str:token>/banner/", views.banner, name="banner"),
    path("preview/<str:token>/banner/<int:width>w/", views.banner, name="rendition"),
]
