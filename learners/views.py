"""Add Learner, and its Add Employer dialog (a full page without JavaScript)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from accounts import selectors as account_selectors
from accounts.invitations.announcements import announce_created
from accounts.mixins import CreateUsersRequiredMixin
from accounts.models import INTERFACES, User, UserStatus, UserType
from accounts.services import PERSON_FIELDS
from employers import selectors as employer_selectors
from employers.forms import OrganisationForm
from employers.sections import GroupSearch
from employers.services import organisation_create
from ui.forms import initial_from
from ui.parsing import parse_id, parse_ids
from ui.sections import EnterKey, SectionButton, section_template, section_urls

from . import selectors, services
from .forms import EmployerRecordForm, LearnerForm, RecordEndForm, parse_records
from .models import EmployerRecord, LearnerProfile
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


class RecordRemove(SectionButton):
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


SECTIONS: dict[str, SectionButton] = {
    section.name: section for section in (GroupSearch(), RecordRemove(), EnterKey())
}


class LearnerCreateView(CreateUsersRequiredMixin, View):
    """Add Learner: GET draws the form (or the draft kept while a record was added without
    JavaScript), POST validates and creates. With ``section`` it answers one section button."""

    template_name = "learners/learner_form.html"
    url_name = "learners:add"
    section: SectionButton | None = None

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
        form.fields["organisation"].widget.choices = [
            ("", "Select an employer"),
            *((option.pk, option.name) for option in organisations),
        ]
        # With JavaScript each select becomes a combobox that asks the server as you type.
        form.fields["organisation"].widget.attrs["data-combobox"] = reverse(
            "employers:organisation_options"
        )
        context = {
            "form": form,
            "organisations": organisations,
            "more_organisations": more,
            "organisation": organisation,
            **offer_staff(form, organisation, data),
            "organisation_search": data.get("organisation_search", ""),
            "organisation_form": organisation_form,
            "note": note,
            **self.places(),
        }
        template = self.dialog_template if self.request.htmx else self.page_template
        return render(self.request, template, context, status=status)

    def places(self) -> dict[str, str]:
        """Where the dialog posts, and where Cancel (and the breadcrumb) lead back to."""
        draft_url = f"{reverse('learners:add')}?draft=1"
        return {
            "form_url": reverse("learners:employer_record"),
            "back_url": draft_url,
            "back_label": "Add Learner",
            "kept_note": "The learner's details you typed are kept: Save or Cancel takes you "
            "back to them.",
        }


def offer_staff(form, organisation, data) -> dict:
    """The Manager and Mentor choices: a page of the organisation's staff (the chosen people
    always among them), each a combobox that searches them all when JavaScript runs."""
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
    for role, nobody in (("manager", "No manager"), ("mentor", "No mentor")):
        form.fields[role].widget.choices = [
            ("", nobody if organisation else "Select an employer first"),
            *((person.pk, employer_selectors.staff_label(person)) for person in staff),
        ]
    if organisation:
        staff_url = reverse("employers:staff_options", args=[organisation.pk])
        for role in ("manager", "mentor"):
            form.fields[role].widget.attrs["data-combobox"] = staff_url
    return {"staff": staff, "more_staff": more_staff, "staff_search": staff_search}


def profile_url(learner) -> str:
    return reverse("accounts:user_detail", args=[learner.pk]) + "#employers-heading"


class LearnerRecordsMixin(CreateUsersRequiredMixin):
    """Changing the employer records of a learner of this tenant (404 for anyone else); an
    archived learner's records stay as they are until they are unarchived."""

    learner: User

    def find_learner(self, **kwargs) -> User:
        raise NotImplementedError

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and getattr(request.user, "is_administrator", False):
            self.learner = self.find_learner(**kwargs)
            if self.learner.user_type != UserType.LEARNER:
                raise Http404("Not a learner")
            if self.learner.is_archived and request.user.can_create_users:
                messages.error(
                    request,
                    f"{self.learner.full_name}'s account is archived. Unarchive it first to "
                    "change their employer records.",
                )
                return HttpResponseRedirect(profile_url(self.learner))
        return super().dispatch(request, *args, **kwargs)

    def done(self, message: str) -> HttpResponse:
        messages.success(self.request, message)
        url = profile_url(self.learner)
        if self.request.htmx:  # the dialog's Save: the profile behind it is drawn again
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
            return response
        return HttpResponseRedirect(url)


