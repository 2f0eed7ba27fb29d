"""The API's people: list, read, create, edit, invite, cancel, archive, and create in bulk,
through the same services as the pages and CSV uploads, so every rule and message is the same."""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import lifecycle, selectors
from accounts.forms import UserListFilterForm
from accounts.invitations.models import Invitation
from accounts.invitations.selectors import invitation_state
from accounts.invitations.services import invitation_send
from accounts.models import User, UserStatus, UserType, shown_status_of
from accounts.services import PERSON_FIELDS
from employers.models import EmployerGroup, EmployerProfile
from employers.services import (
    employer_clean,
    employer_create,
    employer_update,
)
from learners.models import EmployerRecord, LearnerProfile
from learners.services import learner_clean, learner_create, learner_update
from uploads import employers as employer_rows
from uploads.people import ImportRaced
from uploads.tasks import queue_invitations

from . import serializers as shapes
from .base import (
    CURSORS,
    IDEMPOTENCY,
    ApiView,
    Conflict,
    answers,
    keyset_answer,
    limit_of,
    named,
    typed_or_all_errors,
)
from .idempotency import idempotent
from .models import Scope
from .problems import problem
from .serializers import learner_data

# The parts of a person the API shows that are not on the user's own row.
FROM_ELSEWHERE = {
    "employer_groups",
    "roles",
    "position",
    "date_of_birth",
    "national_insurance_number",
    "employer_records",
}
NOT_EDITABLE_HERE = "Only employers and learners can be edited through the API."
NOT_FOR_KIND = "%(kind)s do not have this. Leave it out."
DEFAULT_GROUP_UNKNOWN = "No employer group with this id in this tenant."
BULK_HAS_ERRORS = "%(count)s problem(s) in the rows; nothing was created or changed."
BULK_RACED = (
    "Someone created an account with one of these email addresses meanwhile, so nothing was "
    "written. Send the request again to check it."
)


def user_data(user: User) -> dict[str, Any]:
    """A person as the API shows them: the profile page's facts."""
    position = None
    profile = None
    records: list[dict[str, Any]] = []
    if user.user_type == UserType.EMPLOYER:
        employer = EmployerProfile.objects.filter(user=user).select_related("position").first()
        if employer and employer.position:
            position = {"id": employer.position.pk, "name": employer.position.title}
    if user.user_type == UserType.LEARNER:
        profile = LearnerProfile.objects.filter(user=user).first()
        rows = (
            EmployerRecord.objects.filter(learner=user)
            .select_related("organisation", "manager", "mentor")
            .order_by("ended_on", "-is_primary", "created_at", "id")
        )
        records = [
            {
                "id": record.pk,
                "organisation": {"id": record.organisation.pk, "name": record.organisation.name},
                "manager": {"id": record.manager.pk, "name": record.manager.full_name}
                if record.manager
                else None,
                "mentor": {"id": record.mentor.pk, "name": record.mentor.full_name}
                if record.mentor
                else None,
                "interfaces": record.interface_codes,
                "main_aim_reference": record.main_aim_reference,
                "is_primary": record.is_primary,
                "ended_on": record.ended_on,
            }
            for record in rows
        ]
    # What the person's own row holds, under each field's source; the rest is added below.
    facts: dict[str, Any] = {
        field.source: getattr(user, field.source)
        for name, field in shapes.UserDetailSerializer().fields.items()
        if name not in FROM_ELSEWHERE
    }
    facts.update(
        employer_groups=named(user.employer_groups.order_by("path"), "path"),
        roles=named(user.roles.order_by("name")),
        position=position,
        date_of_birth=profile.date_of_birth if profile else None,
        national_insurance_number=profile.national_insurance_number if profile else "",
        employer_records=records,
    )
    return shapes.UserDetailSerializer(facts).data


def invitation_data(invitation: Invitation | None) -> dict[str, Any] | None:
    if invitation is None:
        return None
    data = dict(shapes.InvitationSerializer(invitation).data)
    data["status"] = invitation_state(invitation, user=invitation.user)
    return data


def created(user: User, invitation: Invitation | None) -> Response:
    return Response(
        {"user": user_data(user), "invitation": invitation_data(invitation)},
        status=status.HTTP_201_CREATED,
        headers={"Location": reverse("api:user", args=[user.pk])},
    )


