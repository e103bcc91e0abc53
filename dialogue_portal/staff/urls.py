from django.contrib import admin
from django.urls import path

from dialogue_portal.staff import views

app_name = "staff"

# Mounted under /admin/ ahead of the admin site's own URLs (dialogue_portal/urls.py).
urlpatterns = [
    path("preferences/", admin.site.admin_view(views.preferences), name="preferences"),
    path("figures/", admin.site.admin_view(views.figures), name="figures"),
    path("figures.csv", admin.site.admin_view(views.figures_csv), name="figures-csv"),
]
