"""Case-insensitive equality that the database can answer from an index.

Django's ``iexact`` compiles to ``UPPER(col) = UPPER(value)`` on PostgreSQL, but our unique
constraints (username, a tenant's email, position titles, organisation names) are on
``LOWER(col)``: an ``iexact`` lookup ignores them and scans the table (~1 s at a million users).
Define the uniqueness and query it with the same expression: ``field__lower=ci(value)`` compiles
to ``LOWER(col) = LOWER(value)``.
"""

from django.db.models import CharField, Value
from django.db.models.functions import Lower

CharField.register_lookup(Lower)  # EmailField and SlugField inherit it


def ci(value: str) -> Lower:
    """``value`` lowered by the database itself, so both sides fold case the same way."""
    return Lower(Value(value, output_field=CharField()))
