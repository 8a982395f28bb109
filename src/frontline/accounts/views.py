"""Signing in and out, and the start page that leads a member to their workspace."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django_ratelimit.decorators import ratelimit

from frontline.accounts.models import Membership


@method_decorator(ratelimit(key="ip", rate="20/m", method="POST", block=False), name="post")
@method_decorator(
    ratelimit(key="post:username", rate="10/m", method="POST", block=False), name="post"
)
class SignInView(auth_views.LoginView):
    """Email and password; without "remember me" the session ends with the browser.
    Attempts are limited per address and per IP address, so passwords cannot be guessed."""

    template_name = "accounts/sign_in.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if getattr(request, "limited", False):
            context = self.get_context_data(form=self.get_form(), limited=True)
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        if not self.request.POST.get("remember"):
            self.request.session.set_expiry(0)
        return response


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's form, but the email is made and sent by the task worker."""

    def save(self, **kwargs) -> None:
        from frontline.accounts.tasks import send_password_reset

        for user in self.get_users(self.cleaned_data["email"]):
            transaction.on_commit(lambda pk=user.pk: send_password_reset.enqueue(pk))


@method_decorator(ratelimit(key="ip", rate="10/h", method="POST", block=False), name="post")
class PasswordResetView(auth_views.PasswordResetView):
    form_class = QueuedPasswordResetForm
    template_name = "accounts/password_reset.html"
    success_url = "/password-reset/sent/"

    def post(self, request, *args, **kwargs):
        if getattr(request, "limited", False):
            # Same answer as usual; nothing is sent.
            return redirect(self.success_url)
        return super().post(request, *args, **kwargs)


class SignOutView(auth_views.LogoutView):
    next_page = "sign_in"


@login_required
def home(request: HttpRequest) -> HttpResponse:
    memberships = list(
        Membership.objects.filter(user=request.user)
        .select_related("workspace")
        .order_by("workspace__name")
    )
    if len(memberships) == 1:
        return redirect("inbox", slug=memberships[0].workspace.slug)
    return render(request, "accounts/workspaces.html", {"memberships": memberships})
