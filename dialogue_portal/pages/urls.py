from django.urls import path

from dialogue_portal.pages import views

app_name = "pages"

urlpatterns = [
    path("about/", views.site_page, {"role": "about"}, name="about"),
    path("support/", views.site_page, {"role": "support"}, name="support"),
    path("contact/", views.site_page, {"role": "contact"}, name="contact"),
    path("for/<slug:slug>/", views.audience_page, name="audience"),
    path("pages/<slug:slug>/", views.page_detail, name="detail"),
]
