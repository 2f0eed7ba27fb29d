"""Add Learner, and its Add Employer dialog (a full page without JavaScript)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views import View

from accounts import selectors as account_selectors
from accounts.invitations.announcements import announce_created
from accounts.mixins import CreateUsersRequiredMixin
from accounts.models import UserStatus, UserType
from accounts.people import PERSON_FIELDS
from employers import selectors as employer_selectors
from employers.forms import OrganisationForm
from employers.sections import GroupSearch
from employers.services import organisation_create
from ui.forms import initial_from
from ui.parsing import parse_id, parse_ids
from ui.sections import EnterKey, Section, section_template, section_urls

from . import selectors, services
from .forms import EmployerRecordForm, LearnerForm, parse_records
from .models import LearnerProfile
from .services import LEARNER_PROFILE_FIELDS

DRAFT_KEY = "learner_draft"
NEW_ORGANISATION = "new_organisation"  # the prefix of the dialog's new-organisation fields
LIST_FIELDS = ("employer_groups", "employer_records", "interfaces")


class DraftQueryDict(dict):
    """A saved draft read back with QueryDict's getlist/get."""

    def getlist(self, key):
        return list(super().get(key, []))

    def get(self, key, default=None):
        values = super().get(key)
        return values[-1] if values else default


class RecordRemove(Section):
    """Remove an employer record the form carries (without JavaScript; with it, the page
    removes the record itself)."""

    name = "record-remove"

    def rework(self, view, data, state):
        key = data.get("remove", "")
        kept = [
            value
            for value, record in zip(
                data.getlist("employer_records"),
                parse_records(data.getlist("employer_records")),
                strict=True,
            )
            if str(record.get("key")) != key
        ]
        data.setlist("employer_records", kept)
        return {}


SECTIONS: dict[str, Section] = {
    section.name: section for section in (GroupSearch(), RecordRemove(), EnterKey())
}


