from django.urls import path

from frontline.tickets import views

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("tickets/<int:number>/", views.ticket_detail, name="ticket"),
    path("tickets/<int:number>/reply", views.ticket_reply, name="ticket_reply"),
    path("tickets/<int:number>/update", views.ticket_update, name="ticket_update"),
    path("tickets/<int:number>/macro", views.ticket_macro, name="ticket_macro"),
]
