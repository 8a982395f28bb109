from django.urls import path

from frontline.portal import views

urlpatterns = [
    path("", views.home, name="portal_home"),
    path("new/", views.new_request, name="portal_new"),
    path("sent/", views.sent, name="portal_sent"),
    path("sign-in/", views.send_link, name="portal_send_link"),
    path("sign-in/password/", views.password_sign_in, name="portal_password_sign_in"),
    path("sign-in/<str:secret>/", views.link, name="portal_link"),
    path("password/", views.password, name="portal_password"),
    path("sign-out/", views.sign_out, name="portal_sign_out"),
    path("tickets/<int:number>/", views.ticket_detail, name="portal_ticket"),
    path("tickets/<int:number>/reply", views.reply, name="portal_reply"),
    path("tickets/<int:number>/solve", views.solve, name="portal_solve"),
    path("files/<int:attachment_id>", views.download, name="portal_download"),
    path("logo", views.logo, name="portal_logo"),
]
