from django.urls import path

from frontline.email import mailbox_views, settings_views, views

urlpatterns = [
    path("", views.email_log, name="email_log"),
    path("<int:pk>/raw", views.email_raw, name="email_raw"),
    path("<int:pk>/retry", views.email_retry, name="email_retry"),
    path(
        "tickets/<int:number>/messages/<int:message_id>/original",
        views.message_original,
        name="email_original",
    ),
    path("mailboxes/", mailbox_views.mailbox_list, name="mailboxes"),
    path("mailboxes/<int:pk>/", mailbox_views.mailbox_detail, name="mailbox"),
    path(
        "mailboxes/<int:pk>/<slug:action>",
        mailbox_views.mailbox_action,
        name="mailbox_action",
    ),
    path("settings/", settings_views.email_settings, name="email_settings"),
    path(
        "settings/<slug:action>",
        settings_views.email_settings_action,
        name="email_settings_action",
    ),
]
