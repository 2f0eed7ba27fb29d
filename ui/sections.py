"""Section endpoints: one small URL for each button that reworks part of a long form.

A form page (Add Employer, Add Learner) has buttons that rework one section and show the form
again with everything typed kept: search the groups, move roles, add a position. Each button
posts the whole form to its section's own URL (``formaction``), so the page's own POST only
validates and saves. With htmx the section endpoint answers with that section alone, a template
partial; without JavaScript it answers with the whole page.
"""

from collections.abc import Mapping
from typing import Any, ClassVar

from django.http import HttpRequest, QueryDict
from django.urls import reverse


class SectionButton:
    """What one section button does. Subclasses set ``name`` (its URL segment) and ``partial``
    (the template partial that draws it) and implement ``rework``."""

    name: ClassVar[str] = ""
    partial: ClassVar[str] = ""

    def rework(self, view: Any, data: QueryDict, state: dict[str, Any]) -> dict[str, Any]:
        """Change ``data`` (the posted form, a mutable copy) and ``state`` in place for what the
        button asked; return notes for the template (a confirmation, a message)."""
        return {}


class EnterKey(SectionButton):
    """Enter pressed in a text box without JavaScript. A long form's first (hidden) submit
    button posts here, so Enter never creates or saves: the page is drawn again with every
    search box's text applied, and says nothing was saved. A page adds what Enter in one of
    its own boxes means (Add Employer's new position box adds the position). With JavaScript,
    ``static/js/aptem.js`` presses the box's own button instead."""

    name = "enter"

    def rework(self, view: Any, data: QueryDict, state: dict[str, Any]) -> dict[str, Any]:
        return {"enter_note": ENTER_NOTE}


ENTER_NOTE = "Nothing has been saved yet. Select the button at the end of the form when ready."


def section_template(request: HttpRequest, template_name: str, section: SectionButton) -> str:
    """The section's partial for htmx; the whole page for a plain form post."""
    if not getattr(request, "htmx", False) or not section.partial:
        return template_name
    return section.partial if "#" in section.partial else f"{template_name}#{section.partial}"


def section_urls(
    url_name: str, sections: Mapping[str, SectionButton], **kwargs: Any
) -> dict[str, str]:
    """The URL of each section endpoint of the page named ``url_name``, keyed as templates can
    read them (``position-add`` becomes ``position_add``)."""
    keys = [name.replace("-", "_") for name in sections]
    return {key: reverse(f"{url_name}_{key}", kwargs=kwargs or None) for key in keys}