class UserListView(ApiView):
    scopes = {"GET": Scope.USERS_READ}
    FILTERS = ("q", "archived", "missing_mobile", "group", "sort")
    MANY_FILTERS = ("status", "type")

    def filters(self, request: Request) -> dict[str, Any]:
        """The search, filters and sort asked for, checked by the Users list's own form (and so
        with its messages); none asked for is the list as it first opens."""
        if not any(name in request.query_params for name in self.FILTERS + self.MANY_FILTERS):
            return {}
        query = QueryDict(mutable=True)
        for name in self.FILTERS:
            if name in request.query_params:
                query[name] = request.query_params[name]
        for name in self.MANY_FILTERS:
            query.setlist(name, request.query_params.getlist(name))
        query["per_page"] = "10"
        # The employer-group filter reads groups to check the one asked for: only then.
        form = UserListFilterForm(query, tenant=self.tenant if "group" in query else None)
        if not form.is_valid():
            raise exceptions.ValidationError(_as_messages(form.errors.get_json_data()))
        return form.filters()

    @extend_schema(
        operation_id="users_list",
        summary="List and search users",
        description="The Users list's search and filters, newest first (or sorted), a page at "
        "a time. Follow next for the following page: the cursor keeps its place however deep.",
        parameters=[
            OpenApiParameter("q", str, description="Words in the name or email."),
            OpenApiParameter("status", str, many=True, enum=UserStatus.values),
            OpenApiParameter("type", str, many=True, enum=UserType.values),
            OpenApiParameter("archived", bool, description="Archived accounts only."),
            OpenApiParameter("missing_mobile", bool),
            OpenApiParameter("group", int, description="In this employer group or below."),
            OpenApiParameter("sort", str, enum=selectors.USER_LIST_SORT_KEYS),
            *CURSORS,
        ],
        responses=answers({200: shapes.UserPageSerializer}),
    )
    def get(self, request: Request) -> Response:
        per_page = limit_of(request)
        filters = self.filters(request)
        users = selectors.user_list_values(tenant=self.tenant, **filters)
        today = timezone.localdate()
        zone = timezone.get_current_timezone()
        tenant_end = self.tenant.access_ends_on

        def shape(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
            # The rows from values(), shaped in place (a serializer a row is slower: see the bench).
            # Times stay datetimes, in the current time zone: the renderer writes them as
            # DRF's DateTimeField would.
            for row in rows:
                ends = row["access_ends_on"] or tenant_end
                row["status"] = shown_status_of(row["status"], ends, today)
                row["created_at"] = row["created_at"].astimezone(zone)
            return rows

        # The order user_list gave the rows: the page's cursor follows it.
        ordering = selectors.user_list_ordering(filters.get("sort", ""))
        return keyset_answer(request, users, ordering, shape, per_page)


def _as_messages(errors: Any) -> Any:
    """A Django form's get_json_data() as field → messages."""
    return {field: [item["message"] for item in items] for field, items in errors.items()}


class UserView(ApiView):
    scopes = {"GET": Scope.USERS_READ, "PATCH": Scope.USERS_WRITE}

    @extend_schema(
        summary="Read a user", responses=answers({200: shapes.UserDetailSerializer}, 404)
    )
    def get(self, request: Request, pk: int) -> Response:
        user = selectors.user_get(tenant=self.tenant, user_id=pk)
        return Response(user_data(user))

    @extend_schema(
        summary="Update an employer or a learner",
        description="Send only what changes. The Edit form's rules apply to the result. A new "
        "email stops earlier activation links.",
        request=shapes.UserUpdateSerializer,
        responses=answers({200: shapes.UserDetailSerializer}, 404, 409),
    )
    def patch(self, request: Request, pk: int) -> Response:
        user = selectors.user_get(tenant=self.tenant, user_id=pk)
        given = shapes.UserUpdateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        changes = dict(given.validated_data)
        current: dict[str, Any] = {field: getattr(user, field) for field in PERSON_FIELDS}
        current["employer_groups"] = [group.pk for group in user.employer_groups.all()]
        if user.user_type == UserType.EMPLOYER:
            only_learners = {"date_of_birth", "national_insurance_number"}
            self._refuse(changes, only_learners, "Employers")
            employer = EmployerProfile.objects.filter(user=user).first()
            current.update(
                roles=[role.pk for role in user.roles.all()],
                position=employer.position_id if employer else None,
                interfaces=user.interface_codes,
            )
            update: Callable[..., Any] = employer_update
        elif user.user_type == UserType.LEARNER:
            self._refuse(changes, {"roles", "position", "interfaces"}, "Learners")
            profile = LearnerProfile.objects.filter(user=user).first()
            current.update(
                date_of_birth=profile.date_of_birth if profile else None,
                national_insurance_number=profile.national_insurance_number if profile else "",
            )
            update = learner_update
        else:
            raise Conflict(NOT_EDITABLE_HERE)
        user, _ = update(user=user, updated_by=request.user, data={**current, **changes})
        return Response(user_data(selectors.user_get(tenant=self.tenant, user_id=user.pk)))

    @staticmethod
    def _refuse(changes: dict[str, Any], fields: set[str], kind: str) -> None:
        wrong = sorted(fields & set(changes))
        if wrong:
            message = NOT_FOR_KIND % {"kind": kind}
            raise exceptions.ValidationError({field: [message] for field in wrong})


class EmployerCreateView(ApiView):
    scopes = {"POST": Scope.USERS_WRITE}

    @extend_schema(
        summary="Create an employer",
        description="Add Employer's rules. invite true sends the activation email at once "
        "(after the account is saved); false keeps them as a Prospect.",
        request=shapes.EmployerInputSerializer,
        parameters=[IDEMPOTENCY],
        responses=answers({201: shapes.CreatedUserSerializer}, 409, 422),
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = typed_or_all_errors(
            shapes.EmployerInputSerializer,
            request.data,
            lambda typed: employer_clean(tenant=self.tenant, data=typed),
        )
        user, invitation = employer_create(tenant=self.tenant, created_by=request.user, data=data)
        return created(user, invitation)


class LearnerCreateView(ApiView):
    scopes = {"POST": Scope.USERS_WRITE}

    @extend_schema(
        summary="Create a learner with their employer records",
        description="Add Learner's rules. The record marked primary (else the first) is the "
        "learner's main employer.",
        request=shapes.LearnerInputSerializer,
        parameters=[IDEMPOTENCY],
        responses=answers({201: shapes.CreatedUserSerializer}, 409, 422),
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = typed_or_all_errors(
            shapes.LearnerInputSerializer,
            request.data,
            lambda typed: learner_clean(tenant=self.tenant, data=learner_data(typed)),
        )
        user, invitation = learner_create(
            tenant=self.tenant, created_by=request.user, data=learner_data(data)
        )
        return created(user, invitation)


NO_INVITATION = "No invitation has been sent to this person."


class InvitationView(ApiView):
    scopes = {"GET": Scope.USERS_READ, "POST": Scope.INVITATIONS_SEND}

    @extend_schema(
        summary="Read what became of the latest invitation",
        description="Its status: still being sent, sent, delivered, bounced or failed, or what "
        "ended its link (replaced, revoked, used, expired).",
        responses=answers({200: shapes.InvitationSerializer}, 404),
    )
    def get(self, request: Request, pk: int) -> Response:
        user = selectors.user_get(tenant=self.tenant, user_id=pk)
        latest = Invitation.objects.filter(user=user).order_by("-sequence").first()
        if latest is None:
            return problem(404, NO_INVITATION)
        latest.user = user
        return Response(invitation_data(latest))

    @extend_schema(
        summary="Send (or resend) the activation email",
        description="For a Prospect or an Invited person. The new link replaces every older "
        "one; the email leaves once this is saved.",
        request=None,
        parameters=[IDEMPOTENCY],
        responses=answers({201: shapes.InvitationSerializer}, 404, 409, 422),
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        user = selectors.user_get(tenant=self.tenant, user_id=pk)
        try:
            invitation, _ = invitation_send(user=user, sent_by=request.user)
        except DjangoValidationError as error:
            raise Conflict(" ".join(error.messages)) from None
        return Response(invitation_data(invitation), status=status.HTTP_201_CREATED)


class LifecycleView(ApiView):
    """Cancel, reactivate, archive or unarchive: the profile's buttons."""

    scopes = {"POST": Scope.USERS_WRITE}

    def post(self, request: Request, pk: int) -> Response:
        user = selectors.user_get(tenant=self.tenant, user_id=pk)
        try:
            with transaction.atomic():
                self.act(request, user)
        except DjangoValidationError as error:
            if hasattr(error, "error_dict"):
                raise
            raise Conflict(" ".join(error.messages)) from None
        return Response(user_data(selectors.user_get(tenant=self.tenant, user_id=pk)))

    def act(self, request: Request, user: User) -> None:
        raise NotImplementedError


def lifecycle_schema(summary: str, **more: Any) -> Any:
    """The schema of one of the profile's buttons: the person comes back, or 404 or 409."""
    options = {"request": None, **more}
    responses = answers({200: shapes.UserDetailSerializer}, 404, 409)
    return extend_schema_view(post=extend_schema(summary=summary, responses=responses, **options))


@lifecycle_schema(
    "Cancel an account",
    description="Ends every session and link at once; the reason goes to the audit trail.",
    request=shapes.CancelSerializer,
)
class CancelView(LifecycleView):
    def act(self, request: Request, user: User) -> None:
        given = shapes.CancelSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        reason = given.validated_data["reason"]
        lifecycle.account_cancel(user=user, cancelled_by=request.user, reason=reason)


@lifecycle_schema("Reactivate a cancelled account")
class ReactivateView(LifecycleView):
    def act(self, request: Request, user: User) -> None:
        lifecycle.account_reactivate(user=user, reactivated_by=request.user)


@lifecycle_schema("Archive an account")
class ArchiveView(LifecycleView):
    def act(self, request: Request, user: User) -> None:
        lifecycle.account_archive(user=user, archived_by=request.user)


@lifecycle_schema("Unarchive an account")
class UnarchiveView(LifecycleView):
    def act(self, request: Request, user: User) -> None:
        lifecycle.account_unarchive(user=user, unarchived_by=request.user)


class EmployerBulkView(ApiView):
    scopes = {"POST": Scope.USERS_WRITE}

    @extend_schema(
        summary="Create (or update) up to 1,000 employers at once",
        description="A CSV upload's checks and writes: groups, roles and the position by name; "
        "every row is written or none, and each problem is reported by row and field.",
        request=shapes.BulkEmployersSerializer,
        parameters=[IDEMPOTENCY],
        responses=answers({201: shapes.BulkResultSerializer}, 409, 422),
    )
    @idempotent
    def post(self, request: Request) -> Response:
        given = shapes.BulkEmployersInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        options = given.validated_data
        default_group = None
        if options.get("default_group"):
            default_group = (
                EmployerGroup.objects.for_tenant(self.tenant)
                .filter(pk=options["default_group"])
                .first()
            )
            if default_group is None:
                raise exceptions.ValidationError({"default_group": [DEFAULT_GROUP_UNKNOWN]})
        rows = []
        wrong_types: dict[str, Any] = {}
        for number, row in enumerate(options["rows"], start=1):
            cells, problems = shapes.bulk_cells(row)
            rows.append((number, cells, 0))
            for field, message in problems.items():
                wrong_types[f"rows.{number - 1}.{field}"] = [message]
        if wrong_types:
            raise exceptions.ValidationError(wrong_types)
        found = employer_rows.check_rows(
            tenant=self.tenant,
            rows=rows,
            header_width=len(employer_rows.COLUMNS),
            default_group=default_group,
            send_invitations=options["send_invitations"],
            update_existing=options["existing"] == "update",
            max_rows=len(rows),
        )
        if found.error_count:
            field_of = {label: field for field, label in employer_rows.LABELS.items()}
            errors = [
                {
                    "field": f"rows.{row - 1}.{field_of.get(column, '')}".rstrip("."),
                    "row": row,
                    "message": message,
                    "code": "invalid",
                }
                for row, column, message in found.problems
            ]
            return problem(400, BULK_HAS_ERRORS % {"count": found.error_count}, errors=errors)
        try:
            with transaction.atomic():
                made, changed, invitation_ids = employer_rows.write(
                    tenant=self.tenant, uploaded_by=request.user, found=found, now=timezone.now()
                )
                queue_invitations(invitation_ids)
        except ImportRaced:
            raise Conflict(BULK_RACED) from None
        result = {
            "created": made,
            "updated": changed,
            "skipped": found.skipped,
            "invited": len(invitation_ids),
        }
        return Response(result, status=status.HTTP_201_CREATED)
