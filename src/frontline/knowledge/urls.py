from django.urls import path

from frontline.knowledge import views

# Under /w/<slug>/kb/ (agents).
urlpatterns = [
    path("", views.kb_list, name="kb"),
    path("new", views.kb_edit, name="kb_new"),
    path("categories", views.kb_category, name="kb_category"),
    path("categories/<int:pk>", views.kb_category_change, name="kb_category_change"),
    path("gaps", views.kb_gaps, name="kb_gaps"),
    path("console", views.kb_console, name="kb_console"),
    path("bot", views.kb_bot, name="kb_bot"),
    path("<int:pk>/", views.kb_edit, name="kb_edit"),
    path("<int:pk>/read", views.kb_read, name="kb_read"),
    path("<int:pk>/translate", views.kb_translate, name="kb_translate"),
    path("<int:pk>/files", views.kb_file, name="kb_file"),
    path("<int:pk>/versions/<int:number>/", views.kb_version, name="kb_version"),
]
# Under /support/<slug>/articles/ (everyone).
public_urlpatterns = [
    path("", views.hc_home, name="hc_home"),
    path("suggest", views.hc_suggest, name="hc_suggest"),
    path("ask/", views.hc_ask, name="hc_ask"),
    path("ask/<int:pk>/outcome", views.hc_ask_outcome, name="hc_ask_outcome"),
    path("files/<int:pk>/<str:name>", views.hc_file, name="hc_file"),
    path("<slug:article_slug>/", views.hc_article, name="hc_article"),
    path("<slug:article_slug>/vote", views.hc_vote, name="hc_vote"),
]
