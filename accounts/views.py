import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from ui import parts
from ui.pagination import keyset_page, total_of
from ui.parsing import parse_ids

from . import lifecycle, ratelimit, security, selectors
from .audit import audit_trail
from .backends import sign_in_account
from .factors.phone import format_mobile
from .forms import (
    AccessEndForm,
    NewPasswordForm,
    PasswordForgotForm,
    SecuritySettingsForm,
    SignInForm,
    UserListFilterForm,
)
from .invitations.models import BatchKind
from .invitations.selectors import invitation_history
from .invitations.services import invitation_batch_start
from .mixins import (
    AdministratorRequiredMixin,
    CreateUsersRequiredMixin,
    TenantPermissionRequiredMixin,
)
from .models import (
    Permission,
    SmsDevice,
    Tenant,
    User,
    UserStatus,
    UserType,
    shown_status_of,
    status_colour,
)
from .parts import USER_LIST_ACTIONS, create_kinds, home_parts, profile_parts
from .passwords import can_reset, password_reset_tokens, send_password_reset


class SignInView(auth_views.LoginView):
    """Sign in. Too many failures for one account (whether its username or its email was
    typed), for one typed name, or from one address, pause it for 15 minutes; the pause reads
    the same for every name, so it reveals no account."""

    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True
    window_seconds = 15 * 60
    # A college behind one address shares "client".
    limits = {"account": 10, "user": 10, "client": 50}

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
            elif kind in ("account", "user"):
                # Only the person's own count: signing in to one account must not wipe the
                # count of guesses made from this address at others.
                ratelimit.reset(key)
        return response

    def throttle_keys(self) -> list[tuple[str, str]]:
        typed = self.request.POST.get("username", "")
        # The typed name may be anything, of any length: the key holds its digest.
        digest = hashlib.sha256(typed.strip().casefold().encode()).hexdigest()
        keys = [
            ("user", f"sign-in:user:{digest}"),
            ("client", f"sign-in:client:{ratelimit.client_address(self.request)}"),
        ]
        account = sign_in_account(typed)
        if account is not None:
            # Switching between the username and the email must not buy more guesses.
            keys.append(("account", f"sign-in:account:{account.pk}"))
        return keys


SIGN_IN_PAUSED = (
    "Too many unsuccessful attempts. Wait 15 minutes, then try again. If you have forgotten "
    "your password, ask your administrator for help."
)


class SignOutView(auth_views.LogoutView):
    pass


class HomeView(LoginRequiredMixin, TemplateView):
    """The navigation panel and whatever each app shows this person on arrival."""

    template_name = "home.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**home_parts(self.request), **kwargs)


@dataclass(frozen=True)
class ListedPerson:
    """One row of the Users list, as the template shows it (the template escapes it)."""

    pk: int
    name: str
    email: str
    username: str
    type: str
    status: str
    colour: str
    created_at: datetime


def listed_rows(rows: list[User], *, tenant: Tenant) -> list[ListedPerson]:
    """A page of the Users list: each person's status as shown today (a Full user past their
    access end date, or their tenant's, is Expired)."""
    today = timezone.localdate()
    types = dict(UserType.choices)
    listed = []
    for row in rows:
        status = shown_status_of(row.status, row.access_ends_on or tenant.access_ends_on, today)
        listed.append(
            ListedPerson(
                pk=row.pk,
                name=f"{row.first_name} {row.surname}",
                email=row.email,
                username=row.username,
                type=types.get(row.user_type, row.user_type),
                status=UserStatus(status).label,
                colour=status_colour(status),
                created_at=row.created_at,
            )
        )
    return listed


def sort_headers(unsorted: QueryDict, current: str) -> dict[str, dict[str, Any]]:
    """Each sortable column's link (every filter kept; the active column's link reverses its
    order) and, for the active one, which way it is sorted now."""
    headers = {}
    for key in selectors.USER_LIST_SORTS:
        active = current.removeprefix("-") == key
        reversed_now = current.startswith("-")
        ordering = selectors.user_list_ordering(current if active else key)
        target = (key if reversed_now else f"-{key}") if active else key
        headers[key] = {
            "url": "?" + urlencode([*unsorted.lists(), ("sort", [target])], doseq=True),
            "active": active,
            "direction": "descending" if ordering[0].startswith("-") else "ascending",
        }
    return headers


HIDDEN_MATCHES_COUNTED = 100  # "100+" beyond: the hint only says that there are some


