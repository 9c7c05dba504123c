"""Signing in: Django's login with guesses throttled per account and per address, the session
key changed at login (no fixation), and signing out by POST only."""

from __future__ import annotations

import datetime as _dt

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from nianbao.web.models import LoginFailure


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")[:64]


def throttled(username: str, ip: str) -> bool:
    limits = settings.LOGIN_THROTTLE
    since = timezone.now() - _dt.timedelta(minutes=limits["minutes"])
    recent = LoginFailure.objects.filter(at__gte=since)
    return (recent.filter(username=username).count() >= limits["per_user"]
            or recent.filter(ip=ip).count() >= limits["per_ip"])


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        username = (request.POST.get("username") or "")[:150]
        ip = client_ip(request)
        if throttled(username, ip):
            response = TemplateResponse(request, "web/login.html", {
                "form": self.get_form(), "throttled": True,
                "minutes": settings.LOGIN_THROTTLE["minutes"]}, status=429)
            response["Retry-After"] = str(settings.LOGIN_THROTTLE["minutes"] * 60)
            return response
        response = super().post(request, *args, **kwargs)
        if not request.user.is_authenticated:
            LoginFailure.objects.create(username=username, ip=ip)
        else:
            LoginFailure.objects.filter(username=username).delete()
        return response


def logout_view(request):
    if request.method != "POST":
        return HttpResponse(_("Use the sign-out button."), status=405)
    return auth_views.LogoutView.as_view()(request)
