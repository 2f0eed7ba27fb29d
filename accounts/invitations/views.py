"""Invitation pages: Send Invitation, Pending invitations, and the Activate Account flow.

Activate Account goes from the emailed link to a signed-in Full user, on Django's own
PasswordResetConfirmView flow (as password reset does): the link's token moves into the session
and the browser is redirected to a URL without it, so the token never sits in the address bar,
the history or a Referer header. GET never consumes it (mail scanners open links); only the POST
that sets the password does, because the new password hash changes every token.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN, PasswordResetConfirmView
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import TemplateView

from ui.pagination import keyset_page, total_of
from ui.parsing import parse_id, parse_ids

from .. import ratelimit
from ..activation import account_activate
from ..factors import verification
from ..forms import ActivationForm, FreshLinkForm, VerificationCodeForm
from ..mixins import AdministratorRequiredMixin, TenantPermissionRequiredMixin
from ..models import Permission, SmsDevice, SmsPurpose, User
from ..selectors import user_get
from . import selectors, services, tasks
from .announcements import announce_invitation
from .models import BatchKind, BatchStatus, InvitationBatch
from .tokens import activation_token_generator

SESSION_VERIFIED_KEY = "_activation_verified"
FRESH_LINK_SENT = (
    "If an account at that address is waiting to be activated, a fresh link is on its way. "
    "It replaces every earlier link. Check your inbox and spam folder."
)
FRESH_LINK_LIMITED = "Too many requests for fresh links. Wait an hour, then try again."


def activating_user(uidb64: str) -> User | None:
    """The person an activation link names, while they may still activate (``acting_refusal``)."""
    try:
        pk = force_str(urlsafe_base64_decode(uidb64))
        user = User.objects.select_related("tenant").get(pk=pk)
    except (TypeError, ValueError, OverflowError, User.DoesNotExist, ValidationError):
        return None
    return user if user.acting_refusal(activating=True) is None else None


class ActivateAccountView(PasswordResetConfirmView):
    """The emailed link, then "choose a username and password"; where the tenant asks for it,
    a verified code in this browser comes first (``ActivateVerifyView``). A link that does not
    work offers a fresh one."""

    form_class = ActivationForm
    template_name = "accounts/activate.html"
    invalid_template_name = "accounts/activate_invalid.html"
    token_generator = activation_token_generator
    reset_url_token = "set-password"

    def get_user(self, uidb64):
        return activating_user(uidb64)

    def get(self, request, *args, **kwargs):
        return self.code_first() or super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self.code_first() or super().post(request, *args, **kwargs)

    def code_first(self) -> HttpResponse | None:
        """To the code step, when the tenant asks for one and this browser has none."""
        if verification.verification_required(self.user) and not _verified_here(
            self.request, self.user
        ):
            return HttpResponseRedirect(
                reverse("accounts:activate_verify", args=[self.kwargs["uidb64"]])
            )
        return None

    def get_template_names(self):
        return [self.template_name if self.validlink else self.invalid_template_name]

    def get_initial(self):
        return {"username": self.user.username or self.user.email}

    def form_valid(self, form):
        try:
            user = account_activate(
                user=self.user,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["new_password1"],
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        self.request.session.pop(INTERNAL_RESET_SESSION_TOKEN, None)
        self.request.session.pop(SESSION_VERIFIED_KEY, None)
        login(self.request, user, backend="accounts.backends.UsernameOrEmailBackend")
        messages.success(
            self.request,
            f"Welcome to Aptem, {user.first_name}. Your account is active: from now on, sign in "
            f"as '{user.username}'.",
        )
        return HttpResponseRedirect(reverse("home"))

    def get_context_data(self, **kwargs):
        if not self.validlink:  # the page that offers a fresh link instead of the form
            kwargs["form"] = FreshLinkForm()
        context = super().get_context_data(person=self.user, **kwargs)
        if not self.validlink:  # Django's view blanks the form of an invalid link
            context["form"] = kwargs["form"]
        return context


def _verified_here(request, user: User) -> bool:
    """This browser verified a code for the person's current link."""
    device_id = request.session.get(SESSION_VERIFIED_KEY)
    return bool(
        device_id
        and SmsDevice.objects.filter(
            pk=device_id,
            user=user,
            purpose=SmsPurpose.ACTIVATION,
            sequence=user.invitation_count,
            verified_at__isnull=False,
        ).exists()
    )