def hidden_matches(tenant: Tenant, form: UserListFilterForm, query: QueryDict) -> list[dict]:
    """When nothing matches: the people the search finds among the statuses the filter leaves
    out, and among archived accounts, each with a link that shows them (two bounded counts,
    only on an empty page)."""
    filters = form.filters()
    every_status = {**filters, "statuses": list(UserStatus.values)}
    shown_too: list[tuple[str, dict, list[tuple[str, str]]]] = []
    if not filters["archived"]:
        if set(filters["statuses"]) != set(UserStatus.values):
            shown_too.append(("status", every_status, []))
        shown_too.append(("archived", {**every_status, "archived": True}, [("archived", "on")]))
    hints = []
    for kind, wanted, extra in shown_too:
        found = selectors.user_list(tenant=tenant, **wanted)[: HIDDEN_MATCHES_COUNTED + 1]
        count = found.count()
        if count:
            link = query.copy()
            link.setlist("status", list(UserStatus.values))
            for name, value in extra:
                link[name] = value
            hints.append(
                {
                    "kind": kind,
                    "count": count,
                    "shown": f"More than {HIDDEN_MATCHES_COUNTED}"
                    if count > HIDDEN_MATCHES_COUNTED
                    else str(count),
                    "url": "?" + urlencode(list(link.lists()), doseq=True),
                }
            )
    return hints


class UserListView(AdministratorRequiredMixin, TemplateView):
    """The Users list: search and filters in the query string, so every view is bookmarkable."""

    template_name = "accounts/user_list.html"

    def get_template_names(self):
        if self.request.htmx and not self.request.htmx.boosted:
            return [f"{self.template_name}#results"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        form = UserListFilterForm(self.request.GET or None, tenant=self.request.tenant)
        users = selectors.user_list(tenant=self.request.tenant, **form.filters())
        page = keyset_page(
            users,
            ordering=selectors.user_list_ordering(form.sort_key),
            per_page=form.page_size,
            **form.cursors,
        )
        query = form.data.copy()  # what the list shows, defaults included
        for cursor in ("after", "before", "page"):
            query.pop(cursor, None)
        unsorted = query.copy()
        unsorted.pop("sort", None)
        return super().get_context_data(
            form=form,
            page=page,
            rows=listed_rows(page.rows, tenant=self.request.tenant),
            total=total_of(users, page=page),
            query=urlencode(list(query.lists()), doseq=True),
            sort=form.sort_key,
            sort_headers=sort_headers(unsorted, form.sort_key),
            past_the_end=not page.rows and any(form.cursors.values()),
            hidden_matches=(
                hidden_matches(self.request.tenant, form, unsorted)
                if not page.rows and not any(form.cursors.values())
                else []
            ),
            create_kinds=create_kinds().values(),
            list_actions=parts.collect(USER_LIST_ACTIONS, self.request.user),
            bulk_actions=BULK_ACTIONS.items(),
            **kwargs,
        )


class UserDetailView(AdministratorRequiredMixin, TemplateView):
    """A person's profile: accounts' own details, then the parts other apps add."""

    template_name = "accounts/user_detail.html"

    def get_context_data(self, **kwargs):
        profile = selectors.user_get(tenant=self.request.tenant, user_id=self.kwargs["pk"])
        return super().get_context_data(
            profile=profile,
            mobile=format_mobile(profile.mobile),
            invitations=invitation_history(user=profile),
            sms_device=SmsDevice.objects.filter(
                user=profile, purpose="activation", sequence=profile.invitation_count
            )
            .exclude(sends=0, delivery="")
            .first(),
            audit_events=audit_trail(user=profile),
            **profile_parts(self.request, profile),
            **kwargs,
        )


class ConfirmCreateView(CreateUsersRequiredMixin, TemplateView):
    """The Create menu's "Select Employer (or Learner), then select Yes to confirm"."""

    template_name = "accounts/confirm_create.html"

    def get_context_data(self, **kwargs):
        kind = create_kinds().get(kwargs["kind"])
        if kind is None:
            raise Http404("No such kind of user")
        return super().get_context_data(
            noun=kind.noun, yes_url=kind.url, description=kind.description, **kwargs
        )


PASSWORD_LINK_SENT = (
    "If an account at that address can sign in, a link to choose a new password is on its way. "
    "Check your inbox and spam folder."
)
PASSWORD_LINK_LIMITED = "Too many requests for that. Wait an hour, then try again."


class PasswordForgotView(View):
    """Forgot your password? The answer never says whether an account exists, and the email
    leaves from the worker so the timing does not either."""

    template_name = "accounts/password_forgot.html"
    per_address_limit = 3
    per_client_limit = 10
    window_seconds = 60 * 60

    def get(self, request):
        sent = request.GET.get("sent") == "1"
        return render(request, self.template_name, {"form": PasswordForgotForm(), "sent": sent})

    def post(self, request):
        form = PasswordForgotForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=422)
        email = form.cleaned_data["email"].casefold()
        digest = hashlib.sha256(email.encode()).hexdigest()
        limited = ratelimit.hit_all(
            [
                (f"password:client:{ratelimit.client_address(request)}", self.per_client_limit),
                (f"password:email:{digest}", self.per_address_limit),
            ],
            window_seconds=self.window_seconds,
        )
        if limited:
            messages.error(request, PASSWORD_LINK_LIMITED)
            return HttpResponseRedirect(reverse("accounts:password_forgot"))
        send_password_reset.enqueue(email)
        messages.info(request, PASSWORD_LINK_SENT)
        return HttpResponseRedirect(f"{reverse('accounts:password_forgot')}?sent=1")


