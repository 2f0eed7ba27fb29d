from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect, JsonResponse
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
from accounts.models import Permission, Tenant, UserStatus, UserType
from accounts.services import PERSON_FIELDS
from ui.forms import initial_from
from ui.pagination import page_of
from ui.parsing import parse_id, parse_ids, parse_page_number
from ui.sections import SectionButton, section_template, section_urls

from . import selectors, services
from .forms import EmployerForm, OrganisationForm
from .sections import SECTIONS

LIST_FIELDS = ("employer_groups", "roles", "interfaces")


class EmployerFormView(CreateUsersRequiredMixin, View):
    """Add Employer and Edit employer: GET draws the form, POST validates and saves.

    Configured with ``section`` (``as_view(section=...)``), the same page answers one section
    button instead (see ``ui.sections``): the page's object is found first, then the section
    reworks what was posted, and nothing is saved.
    """

    template_name = "employers/employer_form.html"
    url_name = ""
    section: SectionButton | None = None
    person = None

    def form_kwargs(self) -> dict:
        return {"tenant": self.tenant}

    def url_kwargs(self) -> dict:
        return {}

    def resolve_object(self) -> None:
        """Find (or 404) the object a view works on, before anything of the request runs."""

    def get(self, request, **kwargs):
        self.resolve_object()
        return self.render(EmployerForm(**self.form_kwargs()), state=self.initial_state())

    def initial_state(self) -> dict:
        return {}

    def post(self, request, **kwargs):
        self.resolve_object()
        if self.section is not None:
            return self.rework_section(self.section)
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
            "role_search": data.get("role_search", "").strip(),
            "position_search": data.get("position_search", "").strip(),
        }

    def rework_section(self, section: SectionButton):
        data = self.request.POST.copy()
        state = self.state_from(data)
        notes = section.rework(self, data, state)
        form = EmployerForm(
            initial=initial_from(data, list_fields=LIST_FIELDS), **self.form_kwargs()
        )
        template = section_template(self.request, self.template_name, section)
        return self.render(form, state=state, template=template, **notes)

    def render(self, form, *, state: dict, status: int = 200, template: str = "", **extra):
        tenant = self.tenant
        selected_position = parse_id(form["position"].value())
        positions, more_positions = selectors.position_choices(
            tenant=tenant, term=state.get("position_search", ""), selected_id=selected_position
        )
        form.fields["position"].widget.choices = [
            ("", "No position"),
            *((position.pk, position.title) for position in positions),
        ]
        # With JavaScript the select becomes a combobox that asks the server as you type.
        form.fields["position"].widget.attrs["data-combobox"] = reverse(
            "employers:position_options"
        )
        context = {
            "form": form,
            "person": self.person,
            "page_url": reverse(self.url_name, kwargs=self.url_kwargs() or None),
            "section_urls": section_urls(self.url_name, SECTIONS, **self.url_kwargs()),
            **selectors.group_picker(
                tenant=tenant,
                selected_ids=state.get("groups", []),
                term=state.get("group_search", ""),
                show_selected=state.get("show_selected", False),
            ),
            **selectors.role_picker(
                tenant=tenant,
                assigned_ids=state.get("roles", []),
                term=state.get("role_search", ""),
            ),
            "positions": positions,
            "more_positions": more_positions,
            "selected_position": selected_position,
            "position_search": state.get("position_search", ""),
            **extra,
        }
        return render(self.request, template or self.template_name, context, status=status)


class EmployerCreateView(EmployerFormView):
    url_name = "employers:add"

    def save(self, form):
        user, invitation = services.employer_create(
            tenant=self.tenant, created_by=self.request.user, data=form.service_input()
        )
        announce_created(self.request, user, invitation)
        return HttpResponseRedirect(reverse("accounts:user_detail", args=[user.pk]))


class EmployerEditView(EmployerFormView):
    """Edit an employer's details with the same rules and screens as Add Employer."""

    url_name = "employers:edit"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.person_id = kwargs["pk"]

    def url_kwargs(self) -> dict:
        return {"pk": self.person_id}

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


class Options(View):
    """A combobox's options: the first matches of what was typed (``?q=``), as JSON
    ``{"results": [{"value": "12", "label": "Site Foreman"}]}`` (see ``static/js/combobox.js``).
    Subclasses say who may ask."""

    limit = 20
    tenant: Tenant

    def get(self, request, **kwargs):
        options = self.options(request.GET.get("q", "")[:200], **kwargs)
        return JsonResponse(
            {"results": [{"value": str(value), "label": label} for value, label in options]}
        )

    def options(self, term: str, **kwargs) -> list[tuple[int, str]]:
        raise NotImplementedError


class OptionsView(CreateUsersRequiredMixin, Options):
    """Options for the create and edit forms: administrators who may create users."""


class PositionOptionsView(OptionsView):
    def options(self, term, **kwargs):
        positions, _ = selectors.position_choices(tenant=self.tenant, term=term, limit=self.limit)
        return [(position.pk, position.title) for position in positions]


class OrganisationOptionsView(OptionsView):
    def options(self, term, **kwargs):
        organisations, _ = selectors.organisation_choices(
            tenant=self.tenant, term=term, limit=self.limit
        )
        return [(organisation.pk, organisation.name) for organisation in organisations]


class GroupOptionsView(OptionsView):
    """Where a new employer organisation can go: groups by their place in the hierarchy (for
    Organisations → Add as well as the learner's Add Employer dialog)."""

    any_permission = (Permission.CREATE_USERS, Permission.MANAGE_ORGANISATIONS)

    def options(self, term, **kwargs):
        groups, _ = selectors.parent_group_choices(tenant=self.tenant, term=term, limit=self.limit)
        return [(group.pk, group.path) for group in groups]


class GroupFilterOptionsView(AdministratorRequiredMixin, Options):
    """Every employer group, for the Users list's filter, which any administrator may use."""

    def options(self, term, **kwargs):
        groups, _ = selectors.group_filter_choices(tenant=self.tenant, term=term, limit=self.limit)
        return [(group.pk, group.path) for group in groups]


class StaffOptionsView(OptionsView):
    """Manager and mentor options: one organisation's staff, the email beside each name."""

    def options(self, term, *, pk: int, **kwargs):
        organisation = selectors.organisation_get(tenant=self.tenant, organisation_id=pk)
        staff, _ = selectors.staff_choices(organisation=organisation, term=term, limit=self.limit)
        return [(person.pk, selectors.staff_label(person)) for person in staff]


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
        selectors.with_staff_counts(page.rows)
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
        return render(request, self.template_name, {"form": OrganisationForm(tenant=self.tenant)})

    def post(self, request):
        form = OrganisationForm(request.POST, tenant=self.tenant)
        if form.is_valid():
            try:
                organisation = services.organisation_create(
                    tenant=self.tenant, **form.service_input()
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    f"Employer '{organisation.name}' added, with its own employer group.",
                )
                return HttpResponseRedirect(reverse("employers:organisation_list"))
        return render(request, self.template_name, {"form": form}, status=422)
