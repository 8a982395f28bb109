from django.urls import path

from frontline.chat import views

urlpatterns = [
    path("", views.chats, name="chats"),
    path("availability", views.availability, name="chat_availability"),
    path("settings/", views.chat_settings, name="chat_settings"),
    path("settings/rotate-key", views.rotate_key, name="chat_rotate_key"),
    path("<int:pk>/accept", views.accept, name="chat_accept"),
    path("<int:pk>/transfer", views.transfer, name="chat_transfer"),
    path("<int:pk>/end", views.end, name="chat_end"),
]

public_urlpatterns = [
    path("poll", views.poll, name="chat_poll"),
    path("upload", views.upload, name="chat_upload"),
    path("demo/", views.demo_page, name="chat_demo"),
]
