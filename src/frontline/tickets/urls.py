from django.urls import path

from frontline.accounts import settings_views
from frontline.tickets import customer_views, views

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("bulk", views.bulk, name="bulk"),
    path("tickets/<int:number>/", views.ticket_detail, name="ticket"),
    path("tickets/<int:number>/reply", views.ticket_reply, name="ticket_reply"),
    path("tickets/<int:number>/update", views.ticket_update, name="ticket_update"),
    path("tickets/<int:number>/macro", views.ticket_macro, name="ticket_macro"),
    path("tickets/<int:number>/merge", views.ticket_merge, name="ticket_merge"),
]

urlpatterns += [
    path("customers/", customer_views.customer_list, name="customers"),
    path("customers/<int:pk>/", customer_views.customer_detail, name="customer"),
    path("customers/<int:pk>/update", customer_views.customer_update, name="customer_update"),
    path("customers/<int:pk>/merge", customer_views.customer_merge, name="customer_merge"),
    path("customers/<int:pk>/erase", customer_views.customer_erase, name="customer_erase"),
    path("customers/<int:pk>/data", customer_views.customer_data, name="customer_data"),
    path("companies/", customer_views.company_list, name="companies"),
    path("companies/<int:pk>/", customer_views.company_detail, name="company"),
]

urlpatterns += [
    path("settings/", settings_views.settings_page, name="settings"),
    path(
        "settings/exports/<int:pk>/download",
        settings_views.export_download,
        name="export_download",
    ),
    path("settings/<slug:action>", settings_views.settings_action, name="settings_action"),
    path("settings/<slug:action>/<int:pk>", settings_views.settings_action, name="settings_item"),
]
