"""The API's organisations, and the employer groups, roles and positions people refer to."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from employers.models import EmployerGroup, Position
from employers.selectors import employer_roles, organisation_list
from employers.services import (
    organisation_clean,
    organisation_create,
)
from ui.parsing import search_words

from . import serializers as shapes
from .base import (
    CURSORS,
    IDEMPOTENCY,
    ApiView,
    answers,
    keyset_answer,
    named,
    search_of,
    typed_or_all_errors,
)
from .idempotency import idempotent
from .models import Scope


class OrganisationListView(ApiView):
    scopes = {"GET": Scope.ORGANISATIONS_READ, "POST": Scope.ORGANISATIONS_WRITE}

    @extend_schema(
        operation_id="organisations_list",
        summary="List employer organisations",
        parameters=[
            OpenApiParameter(
                "q", str, description="Words in the name, town, postcode or reference."
            ),
            *CURSORS,
        ],
        responses=answers({200: shapes.OrganisationPageSerializer}),
    )
    def get(self, request: Request) -> Response:
        rows = organisation_list(tenant=self.tenant, search=search_of(request))
        return keyset_answer(
            request,
            rows,
            ("name", "id"),
            lambda page: shapes.OrganisationSerializer(page, many=True).data,
        )

    @extend_schema(
        summary="Create an employer organisation",
        description="Add organisation's rules; it gets its own employer group, under "
        "parent_group (by default the top of the employer hierarchy).",
        request=shapes.OrganisationInputSerializer,
        parameters=[IDEMPOTENCY],
        responses=answers({201: shapes.OrganisationSerializer}, 422),
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = typed_or_all_errors(
            shapes.OrganisationInputSerializer,
            request.data,
            lambda typed: organisation_clean(
                tenant=self.tenant,
                name=typed.pop("name", ""),
                parent_group_id=typed.pop("parent_group", None),
                **typed,
            ),
        )
        organisation = organisation_create(
            tenant=self.tenant,
            name=data.pop("name"),
            parent_group_id=data.pop("parent_group", None),
            **data,
        )
        return Response(
            shapes.OrganisationSerializer(organisation).data, status=status.HTTP_201_CREATED
        )


class GroupListView(ApiView):
    scopes = {"GET": Scope.USERS_READ}

    @extend_schema(
        operation_id="employer_groups_list",
        summary="List employer groups",
        parameters=[
            OpenApiParameter("q", str, description="Words in the group's place."),
            *CURSORS,
        ],
        responses=answers({200: shapes.GroupPageSerializer}),
    )
    def get(self, request: Request) -> Response:
        rows = EmployerGroup.objects.for_tenant(self.tenant)
        for word in search_words(search_of(request)):
            rows = rows.filter(path__icontains=word)
        return keyset_answer(
            request,
            rows.only("id", "name", "path", "kind", "parent_id"),
            ("path", "id"),
            lambda page: shapes.GroupSerializer(page, many=True).data,
        )


class RoleListView(ApiView):
    scopes = {"GET": Scope.USERS_READ}

    @extend_schema(
        operation_id="roles_list",
        summary="List the roles an employer can be given",
        parameters=CURSORS,
        responses=answers({200: shapes.RolePageSerializer}),
    )
    def get(self, request: Request) -> Response:
        return keyset_answer(
            request,
            employer_roles(tenant=self.tenant).only("id", "name"),
            ("name", "id"),
            lambda page: named(page),
        )


class PositionListView(ApiView):
    scopes = {"GET": Scope.USERS_READ}

    @extend_schema(
        operation_id="positions_list",
        summary="List positions",
        parameters=CURSORS,
        responses=answers({200: shapes.PositionPageSerializer}),
    )
    def get(self, request: Request) -> Response:
        return keyset_answer(
            request,
            Position.objects.for_tenant(self.tenant).only("id", "title"),
            ("title", "id"),
            lambda page: shapes.PositionSerializer(page, many=True).data,
        )
