from django.urls import path

from frontline.email import views

urlpatterns = [
    path("", views.email_log, name="email_log"),
    path("<int:pk>/raw", views.email_raw, name="email_raw"),
    path("<int:pk>/retry", views.email_retry, name="email_retry"),
]
