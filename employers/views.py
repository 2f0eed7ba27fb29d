from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from accounts import selectors as account_selectors
from accounts.invitations.announcements import announce_created
from accounts.mixins import (
    AdministratorRequiredMixin,
    CreateUsersRequiredMixin,
    TenantPermissionRequiredMixin,
)
from accounts.models import Permission, UserStatus, UserType
from accounts.people import PERSON_FIELDS
from ui.forms import initial_from
from ui.pagination import page_of
from ui.parsing import parse_id, parse_ids, parse_page_number

from . import selectors, services
from .forms import EmployerForm, OrganisationForm

# Buttons inside the form that rework one section and show the form again, keeping everything
# typed. With JavaScript htmx swaps just that section; without it the whole page comes back.
SECTION_ACTIONS = {
    "search_groups",
    "assign_roles",
    "unassign_roles",
    "search_positions",
    "add_position",
}


class EmployerFormView(CreateUsersRequiredMixin, View):
    """Add Employer and Edit employer: one form, one set of section actions."""

    template_name = "employers/employer_form.html"
    person = None

    def form_kwargs(self) -> dict:
        return {"tenant": self.tenant}

    def resolve_object(self) -> None:
        """Find (or 404) the object a view works on, before any action of the request runs."""

    def get(self, request, **kwargs):
        self.resolve_object()
        return self.render(EmployerForm(**self.form_kwargs()), state=self.initial_state())

    def initial_state(self) -> dict:
        return {}

    def post(self, request, **kwargs):
        self.resolve_object()
        action = request.POST.get("action", "create")
        if action in SECTION_ACTIONS:
            return self.rework_section(action)
        form = EmployerForm(request.POST, **self.form_kwargs())
        if form.is_valid():
            try:
                return self.save(form)
            except ValidationError as error:
                form.add_error(None, error)
        return self.render(form, state=self.state_from(request.POST), status=422)

    def state_from(self, data) -> dict:
        return {
            "groups": parse_ids(data.getlist("employer_groups")),
            "group_search": data.get("group_search", "").strip(),
            "show_selected": bool(data.get("show_selected")),
            "roles": parse_ids(data.getlist("roles")),
            "position_search": data.get("position_search", "").strip(),
        }

    def rework_section(self, action: str):
        data = self.request.POST.copy()
        state = self.state_from(data)
        notes = {}
        if action in ("assign_roles", "unassign_roles"):
            roles = set(state["roles"])
            if action == "assign_roles":
                roles |= set(parse_ids(data.getlist("roles_available_pick")))
            else:
                roles -= set(parse_ids(data.getlist("roles_assigned_pick")))
            data.setlist("roles", [str(pk) for pk in sorted(roles)])
            state["roles"] = sorted(roles)
        elif action == "add_position":
            try:
                position = services.position_create(
                    tenant=self.tenant, title=data.get("new_position", "")
                )
            except ValidationError as error:
                notes["new_position_error"] = error.messages[0]
            else:
                data["position"] = str(position.pk)
                data["new_position"] = ""
                state["position_search"] = ""
                notes["position_added"] = f"Position '{position.title}' added and selected."
        initial = initial_from(data, list_fields=("employer_groups", "roles", "interfaces"))
        form = EmployerForm(initial=initial, **self.form_kwargs())
        return self.render(form, state=state, **notes)

    def render(self, form, *, state: dict, status: int = 200, **extra):
        tenant = self.tenant
        roles = list(selectors.employer_roles(tenant=tenant))
        assigned = set(state.get("roles", []))
        selected_position = parse_id(form["position"].value())
        positions, more_positions = selectors.position_choices(
            tenant=tenant, term=state.get("position_search", ""), selected_id=selected_position
        )
        context = {
            "form": form,
            "person": self.person,
            **selectors.group_picker(
                tenant=tenant,
                selected_ids=state.get("groups", []),
                term=state.get("group_search", ""),
                show_selected=state.get("show_selected", False),
            ),
            "roles_available": [role for role in roles if role.pk not in assigned],
            "roles_assigned": [role for role in roles if role.pk in assigned],
            "positions": positions,
            "more_positions": more_positions,
            "selected_position": selected_position,
            "position_search": state.get("position_search", ""),
            **extra,
        }
        return render(self.request, self.template_name, context, status=status)


class EmployerCreateView(EmployerFormView):
    def save(self, form):
        user, invitation = services.employer_create(
            tenant=self.tenant, created_by=self.request.user, data=form.service_input()
        )
        announce_created(self.request, user, invitation)
        return HttpResponseRedirect(reverse("accounts:user_detail", args=[user.pk]))


class EmployerEditView(EmployerFormView):
    """Edit an employer's details with the same rules and screens as Add Employer."""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.person_id = kwargs["pk"]

    def form_kwargs(self) -> dict:
        person = self.get_person()
        kwargs = {"tenant": self.tenant, "editing": True}
        if self.request.method == "GET":
            kwargs["initial"] = {
                **{field: getattr(person, field) for field in PERSON_FIELDS},
                "position": getattr(selectors.employer_position(user=person), "pk", ""),
                "interfaces": person.interface_codes,
            }
        return kwargs

    def resolve_object(self) -> None:
        self.get_person()

    def get_person(self):
        if self.person is None:
            self.person = account_selectors.user_get(tenant=self.tenant, user_id=self.person_id)
            if self.person.user_type != UserType.EMPLOYER:
                raise Http404("Not an employer")
        return self.person

    def initial_state(self) -> dict:
        person = self.get_person()
        return {
            "groups": list(person.employer_groups.values_list("pk", flat=True)),
            "roles": list(person.roles.values_list("pk", flat=True)),
        }

    def save(self, form):
        user, email_changed = services.employer_update(
            user=self.get_person(), updated_by=self.request.user, data=form.service_input()
        )
        message = f"Details of {user.full_name} saved."
        if email_changed and user.status == UserStatus.INVITED:
            message += (
                " The email address changed, so earlier activation links no longer "
                "work: select Resend invitation to send a new one."
            )
        messages.success(self.request, message)
        return HttpResponseRedirect(reverse("accounts:user_detail", args=[user.pk]))


class OrganisationListView(AdministratorRequiredMixin, TemplateView):
    """Employer organisations: searchable by name, town, postcode or reference."""

    template_name = "employers/organisation_list.html"
    per_page = 25

    def get_context_data(self, **kwargs):
        search = self.request.GET.get("q", "").strip()[:200]
        page = page_of(
            selectors.organisation_list(tenant=self.tenant, search=search),
            number=parse_page_number(self.request.GET.get("page")),
            per_page=self.per_page,
        )
        return super().get_context_data(
            page=page,
            search=search,
            query=urlencode({"q": search}) if search else "",
            can_add=self.request.user.has_tenant_permission(Permission.MANAGE_ORGANISATIONS),
            **kwargs,
        )


class OrganisationCreateView(TenantPermissionRequiredMixin, View):
    required_permission = Permission.MANAGE_ORGANISATIONS
    template_name = "employers/organisation_form.html"

    def get(self, request):
        return render(request, self.template_name, {"form": OrganisationForm()})

    def post(self, request):
        form = OrganisationForm(request.POST)
        if form.is_valid():
            try:
                organisation = services.organisation_create(tenant=self.tenant, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    f"Employer '{organisation.name}' added, with its own employer group.",
                )
                return HttpResponseRedirect(reverse("employers:organisation_list"))
        return render(request, self.template_name, {"form": form}, status=422)
