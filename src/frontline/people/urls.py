from django.urls import path

from frontline.people import views

urlpatterns = [
    path("", views.wall, name="wall"),
    path("kudos", views.give, name="kudos_give"),
    path("kudos/<int:pk>/react", views.react, name="kudos_react"),
    path("kudos/<int:pk>/decide", views.decide, name="kudos_decide"),
    path("settings", views.recognition_settings, name="recognition_settings"),
    path("awards/", views.awards_page, name="awards"),
    path("awards/<slug:action>", views.awards_action, name="awards_action"),
    path("awards/<int:pk>/certificate.pdf", views.award_certificate, name="award_certificate"),
    path("stories/", views.stories_page, name="stories"),
    path("stories/new", views.story_new, name="story_new"),
    path("testimonials/<int:pk>/<slug:action>", views.testimonial_action, name="testimonial"),
    path("celebrations/", views.celebrations_page, name="celebrations"),
    path("celebrations/recap/<int:year>/", views.recap_page, name="recap"),
    path("celebrations/recap/<int:year>.png", views.recap_card, name="recap_card"),
    path("celebrations/<slug:action>", views.celebrations_action, name="celebrations_action"),
]
