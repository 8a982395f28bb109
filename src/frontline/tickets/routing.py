from django.urls import path

from frontline.tickets.consumers import WorkspaceConsumer

websocket_urlpatterns = [
    path("ws/w/<slug:slug>/", WorkspaceConsumer.as_asgi()),
    path("ws/w/<slug:slug>/t/<int:number>/", WorkspaceConsumer.as_asgi()),
]
