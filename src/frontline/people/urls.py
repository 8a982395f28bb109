from django.urls import path

from frontline.people import views

urlpatterns = [
    path("", views.wall, name="wall"),
    path("kudos", views.give, name="kudos_give"),
    path("kudos/<int:pk>/react", views.react, name="kudos_react"),
    path("kudos/<int:pk>/decide", views.decide, name="kudos_decide"),
    path("settings", views.recognition_settings, name="recognition_settings"),
    path("celebrations/", views.celebrations_page, name="celebrations"),
    path("celebrations/<slug:action>", views.celebrations_action, name="celebrations_action"),
]
