from django.urls import path

from frontline.assistant import views

urlpatterns = [
    path("", views.assistant_page, name="assistant"),
    path("settings", views.save_settings, name="assistant_settings"),
    path("generation", views.save_generation, name="assistant_generation"),
    path("train", views.train_now, name="assistant_train"),
    path("versions/<int:number>/activate", views.activate_version, name="assistant_activate"),
    path("rules", views.save_rules, name="assistant_rules"),
    path("try", views.try_message, name="assistant_try"),
]