class PasswordResetView(auth_views.PasswordResetConfirmView):
    """The emailed link: as with activation, the token moves into the session and the address
    bar loses it. A new password ends every other session (Django's session hash)."""

    template_name = "accounts/password_reset.html"
    form_class = NewPasswordForm
    token_generator = password_reset_tokens
    reset_url_token = "set-password"
    success_url = reverse_lazy("accounts:sign_in")

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        return user if user is not None and can_reset(user) else None

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(
            self.request, "Your password has been changed. Sign in with your new password."
        )
        return response


class AccountCancelView(CreateUsersRequiredMixin, View):
    """Cancel an account: a page that asks for the reason and confirms, then the cancel."""

    template_name = "accounts/account_cancel.html"

    def get(self, request, pk):
        profile = selectors.user_get(tenant=self.tenant, user_id=pk)
        context = {"profile": profile, "reason_max": lifecycle.REASON_MAX}
        return render(request, self.template_name, context)

    def post(self, request, pk):
        profile = selectors.user_get(tenant=self.tenant, user_id=pk)
        reason = request.POST.get("reason", "")
        try:
            lifecycle.account_cancel(user=profile, cancelled_by=request.user, reason=reason)
        except ValidationError as error:
            errors = (
                error.error_dict if hasattr(error, "error_dict") else {"__all__": error.error_list}
            )
            context = {
                "profile": profile,
                "reason": reason,
                "reason_max": lifecycle.REASON_MAX,
                "reason_error": next(iter(errors.get("reason", [])), None),
                "page_error": next(iter(errors.get("__all__", [])), None),
            }
            return render(request, self.template_name, context, status=422)
        messages.success(
            request,
            f"{profile.full_name}'s account is cancelled: they can no longer sign in, and their "
            "activation links no longer work.",
        )
        return HttpResponseRedirect(reverse("accounts:user_detail", args=[profile.pk]))


class AccountReactivateView(CreateUsersRequiredMixin, View):
    """Reactivate a cancelled account, after a confirmation that says what they become."""

    template_name = "accounts/account_reactivate.html"

    def get(self, request, pk):
        profile = selectors.user_get(tenant=self.tenant, user_id=pk)
        return render(request, self.template_name, {"profile": profile})

    def post(self, request, pk):
        profile = selectors.user_get(tenant=self.tenant, user_id=pk)
        try:
            person = lifecycle.account_reactivate(user=profile, reactivated_by=request.user)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(
                request,
                f"{person.full_name}'s account is active again, as a {person.get_status_display()}"
                + (
                    "."
                    if person.status == UserStatus.FULL
                    else ": send them an invitation so they can activate it."
                ),
            )
        return HttpResponseRedirect(reverse("accounts:user_detail", args=[profile.pk]))


class AccountArchiveView(CreateUsersRequiredMixin, View):
    """Archive (or, with ``archived=False``, unarchive) an account: a confirmation, then the
    change."""

    archived = True

    def get(self, request, pk):
        profile = selectors.user_get(tenant=self.tenant, user_id=pk)
        context = {"profile": profile, "archiving": self.archived}
        return render(request, "accounts/account_archive.html", context)

    def post(self, request, pk):
        profile = selectors.user_get(tenant=self.tenant, user_id=pk)
        try:
            if self.archived:
                lifecycle.account_archive(user=profile, archived_by=request.user)
            else:
                lifecycle.account_unarchive(user=profile, unarchived_by=request.user)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(
                request,
                f"{profile.full_name}'s account is archived: hidden from the Users list unless "
                "you choose Archived, and it cannot sign in."
                if self.archived
                else f"{profile.full_name}'s account is no longer archived.",
            )
        return HttpResponseRedirect(reverse("accounts:user_detail", args=[profile.pk]))


