from django.contrib import admin
from django.urls import include, path

from frontline.api import api
from frontline.chat import urls as chat_urls
from frontline.chat import views as chat_views
from frontline.email import provider_webhooks, webhook
from frontline.feedback import urls as feedback_urls
from frontline.knowledge import urls as knowledge_urls
from frontline.lib import notice_relay
from frontline.people import views as people_views
from frontline.tickets import views as ticket_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path(notice_relay.PATH.lstrip("/"), notice_relay.receive),
    path("inbound/email/<str:token>/", webhook.receive, name="email_webhook"),
    path("inbound/email/<str:token>/<slug:provider>/", provider_webhooks.receive),
    path("", include("frontline.accounts.urls")),
    path("w/<slug:slug>/", include("frontline.tickets.urls")),
    path("w/<slug:slug>/assistant/", include("frontline.assistant.urls")),
    path("w/<slug:slug>/email/", include("frontline.email.urls")),
    path("w/<slug:slug>/feedback/", include("frontline.feedback.urls")),
    path("w/<slug:slug>/wall/", include("frontline.people.urls")),
    path("w/<slug:slug>/kb/", include("frontline.knowledge.urls")),
    path("w/<slug:slug>/chats/", include("frontline.chat.urls")),
    path("chat/file/<str:token>", chat_views.chat_file, name="chat_file"),
    path("files/inline/<str:token>", ticket_views.inline_image, name="inline_image"),
    path("chat/<str:key>/", include(chat_urls.public_urlpatterns)),
    path("support/<slug:slug>/articles/", include(knowledge_urls.public_urlpatterns)),
    path("cal/<str:token>.ics", people_views.celebrations_feed, name="celebrations_feed"),
    path("support/<slug:slug>/", include("frontline.portal.urls")),
    path("support/<slug:slug>/", include(feedback_urls.public_urlpatterns)),
]
