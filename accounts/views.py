from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from . import ratelimit, selectors, services
from .announcements import announce_invitation
from .forms import SignInForm, UserListFilterForm
from .mixins import AdministratorRequiredMixin, TenantPermissionRequiredMixin
from .models import Permission, UserType
from .phone import format_mobile


class SignInView(auth_views.LoginView):
    """Sign in. Too many failures for one username, or from one address, pause it for 15
    minutes; the pause reads the same for every username, so it reveals no account."""

    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True
    window_seconds = 15 * 60
    limits = {"user": 10, "client": 50}  # a college behind one address shares "client"

    def post(self, request, *args, **kwargs):
        keys = self.throttle_keys()
        if any(ratelimit.exceeded(key, limit=self.limits[kind]) for kind, key in keys):
            # Check no password at all while paused; show the form again with the name typed.
            form = self.get_form_class()(
                request, initial={"username": request.POST.get("username", "")}
            )
            context = self.get_context_data(form=form, paused_message=SIGN_IN_PAUSED)
            return self.render_to_response(context, status=429)
        response = super().post(request, *args, **kwargs)
        for kind, key in keys:
            if not request.user.is_authenticated:
                ratelimit.hit(key, limit=self.limits[kind], window_seconds=self.window_seconds)
            elif kind == "user":
                # Only the person's own count: signing in to one account must not wipe the
                # count of guesses made from this address at others.
                ratelimit.reset(key)
        return response

    def throttle_keys(self) -> list[tuple[str, str]]:
        username = self.request.POST.get("username", "").strip().casefold()
        return [
            ("user", f"sign-in:user:{username}"),
            ("client", f"sign-in:client:{ratelimit.client_address(self.request)}"),
        ]


SIGN_IN_PAUSED = (
    "Too many unsuccessful attempts. Wait 15 minutes, then try again. If you have forgotten "
    "your password, ask your administrator for help."
)


class SignOutView(auth_views.LogoutView):
    pass


class HomeView(LoginRequiredMixin, TemplateView):
    template_name = "home.html"

    def get_context_data(self, **kwargs):
        from learners.selectors import learners_supported_by

        user = self.request.user
        supported = (
            list(learners_supported_by(person=user)) if user.user_type == UserType.EMPLOYER else []
        )
        return super().get_context_data(supported_records=supported, **kwargs)


class UserListView(AdministratorRequiredMixin, TemplateView):
    """The Users list: search and filters in the query string, so every view is bookmarkable."""

    template_name = "accounts/user_list.html"

    def get_template_names(self):
        if self.request.htmx and not self.request.htmx.boosted:
            return [f"{self.template_name}#results"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        form = UserListFilterForm(self.request.GET or None)
        users = selectors.user_list(tenant=self.tenant, **form.filters())
        page = selectors.page_of(users, number=form.page_number, per_page=form.page_size)
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(
            form=form,
            page=page,
            query=urlencode(list(query.lists()), doseq=True),
            **kwargs,
        )


class UserDetailView(AdministratorRequiredMixin, TemplateView):
    template_name = "accounts/user_detail.html"

    def get_context_data(self, **kwargs):
        from learners.selectors import employer_records_of, learners_supported_by

        profile = selectors.user_get(tenant=self.tenant, user_id=self.kwargs["pk"])
        return super().get_context_data(
            profile=profile,
            employer_records=employer_records_of(learner=profile),
            supported_records=list(learners_supported_by(person=profile)),
            mobile=format_mobile(profile.mobile),
            invitations=selectors.invitation_history(user=profile),
            audit_events=selectors.audit_trail(user=profile),
            **kwargs,
        )


class InvitationSendView(TenantPermissionRequiredMixin, View):
    """Send Invitation / Resend invitation on a profile: a POST, then back to the profile."""

    required_permission = Permission.CREATE_USERS

    def post(self, request, pk):
        person = selectors.user_get(tenant=self.tenant, user_id=pk)
        expected = request.POST.get("invitation_count", "")
        try:
            invitation, sent_now = services.invitation_send(
                user=person,
                sent_by=request.user,
                expected_count=int(expected) if expected.isdigit() else None,
            )
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            announce_invitation(request, invitation, sent_now=sent_now)
        return HttpResponseRedirect(reverse("accounts:user_detail", args=[person.pk]))


class PendingInvitationsView(AdministratorRequiredMixin, TemplateView):
    """Invited users who have not activated yet, with a bulk Resend."""

    template_name = "accounts/pending_invitations.html"
    per_page = 50

    def get_context_data(self, **kwargs):
        number = self.request.GET.get("page", "1")
        page = selectors.page_of(
            selectors.pending_invitations(tenant=self.tenant),
            number=int(number) if number.isdigit() else 1,
            per_page=self.per_page,
        )
        now = timezone.now()
        for row in page.rows:
            row.expiry_text = expiry_text(row.link_expires_at, now)
        return super().get_context_data(page=page, **kwargs)

    def post(self, request):
        if not request.user.has_tenant_permission(Permission.CREATE_USERS):
            raise PermissionDenied
        ids = [int(v) for v in request.POST.getlist("users") if v.isdigit()][: self.per_page]
        if not ids:
            messages.error(request, "Select at least one person to resend the invitation to.")
            return HttpResponseRedirect(reverse("accounts:pending_invitations"))
        sent, failed = services.invitations_resend(
            tenant=self.tenant, user_ids=ids, sent_by=request.user
        )
        if sent:
            messages.success(
                request, f"Invitation email resent to {len(sent)} {plural(len(sent), 'person')}."
            )
        if failed:
            addresses = ", ".join(invitation.email for invitation in failed)
            messages.error(
                request,
                f"{len(failed)} could not be sent ({addresses}). Their accounts are unchanged: "
                "try again in a moment.",
            )
        return HttpResponseRedirect(reverse("accounts:pending_invitations"))


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
