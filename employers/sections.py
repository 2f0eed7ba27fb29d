"""The section buttons of the employer form (see ``ui.sections``). The group search is shared
with every form that places a person in employer groups."""

from django.core.exceptions import ValidationError

from ui.parsing import parse_ids
from ui.sections import EnterKey, SectionButton

from . import services


class GroupSearch(SectionButton):
    """Search the employer groups; ticked groups stay ticked."""

    name = "groups"
    partial = "includes/group_picker.html#group-lists"


class RoleMove(SectionButton):
    """The arrow buttons: move the roles picked in one list to the other."""

    name = "roles"
    partial = "roles-section"

    def rework(self, view, data, state):
        roles = set(state["roles"])
        if data.get("move") == "unassign":
            roles -= set(parse_ids(data.getlist("roles_assigned_pick")))
        else:
            roles |= set(parse_ids(data.getlist("roles_available_pick")))
        state["roles"] = sorted(roles)
        data.setlist("roles", [str(pk) for pk in state["roles"]])
        return {}


class RoleSearch(SectionButton):
    """Find roles by name: the Available list shows one page of matches."""

    name = "role-search"
    partial = "roles-section"


class PositionSearch(SectionButton):
    """Find a position in a long list."""

    name = "positions"
    partial = "positions-section"


class PositionAdd(SectionButton):
    """Type a new position title and select Add: created for the whole tenant, and selected."""

    name = "position-add"
    partial = "positions-section"

    def rework(self, view, data, state):
        try:
            position = services.position_create(
                tenant=view.tenant, title=data.get("new_position", "")
            )
        except ValidationError as error:
            return {"new_position_error": error.messages[0]}
        data["position"] = str(position.pk)
        data["new_position"] = ""
        state["position_search"] = ""
        return {"position_added": f"Position '{position.title}' added and selected."}


class EmployerEnterKey(EnterKey):
    """Enter without JavaScript: searches applied, and a typed new position title added (as
    its Add button would), never the employer created."""

    def rework(self, view, data, state):
        notes = super().rework(view, data, state)
        if data.get("new_position", "").strip():
            notes.update(PositionAdd().rework(view, data, state))
        return notes


SECTIONS: dict[str, SectionButton] = {
    section.name: section
    for section in (
        GroupSearch(),
        RoleMove(),
        RoleSearch(),
        PositionSearch(),
        PositionAdd(),
        EmployerEnterKey(),
    )
}