@method_decorator([sensitive_post_parameters(), never_cache], name="dispatch")
class ActivateVerifyView(View):
    """ "Enter verification code": between the emailed link and the password step, where the
    tenant asks for it. The link's token is the one the session holds (see above)."""

    template_name = "accounts/activate_verify.html"

    def dispatch(self, request, *args, **kwargs):
        self.user = activating_user(kwargs["uidb64"])
        token = request.session.get(INTERNAL_RESET_SESSION_TOKEN)
        if self.user is None or not activation_token_generator.check_token(self.user, token):
            return render(
                request, "accounts/activate_invalid.html", {"form": FreshLinkForm()}, status=200
            )
        if not verification.verification_required(self.user) or _verified_here(request, self.user):
            return HttpResponseRedirect(self.password_url())
        self.device = verification.device_for(self.user)
        return super().dispatch(request, *args, **kwargs)

    def password_url(self) -> str:
        return reverse(
            "accounts:activate", args=[self.kwargs["uidb64"], ActivateAccountView.reset_url_token]
        )

    def get(self, request, uidb64):
        return self.render(VerificationCodeForm(), resend=request.GET.get("resend") == "1")

    def post(self, request, uidb64):
        if request.POST.get("action") in ("send", "resend"):
            try:
                sent = verification.code_send(device=self.device)
            except ValidationError as error:
                return self.render(VerificationCodeForm(), problem=error.messages[0], status=422)
            self.device = sent.device
            note = (
                "We sent the same code again: it is still valid."
                if sent.same_code
                else "We sent you a new code."
            )
            return self.render(VerificationCodeForm(), note=note)
        form = VerificationCodeForm(request.POST)
        if form.is_valid():
            try:
                device = verification.code_check(
                    device=self.device, typed=form.cleaned_data["code"]
                )
            except ValidationError as error:
                form.add_error("code", error)
            else:
                request.session[SESSION_VERIFIED_KEY] = device.pk
                return HttpResponseRedirect(self.password_url())
        self.device.refresh_from_db()
        return self.render(form, status=422)

    def render(self, form, *, status: int = 200, **extra):
        context = {
            "form": form,
            "person": self.user,
            "device": self.device,
            "mobile": verification.masked_mobile(self.user),
            "can_send": verification.sendable_mobile(self.user) is not None,
            "no_mobile": verification.NO_MOBILE,
            **extra,
        }
        return render(self.request, self.template_name, context, status=status)


@method_decorator(never_cache, name="dispatch")
class FreshLinkView(View):
    """Ask for a fresh activation link. The answer never says whether an account exists."""

    template_name = "accounts/activate_invalid.html"
    per_address_limit = 3
    per_client_limit = 10
    window_seconds = 60 * 60

    def get(self, request):
        # After a request the page confirms it, rather than offering the form again.
        sent = request.GET.get("sent") == "1"
        return render(
            request, self.template_name, {"form": FreshLinkForm(), "asked": True, "sent": sent}
        )

    def post(self, request):
        form = FreshLinkForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form, "asked": True})
        email = form.cleaned_data["email"].casefold()
        client = ratelimit.client_address(request)
        # Count both, always: one caller asking about many email addresses meets the first
        # limit; many callers asking about one email address meet the second.
        limited = ratelimit.hit_all(
            [
                (f"fresh-link:client:{client}", self.per_client_limit),
                (f"fresh-link:email:{email}", self.per_address_limit),
            ],
            window_seconds=self.window_seconds,
        )
        if limited:
            messages.error(request, FRESH_LINK_LIMITED)
        else:
            tasks.send_fresh_activation_links.enqueue(email)
            messages.info(request, FRESH_LINK_SENT)
            return HttpResponseRedirect(f"{reverse('accounts:fresh_link')}?sent=1")
        return HttpResponseRedirect(reverse("accounts:fresh_link"))