class LearnerRecordAddView(LearnerRecordsMixin, EmployerRecordView):
    """The learner profile's Add employer: the learner form's dialog, saved at once."""

    def find_learner(self, *, pk: int, **kwargs) -> User:
        return account_selectors.user_get(tenant=self.request.tenant, user_id=pk)

    def get(self, request, pk):
        return super().get(request)

    def post(self, request, pk):
        return super().post(request)

    def save(self):
        form = EmployerRecordForm(self.request.POST)
        form.is_valid()
        try:
            record = services.employer_record_add(
                learner=self.learner, added_by=self.request.user, data=form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.render(form, status=200 if self.request.htmx else 422)
        return self.done(f"Employer {record.organisation.name} added to {self.learner.full_name}.")

    def places(self) -> dict[str, str]:
        return {
            "form_url": reverse("learners:record_add", args=[self.learner.pk]),
            "back_url": profile_url(self.learner),
            "back_label": self.learner.full_name,
            "kept_note": f"The employer is added to {self.learner.full_name} when you save.",
        }


class RecordMixin(LearnerRecordsMixin):
    """One current employer record of this tenant, named by its own id."""

    record: EmployerRecord

    def find_learner(self, *, pk: int, **kwargs) -> User:
        self.record = selectors.employer_record_get(tenant=self.request.tenant, record_id=pk)
        return self.record.learner

    def ended(self) -> HttpResponse | None:
        """Back to the profile, saying so, when the record has already ended."""
        if self.record.ended_on is None:
            return None
        messages.error(
            self.request,
            f"The record at {self.record.organisation.name} ended on "
            f"{self.record.ended_on:%-d %B %Y}; it cannot be changed.",
        )
        return HttpResponseRedirect(profile_url(self.learner))


class RecordEditView(RecordMixin, View):
    """Change a current record's manager, mentor, interface access and Main Aim Registration
    Number. Its employer is fixed: end the record and add another to change employer."""

    template_name = "learners/employer_record_edit.html"

    def get(self, request, pk):
        if (response := self.ended()) is not None:
            return response
        record = self.record
        initial = {
            "manager": record.manager_id,
            "mentor": record.mentor_id,
            "interfaces": [code for code in INTERFACES if getattr(record, f"interface_{code}")],
            "main_aim_reference": record.main_aim_reference,
        }
        return self.render(EmployerRecordForm(initial=initial), {})

    def post(self, request, pk):
        if (response := self.ended()) is not None:
            return response
        if request.POST.get("action") != "save":  # Find, or Enter in the Find box
            form = EmployerRecordForm(initial=initial_from(request.POST, list_fields=LIST_FIELDS))
            return self.render(form, request.POST)
        form = EmployerRecordForm(request.POST)
        form.is_valid()
        try:
            services.employer_record_update(
                record=self.record, updated_by=request.user, data=form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.render(form, request.POST, status=422)
        return self.done(
            f"Employer record at {self.record.organisation.name} saved for "
            f"{self.learner.full_name}."
        )

    def render(self, form, data, status: int = 200):
        del form.fields["organisation"]
        context = {
            "form": form,
            "record": self.record,
            "learner": self.learner,
            "back_url": profile_url(self.learner),
            **offer_staff(form, self.record.organisation, data),
        }
        return render(self.request, self.template_name, context, status=status)


class RecordEndView(RecordMixin, View):
    """End a record on the learner's last day with that employer (kept as history)."""

    template_name = "learners/employer_record_end.html"

    def get(self, request, pk):
        if (response := self.ended()) is not None:
            return response
        return self.render(RecordEndForm(initial={"ended_on": timezone.localdate()}))

    def post(self, request, pk):
        if (response := self.ended()) is not None:
            return response
        form = RecordEndForm(request.POST)
        if form.is_valid():
            try:
                services.employer_record_end(
                    record=self.record,
                    ended_by=request.user,
                    ended_on=form.cleaned_data["ended_on"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return self.done(
                    f"Employer record at {self.record.organisation.name} ended for "
                    f"{self.learner.full_name}. It stays in their history."
                )
        return self.render(form, status=422)

    def render(self, form, status: int = 200):
        context = {
            "form": form,
            "record": self.record,
            "learner": self.learner,
            "back_url": profile_url(self.learner),
            "others": [
                r
                for r in selectors.employer_records_of(learner=self.learner)
                if r.pk != self.record.pk
            ],
        }
        return render(self.request, self.template_name, context, status=status)


class RecordPrimaryView(RecordMixin, View):
    """Make a current record the learner's primary one (a button on the profile)."""

    http_method_names = ["post"]

    def post(self, request, pk):
        if (response := self.ended()) is not None:
            return response
        services.employer_record_make_primary(record=self.record, changed_by=request.user)
        return self.done(
            f"{self.record.organisation.name} is now {self.learner.full_name}'s primary employer."
        )
