from django.contrib import admin
from django.urls import include, path

from frontline.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("", include("frontline.accounts.urls")),
    path("w/<slug:slug>/", include("frontline.tickets.urls")),
    path("w/<slug:slug>/assistant/", include("frontline.assistant.urls")),
    path("w/<slug:slug>/email/", include("frontline.email.urls")),
    path("support/<slug:slug>/", include("frontline.portal.urls")),
]
