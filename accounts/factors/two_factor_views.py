"""Pages of the sign-in second factor: asking for it, setting up the app, and an
administrator's reset of a person's devices."""

from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login

from .. import selectors
from ..forms import VerificationCodeForm
from ..mixins import CreateUsersRequiredMixin
from ..models import SecondFactor
from . import two_factor
from .verification import masked_mobile, sendable_mobile

METHODS = ("app", "backup", "sms")


def _qr_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    svg = image.to_string(encoding="unicode")
    return svg.replace(
        "<svg ", '<svg role="img" aria-label="QR code for your authenticator app" ', 1
    )


@method_decorator([sensitive_post_parameters(), never_cache], name="dispatch")
class SecondFactorView(LoginRequiredMixin, View):
    """Sign-in, second step: a code from the app, a backup code, or a text message."""

    template_name = "accounts/second_factor.html"

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and (
            user.is_verified() or not two_factor.second_factor_required(user)
        ):
            return HttpResponseRedirect(self.next_url())
        return super().dispatch(request, *args, **kwargs)

    def method(self) -> str:
        method = self.request.POST.get("method") or self.request.GET.get("method") or "app"
        return method if method in METHODS else "app"

    def next_url(self) -> str:
        wanted = self.request.POST.get("next") or self.request.GET.get("next") or ""
        if url_has_allowed_host_and_scheme(wanted, allowed_hosts={self.request.get_host()}):
            return wanted
        return reverse("home")

    def get(self, request):
        return self.render(VerificationCodeForm())

    def post(self, request):
        method = self.method()
        if request.POST.get("action") == "send":
            try:
                two_factor.sms_send(request.user)
            except ValidationError as error:
                return self.render(VerificationCodeForm(), problem=error.messages[0], status=422)
            return self.render(VerificationCodeForm(), note="We sent you a code.")
        form = VerificationCodeForm(request.POST)
        if form.is_valid():
            try:
                two_factor.verify(
                    request, user=request.user, method=method, typed=form.cleaned_data["code"]
                )
            except ValidationError as error:
                form.add_error("code", error)
            else:
                return HttpResponseRedirect(self.next_url())
        return self.render(form, status=422)

    def render(self, form, *, status: int = 200, **extra):
        user = self.request.user
        method = self.method()
        labels = {
            "app": "Code from your authenticator app",
            "backup": "Backup code",
            "sms": "Code from the text message",
        }
        form.fields["code"].label = labels[method]
        if method == "backup":
            form.fields["code"].help_text = "One of the 8-digit codes you saved. Each works once."
        elif method == "app":
            form.fields["code"].help_text = "The 6-digit code your app shows for Aptem now."
        sms = two_factor.sms_device(user) if method == "sms" else None
        context = {
            "form": form,
            "method": method,
            "can_text": sendable_mobile(user) is not None,
            "mobile": masked_mobile(user),
            "sms": sms,
            "next": self.request.POST.get("next") or self.request.GET.get("next") or "",
            **extra,
        }
        return render(self.request, self.template_name, context, status=status)


@method_decorator([sensitive_post_parameters(), never_cache], name="dispatch")
class TwoFactorSetupView(LoginRequiredMixin, View):
    """Sign-in security: set up an authenticator app (its backup codes are shown once), or
    make new backup codes."""

    template_name = "accounts/two_factor_setup.html"

    def get(self, request):
        user = request.user
        if two_factor.app_device(user) is not None:
            return self.render(set_up=True)
        return self.render(device=two_factor.app_start(user), form=VerificationCodeForm())

    def post(self, request):
        user = request.user
        if request.POST.get("action") == "turn_off":
            if two_factor.app_device(user) is None or not user.is_verified():
                return HttpResponseRedirect(reverse("accounts:two_factor_setup"))
            try:
                two_factor.app_turn_off(user=user)
            except ValidationError as error:
                messages.error(request, error.messages[0])
            else:
                messages.success(request, "Sign-in codes are off: your password alone signs in.")
            return HttpResponseRedirect(reverse("home"))
        if request.POST.get("action") == "codes":
            if two_factor.app_device(user) is None or not user.is_verified():
                return HttpResponseRedirect(reverse("accounts:two_factor_setup"))
            codes = two_factor.backup_codes_renew(user)
            return self.render(set_up=True, codes=codes)
        device = two_factor.app_device(user, confirmed=False)
        if device is None:
            return HttpResponseRedirect(reverse("accounts:two_factor_setup"))
        form = VerificationCodeForm(request.POST)
        form.fields["code"].label = "Code from your authenticator app"
        if form.is_valid():
            try:
                codes = two_factor.app_confirm(device=device, typed=form.cleaned_data["code"])
            except ValidationError as error:
                form.add_error(None, error)
            else:
                device.refresh_from_db()
                otp_login(request, device)
                messages.success(request, "Your authenticator app is set up.")
                return self.render(set_up=True, codes=codes)
        return self.render(device=device, form=form, status=422)

    def render(self, *, status: int = 200, device=None, form=None, **extra):
        user = self.request.user
        context = {
            "form": form,
            "device": device,
            "required": user.tenant.second_factor != SecondFactor.OFF,
            "optional": user.tenant.second_factor == SecondFactor.OPTIONAL,
            **extra,
        }
        if device is not None:
            key = b32encode(device.bin_key).decode().rstrip("=")
            # The SVG is drawn here from our own otpauth URL, not from anything typed.
            context["qr"] = mark_safe(_qr_svg(device.config_url))  # noqa: S308  # nosec
            context["key_groups"] = [key[i : i + 4] for i in range(0, len(key), 4)]
            form.fields["code"].label = "Code from your authenticator app"
        return render(self.request, self.template_name, context, status=status)


class DevicesResetView(CreateUsersRequiredMixin, View):
    """An administrator resets a person's sign-in devices (lost phone): confirm, then reset."""

    def get(self, request, pk):
        profile = selectors.user_get(tenant=self.tenant, user_id=pk)
        return render(request, "accounts/devices_reset.html", {"profile": profile})

    def post(self, request, pk):
        profile = selectors.user_get(tenant=self.tenant, user_id=pk)
        two_factor.devices_reset(user=profile, reset_by=request.user)
        messages.success(
            request,
            f"{profile.full_name}'s sign-in devices are reset: they set up an authenticator "
            "app again at their next sign-in.",
        )
        return HttpResponseRedirect(reverse("accounts:user_detail", args=[profile.pk]))