class InvitationSendView(TenantPermissionRequiredMixin, View):
    """Send Invitation / Resend invitation on a profile: a POST, then back to the profile."""

    required_permission = Permission.CREATE_USERS

    def post(self, request, pk):
        person = user_get(tenant=self.tenant, user_id=pk)
        expected = request.POST.get("invitation_count")
        try:
            invitation, sent_now = services.invitation_send(
                user=person,
                sent_by=request.user,
                expected_count=parse_id(expected, minimum=0),
            )
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            announce_invitation(request, invitation, sent_now=sent_now)
        return HttpResponseRedirect(reverse("accounts:user_detail", args=[person.pk]))


class PendingInvitationsView(AdministratorRequiredMixin, TemplateView):
    """Invited users who have not activated yet: searchable, in two orders, with a bulk Resend
    that first says how many people will get an email."""

    template_name = "accounts/pending_invitations.html"
    confirm_template = "accounts/pending_resend_confirm.html"
    per_page = 50

    def get_context_data(self, **kwargs):
        search = self.request.GET.get("q", "").strip()[:200]
        sort = self.request.GET.get("sort", "")
        sort = sort if sort in selectors.PENDING_SORTS else "invited"
        pending = selectors.pending_invitations(tenant=self.tenant, search=search, sort=sort)
        page = keyset_page(
            pending,
            ordering=selectors.PENDING_SORTS[sort],
            per_page=self.per_page,
            after=self.request.GET.get("after", ""),
            before=self.request.GET.get("before", ""),
        )
        now = timezone.now()
        for row in page.rows:
            row.expiry_text = expiry_text(row.link_expires_at, now)
        query = urlencode({k: v for k, v in (("q", search), ("sort", sort)) if v})
        return super().get_context_data(
            page=page,
            total=total_of(pending, page=page),
            search=search,
            sort=sort,
            query=query,
            select_all=self.request.GET.get("select") == "all",
            **kwargs,
        )

    def post(self, request):
        if not request.user.has_tenant_permission(Permission.CREATE_USERS):
            raise PermissionDenied
        ids = parse_ids(request.POST.getlist("users"))[: self.per_page]
        if not ids:
            messages.error(request, "Select at least one person to resend the invitation to.")
            return HttpResponseRedirect(reverse("accounts:pending_invitations"))
        if request.POST.get("confirmed") != "yes":
            # Say how many people will get an email before any is sent.
            people = list(selectors.pending_invitations(tenant=self.tenant).filter(pk__in=ids))
            if not people:
                messages.error(request, "Nobody selected is still waiting to activate.")
                return HttpResponseRedirect(reverse("accounts:pending_invitations"))
            return render(request, self.confirm_template, {"people": people})
        waiting = selectors.pending_invitations(tenant=self.tenant).filter(pk__in=ids)
        batch = services.invitation_batch_start(
            tenant=self.tenant,
            requested_by=request.user,
            kind=BatchKind.RESEND,
            user_ids=list(waiting.values_list("pk", flat=True)),
        )
        return HttpResponseRedirect(reverse("accounts:invitation_batch", args=[batch.pk]))


def plural(count: int, word: str) -> str:
    return word if count == 1 else {"person": "people"}.get(word, f"{word}s")


def expiry_text(expires_at, now) -> str:
    if expires_at is None:
        return "Not sent yet"
    if expires_at < now:
        return "Expired"
    days = (expires_at - now).days
    if days == 0:
        return "Expires today"
    return f"Expires in {days} {plural(days, 'day')}"


class InvitationBatchView(TenantPermissionRequiredMixin, View):
    """Invitations asked for many people at once, as the worker sends them: how far it has
    gone (htmx asks every second; without JavaScript, Refresh), then who got an email, whose
    failed and who was skipped, and why."""

    required_permission = Permission.CREATE_USERS
    template_name = "accounts/invitation_batch.html"

    def get(self, request, pk):
        batch = get_object_or_404(InvitationBatch.objects.for_tenant(self.tenant), pk=pk)
        if request.GET.get("progress"):
            if batch.status == BatchStatus.DONE:
                response = HttpResponse(status=204)
                response["HX-Refresh"] = "true"
                return response
            return render(request, "accounts/includes/batch_progress.html", {"batch": batch})
        context = {
            "batch": batch,
            "label": batch.get_kind_display(),
            "rows": selectors.invitation_batch_rows(batch=batch),
        }
        return render(request, self.template_name, context)