class SecuritySettingsView(TenantPermissionRequiredMixin, View):
    """The tenant's security settings (a role permission of their own), with who changed
    what, most recent first."""

    required_permission = Permission.MANAGE_SECURITY
    template_name = "accounts/security_settings.html"

    def get(self, request):
        initial = {field: getattr(self.tenant, field) for field in security.SECURITY_FIELDS}
        return self.render(SecuritySettingsForm(initial=initial))

    def post(self, request):
        form = SecuritySettingsForm(request.POST)
        if form.is_valid():
            try:
                changes = security.tenant_security_update(
                    tenant=self.tenant, changed_by=request.user, data=form.cleaned_data
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if changes:
                    messages.success(request, "Security settings saved. " + "; ".join(changes))
                else:
                    messages.info(request, "Nothing changed.")
                missing = selectors.missing_mobile_count(tenant=self.tenant)
                if self.tenant.mfv_on and missing:
                    messages.warning(
                        request,
                        f"{missing} {'person has' if missing == 1 else 'people have'} no mobile "
                        "number, so they cannot receive verification codes. Find them on the "
                        "Users list with the Missing mobile number filter.",
                    )
                return HttpResponseRedirect(reverse("accounts:security_settings"))
        return self.render(form, status=422)

    def render(self, form, status: int = 200):
        context = {"form": form, "history": security.security_history(tenant=self.tenant)}
        return render(self.request, self.template_name, context, status=status)


class AccountAccessView(CreateUsersRequiredMixin, View):
    """An account's own access end date: past it the account shows Expired and cannot sign
    in; a later date (or none, when the tenant's subscription runs on) restores access."""

    template_name = "accounts/account_access.html"

    def get(self, request, pk):
        profile = selectors.user_get(tenant=self.tenant, user_id=pk)
        form = AccessEndForm(initial={"ends_on": profile.access_ends_on})
        return self.render(profile, form)

    def post(self, request, pk):
        profile = selectors.user_get(tenant=self.tenant, user_id=pk)
        form = AccessEndForm(request.POST)
        if form.is_valid():
            try:
                profile = lifecycle.account_access_end_set(
                    user=profile, ends_on=form.cleaned_data["ends_on"], changed_by=request.user
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, access_end_message(profile))
                return HttpResponseRedirect(reverse("accounts:user_detail", args=[profile.pk]))
        return self.render(profile, form, status=422)

    def render(self, profile, form, status: int = 200):
        context = {"profile": profile, "form": form, "tenant_end": self.tenant.access_ends_on}
        return render(self.request, self.template_name, context, status=status)


def access_end_message(profile: User) -> str:
    name = profile.full_name
    end = profile.access_end
    if end is None:
        return f"{name} has no access end date: their access does not end."
    own = "" if profile.access_ends_on else " (the tenant's subscription end)"
    if profile.access_expired:
        return (
            f"{name}'s access ended on {end:%-d %B %Y}{own}: they show as Expired and cannot "
            "sign in."
        )
    return f"{name}'s access ends after {end:%-d %B %Y}{own}."


BULK_ACTIONS = {
    "invite": "Send invitation",
    "cancel": "Cancel account",
    "archive": "Archive account",
}
BULK_LIMIT = 100  # a page of the Users list at most


class UserBulkView(CreateUsersRequiredMixin, View):
    """The Users list's bulk actions on the chosen rows: first a confirmation naming how many
    people it will touch, then a summary of what was done and what was skipped, and why. Each
    person goes through the same service (and rules) as the profile's own button."""

    def post(self, request):
        action = request.POST.get("action", "")
        ids = parse_ids(request.POST.getlist("users"))[:BULK_LIMIT]
        if action not in BULK_ACTIONS or not ids:
            messages.error(request, "Select at least one person and an action to apply.")
            return HttpResponseRedirect(reverse("accounts:user_list"))
        people = list(
            User.objects.for_tenant(self.tenant).filter(pk__in=ids).order_by("surname", "pk")
        )
        context = {
            "people": people,
            "action": action,
            "label": BULK_ACTIONS[action],
            "reason_max": lifecycle.REASON_MAX,
        }
        if request.POST.get("confirmed") != "yes" or not people:
            return render(request, "accounts/user_bulk_confirm.html", context)
        reason = request.POST.get("reason", "")
        if action == "cancel":
            try:
                reason = lifecycle.cancel_reason_clean(reason)
            except ValidationError as error:
                context["reason_error"] = error.messages[0]
                context["reason"] = reason
                return render(request, "accounts/user_bulk_confirm.html", context, status=422)
        if action == "invite":  # emails: sent by the worker, on a page that follows it
            batch = invitation_batch_start(
                tenant=self.tenant,
                requested_by=request.user,
                kind=BatchKind.SEND,
                user_ids=[person.pk for person in people],
            )
            return HttpResponseRedirect(reverse("accounts:invitation_batch", args=[batch.pk]))
        done, skipped = [], []
        for person in people:
            try:
                self.apply(action, person, reason)
            except ValidationError as error:
                skipped.append((person, error.messages[0]))
            else:
                done.append(person)
        context.update(done=done, skipped=skipped)
        return render(request, "accounts/user_bulk_done.html", context)

    def apply(self, action: str, person, reason: str) -> None:
        by = self.request.user
        if action == "cancel":
            lifecycle.account_cancel(user=person, cancelled_by=by, reason=reason)
        else:
            lifecycle.account_archive(user=person, archived_by=by)
