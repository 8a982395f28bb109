from django.urls import path

from frontline.feedback import views

# Under /w/<slug>/feedback/ (agents).
urlpatterns = [
    path("", views.report, name="feedback"),
    path("settings", views.survey_settings, name="feedback_settings"),
    path("ratings.csv", views.export, name="feedback_export"),
    path("follow-ups/<int:pk>/done", views.close_follow_up, name="feedback_follow_up_done"),
]
# Under /support/<slug>/ (customers, from the email).
public_urlpatterns = [
    path("rate/<str:token>/", views.rate, name="rate"),
    path("rate/<str:token>/comment", views.rate_comment, name="rate_comment"),
    path("tickets/<int:number>/rate", views.rate_in_portal, name="portal_rate"),
]