class LearnerCreateView(CreateUsersRequiredMixin, View):
    """Add Learner: GET draws the form (or the draft kept while a record was added without
    JavaScript), POST validates and creates. With ``section`` it answers one section button."""

    template_name = "learners/learner_form.html"
    url_name = "learners:add"
    section: Section | None = None

    def get(self, request):
        draft = request.session.get(DRAFT_KEY) if request.GET.get("draft") else None
        if draft is None:
            request.session.pop(DRAFT_KEY, None)
            return self.render(LearnerForm(tenant=self.tenant), DraftQueryDict())
        data = DraftQueryDict(draft)
        return self.render(
            LearnerForm(initial=initial_from(data, list_fields=LIST_FIELDS), tenant=self.tenant),
            data,
        )

    def post(self, request):
        if self.section is not None:
            data = request.POST.copy()
            notes = self.section.rework(self, data, {})
            form = self.section_form(data)
            template = section_template(request, self.template_name, self.section)
            return self.render(form, data, template=template, **notes)
        form = LearnerForm(request.POST, tenant=self.tenant)
        if form.is_valid():
            try:
                learner, invitation = services.learner_create(
                    tenant=self.tenant, created_by=request.user, data=form.service_input()
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                request.session.pop(DRAFT_KEY, None)
                announce_created(self.request, learner, invitation)
                return HttpResponseRedirect(reverse("accounts:user_detail", args=[learner.pk]))
        return self.render(form, request.POST, status=422)

    def url_kwargs(self) -> dict:
        return {}

    def section_form(self, data):
        return LearnerForm(initial=initial_from(data, list_fields=LIST_FIELDS), tenant=self.tenant)

    def render(self, form, data, status: int = 200, template: str = "", **notes):
        records = parse_records(data.getlist("employer_records"))
        context = {
            "form": form,
            "person": getattr(self, "person", None),
            "page_url": reverse(self.url_name, kwargs=self.url_kwargs() or None),
            "section_urls": section_urls(self.url_name, SECTIONS, **self.url_kwargs()),
            "records": selectors.records_for_display(
                tenant=self.tenant, records=records, primary_key=data.get("primary_record", "")
            ),
            **employer_selectors.group_picker(
                tenant=self.tenant,
                selected_ids=parse_ids(data.getlist("employer_groups")),
                term=(data.get("group_search") or "").strip(),
                show_selected=bool(data.get("show_selected")),
            ),
            **notes,
        }
        return render(self.request, template or self.template_name, context, status=status)


class LearnerEditView(LearnerCreateView):
    """Edit learner: the Add Learner page and rules, without the invitation question and the
    employer records (each has its own action on the profile)."""

    url_name = "learners:edit"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.person_id = kwargs["pk"]

    def url_kwargs(self) -> dict:
        return {"pk": self.person_id}

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and getattr(request.user, "is_administrator", False):
            self.person = account_selectors.user_get(tenant=request.tenant, user_id=self.person_id)
            if self.person.user_type != UserType.LEARNER:
                raise Http404("Not a learner")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, pk):
        person = self.person
        profile = LearnerProfile.objects.filter(user=person).first()
        initial = {field: getattr(person, field) for field in PERSON_FIELDS}
        for field in LEARNER_PROFILE_FIELDS:
            initial[field] = getattr(profile, field, None) if profile else None
        data = DraftQueryDict(
            {"employer_groups": list(person.employer_groups.values_list("pk", flat=True))}
        )
        form = LearnerForm(initial=initial, tenant=self.tenant, editing=True)
        return self.render(form, data)

    def post(self, request, pk):
        if self.section is not None:
            return super().post(request)
        form = LearnerForm(request.POST, tenant=self.tenant, editing=True)
        if form.is_valid():
            try:
                person, email_changed = services.learner_update(
                    user=self.person, updated_by=request.user, data=form.service_input()
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                message = f"Details of {person.full_name} saved."
                if email_changed and person.status == UserStatus.INVITED:
                    message += (
                        " The email address changed, so earlier activation links no longer "
                        "work: select Resend invitation to send a new one."
                    )
                messages.success(request, message)
                return HttpResponseRedirect(reverse("accounts:user_detail", args=[person.pk]))
        return self.render(form, request.POST, status=422)

    def section_form(self, data):
        return LearnerForm(
            initial=initial_from(data, list_fields=LIST_FIELDS), tenant=self.tenant, editing=True
        )


class EmployerDraftView(CreateUsersRequiredMixin, View):
    """The green + without JavaScript: keep everything typed on the learner form in the session,
    then add the record on the Add Employer page, which brings it back."""

    def post(self, request):
        request.session[DRAFT_KEY] = {
            key: request.POST.getlist(key) for key in request.POST if key != "csrfmiddlewaretoken"
        }
        return HttpResponseRedirect(reverse("learners:employer_record"))


class EmployerRecordView(CreateUsersRequiredMixin, View):
    """The Add Employer dialog. With htmx it is a modal <dialog>; without, a full page."""

    dialog_template = "learners/employer_dialog.html"
    page_template = "learners/employer_record_page.html"

    def get(self, request):
        # Nothing ticked, as on Add Employer: the administrator chooses the interfaces.
        return self.render(EmployerRecordForm())

    def post(self, request):
        action = request.POST.get("action", "save")
        data = request.POST
        if action == "save":
            return self.save()
        if action == "new_organisation":
            return self.render(
                EmployerRecordForm(initial=initial_from(data, list_fields=LIST_FIELDS)),
                organisation_form=OrganisationForm(prefix=NEW_ORGANISATION, tenant=self.tenant),
            )
        if action == "create_organisation":
            return self.create_organisation()
        return self.render(EmployerRecordForm(initial=initial_from(data, list_fields=LIST_FIELDS)))

    def create_organisation(self):
        data = self.request.POST.copy()
        organisation_form = OrganisationForm(data, prefix=NEW_ORGANISATION, tenant=self.tenant)
        if organisation_form.is_valid():
            try:
                organisation = organisation_create(
                    tenant=self.tenant, **organisation_form.service_input()
                )
            except ValidationError as error:
                organisation_form.add_error(None, error)
            else:
                data["organisation"] = str(organisation.pk)
                data["organisation_search"] = ""
                return self.render(
                    EmployerRecordForm(initial=initial_from(data, list_fields=LIST_FIELDS)),
                    note=f"Employer '{organisation.name}' added and selected.",
                    data=data,
                )
        return self.render(
            EmployerRecordForm(initial=initial_from(data, list_fields=LIST_FIELDS)),
            organisation_form=organisation_form,
        )

    def save(self):
        form = EmployerRecordForm(self.request.POST)
        form.is_valid()
        try:
            clean = services.employer_record_clean(tenant=self.tenant, data=form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
            return self.render(form, status=200 if self.request.htmx else 422)
        record = services.employer_record_as_data(clean)
        if not self.request.htmx:
            draft = self.request.session.get(DRAFT_KEY, {})
            draft.setdefault("employer_records", []).append(selectors.record_json(record))
            self.request.session[DRAFT_KEY] = draft
            return HttpResponseRedirect(f"{reverse('learners:add')}?draft=1#employers-heading")
        shown = selectors.records_for_display(tenant=self.tenant, records=[record])[0]
        shown["is_primary"] = False  # the page keeps whichever record is already primary
        response = render(
            self.request,
            "learners/includes/employer_record.html",
            {"record": shown, "section_urls": section_urls(LearnerCreateView.url_name, SECTIONS)},
        )
        response["HX-Retarget"] = "#employer-records"
        response["HX-Reswap"] = "beforeend"
        response["HX-Reselect"] = ".employer-record"
        response["HX-Trigger-After-Settle"] = "employerRecordSaved"
        return response

    def render(self, form, *, status: int = 200, organisation_form=None, note: str = "", data=None):
        data = data if data is not None else self.request.POST
        chosen = data.get("organisation") or form["organisation"].value()
        chosen_id = parse_id(chosen)
        organisations, more = employer_selectors.organisation_choices(
            tenant=self.tenant,
            term=(data.get("organisation_search") or "").strip(),
            selected_id=chosen_id,
        )
        organisation = next((o for o in organisations if o.pk == chosen_id), None)
        staff_search = (data.get("staff_search") or "").strip()
        staff, more_staff = (
            employer_selectors.staff_choices(
                organisation=organisation,
                term=staff_search,
                selected_ids=parse_ids(
                    [data.get(role) or form[role].value() for role in ("manager", "mentor")]
                ),
            )
            if organisation
            else ([], False)
        )
        form.fields["organisation"].widget.choices = [
            ("", "Select an employer"),
            *((option.pk, option.name) for option in organisations),
        ]
        for role, nobody in (("manager", "No manager"), ("mentor", "No mentor")):
            form.fields[role].widget.choices = [
                ("", nobody if organisation else "Select an employer first"),
                *((person.pk, employer_selectors.staff_label(person)) for person in staff),
            ]
        # With JavaScript each select becomes a combobox that asks the server as you type.
        form.fields["organisation"].widget.attrs["data-combobox"] = reverse(
            "employers:organisation_options"
        )
        if organisation:
            staff_url = reverse("employers:staff_options", args=[organisation.pk])
            for role in ("manager", "mentor"):
                form.fields[role].widget.attrs["data-combobox"] = staff_url
        context = {
            "form": form,
            "organisations": organisations,
            "more_organisations": more,
            "organisation": organisation,
            "staff": staff,
            "more_staff": more_staff,
            "staff_search": staff_search,
            "organisation_search": data.get("organisation_search", ""),
            "organisation_form": organisation_form,
            "note": note,
            "draft_url": f"{reverse('learners:add')}?draft=1",
        }
        template = self.dialog_template if self.request.htmx else self.page_template
        return render(self.request, template, context, status=status)
