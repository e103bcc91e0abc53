from django.urls import path

from dialogue_portal.oai import views

app_name = "oai"

urlpatterns = [path("", views.endpoint, name="endpoint")]
