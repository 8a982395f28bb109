"""Signing in and out, and the start page that leads a member to their workspace."""

import time

from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django_ratelimit.decorators import ratelimit

from frontline.accounts import two_factor
from frontline.accounts.models import Membership, User
from frontline.lib.errors import ServiceError


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
        user = form.get_user()
        remember = bool(self.request.POST.get("remember"))
        if two_factor.is_enabled(user):
            # The password was right; the code comes next (not signed in until then).
            self.request.session[PENDING] = {
                "user": user.pk,
                "remember": remember,
                "next": self.get_success_url(),
                "at": time.time(),
            }
            return redirect("sign_in_code")
        response = super().form_valid(form)
        if not remember:
            self.request.session.set_expiry(0)
        return response


PENDING = "two_factor_pending"
CODE_WINDOW = 300  # seconds between the password and the code


@method_decorator(ratelimit(key="ip", rate="20/m", method="POST", block=False), name="dispatch")
class SignInCodeView(View):
    """Second step of signing in for members with two-factor sign-in."""

    def _pending(self, request):
        pending = request.session.get(PENDING)
        if not pending or time.time() - pending["at"] > CODE_WINDOW:
            return None, None
        return pending, User.objects.filter(pk=pending["user"], is_active=True).first()

    def get(self, request):
        pending, user = self._pending(request)
        if user is None:
            return redirect("sign_in")
        return render(request, "accounts/sign_in_code.html")

    def post(self, request):
        pending, user = self._pending(request)
        if user is None:
            return redirect("sign_in")
        try:
            if getattr(request, "limited", False):
                raise ServiceError(two_factor.THROTTLED, status=429)
            right = two_factor.verify(user, request.POST.get("code", ""))
        except ServiceError as exc:
            return render(request, "accounts/sign_in_code.html", {"error": exc.message}, status=429)
        if not right:
            error = "That code is not right. Codes change every 30 seconds; try the new one."
            return render(request, "accounts/sign_in_code.html", {"error": error}, status=422)
        del request.session[PENDING]
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        if not pending["remember"]:
            request.session.set_expiry(0)
        next_url = pending["next"]
        if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
            next_url = "/"
        return redirect(next_url)


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
