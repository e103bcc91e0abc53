from django.contrib import admin
from django.urls import path

from dialogue_portal.archive import views

app_name = "archive"

urlpatterns = [
    path("import/", admin.site.admin_view(views.import_view), name="import"),
    path("import/<int:pk>/", admin.site.admin_view(views.job_view), name="job"),
    path("import/<int:pk>/confirm/", admin.site.admin_view(views.confirm_view), name="confirm"),
    path("export/", admin.site.admin_view(views.export_view), name="export"),
]
