"""Large tenants made with set-based SQL on PostgreSQL (seconds, not minutes)."""

from django.db import connection

FIRST_NAMES = ["Amelia", "Oliver", "Isla", "George", "Priya", "Mohammed", "Siobhan", "Tomasz"]
SURNAMES = ["Smith", "Jones", "Patel", "Nowak", "Okafor", "Campbell", "Hughes", "Murphy"]


def insert_users(tenant_id: int, count: int, *, usernames: bool = False) -> None:
    """``count`` varied users in one tenant; with ``usernames``, each has its email as one."""
    first = "ARRAY[" + ",".join(f"'{n}'" for n in FIRST_NAMES) + "]"
    last = "ARRAY[" + ",".join(f"'{n}'" for n in SURNAMES) + "]"
    email = f"'t{tenant_id}-person' || n || '@company' || (n %% 500) || '.example'"
    username = email if usernames else "NULL"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO accounts_user (
                tenant_id, user_type, status, is_archived, title, first_name, surname, email,
                username, mobile, gender, address_line_1, address_line_2, address_line_3, town,
                county, postcode, interface_classic, interface_console, is_active, is_staff,
                is_superuser, password, created_at, updated_at, invitation_count, invited_at)
            SELECT %s,
                (ARRAY['learner','employer','referrer','administrator'])[1 + n %% 4],
                (ARRAY['prospect','invited','full','expired','cancelled'])[1 + n %% 5],
                false, 'Ms',
                ({first})[1 + n %% 8] || n::text,
                ({last})[1 + (n / 8) %% 8] || (n %% 997)::text,
                {email},
                {username}, '', '', '', '', '', '', '', '', true, false, true, false, false, '!',
                now() - (n || ' minutes')::interval, now(), 0,
                CASE WHEN n %% 5 = 1 THEN now() - (n || ' minutes')::interval END
            FROM generate_series(1, %s) AS n
            """,
            [tenant_id, count],
        )
        # The invited (one in five) each have their current invitation, as the services leave them.
        cursor.execute(
            """
            UPDATE accounts_user SET invitation_count = 1
            WHERE tenant_id = %s AND status = 'invited'
            """,
            [tenant_id],
        )
        cursor.execute(
            """
            INSERT INTO accounts_invitation (
                tenant_id, user_id, sequence, email, status, created_at, sent_at, expires_at,
                provider_message_id, error)
            SELECT tenant_id, id, 1, email, 'sent', invited_at, invited_at,
                invited_at + interval '7 days', '', ''
            FROM accounts_user WHERE tenant_id = %s AND status = 'invited'
            """,
            [tenant_id],
        )
        cursor.execute("ANALYZE accounts_user")
        cursor.execute("ANALYZE accounts_invitation")


def delete_users(tenant_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM accounts_invitation WHERE tenant_id = %s", [tenant_id])
        cursor.execute("DELETE FROM accounts_user WHERE tenant_id = %s", [tenant_id])


def insert_catalogue(tenant_id: int, count: int) -> None:
    """``count`` employer groups (under one root), employer roles, positions and organisations
    (each with its own group), as a large tenant has them."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO employers_employergroup (tenant_id, name, parent_id, kind, path, depth)
            VALUES (%s, 'All employers', NULL, 'employer_group', 'All employers', 0)
            RETURNING id
            """,
            [tenant_id],
        )
        root = cursor.fetchone()[0]
        cursor.execute(
            """
            INSERT INTO employers_employergroup (tenant_id, name, parent_id, kind, path, depth)
            SELECT %s, 'Group ' || n, %s, 'employer_group', 'All employers › Group ' || n, 1
            FROM generate_series(1, %s) AS n
            """,
            [tenant_id, root, count],
        )
        cursor.execute(
            """
            INSERT INTO accounts_role (tenant_id, name, audience)
            SELECT %s, 'Employer role ' || n, 'employer' FROM generate_series(1, %s) AS n
            """,
            [tenant_id, count],
        )
        cursor.execute(
            """
            INSERT INTO employers_position (tenant_id, title)
            SELECT %s, 'Position ' || n FROM generate_series(1, %s) AS n
            """,
            [tenant_id, count],
        )
        cursor.execute(
            """
            WITH made AS (
                INSERT INTO employers_employergroup (tenant_id, name, parent_id, kind, path, depth)
                SELECT %s, 'Employer ' || n || ' Ltd', %s, 'employer',
                    'All employers › Employer ' || n || ' Ltd', 1
                FROM generate_series(1, %s) AS n
                RETURNING id, name
            )
            INSERT INTO employers_organisation (
                tenant_id, name, address_line_1, address_line_2, town, postcode, reference,
                group_id)
            SELECT %s, name, '', '', 'Town ' || (id %% 997), 'AB1 2CD', '', id FROM made
            """,
            [tenant_id, root, count, tenant_id],
        )
        for table in (
            "employers_employergroup",
            "accounts_role",
            "employers_position",
            "employers_organisation",
        ):
            cursor.execute(f"ANALYZE {table}")


def delete_catalogue(tenant_id: int) -> None:
    with connection.cursor() as cursor:
        for table in (
            "employers_organisation",
            "employers_position",
            "accounts_role",
        ):
            cursor.execute(f"DELETE FROM {table} WHERE tenant_id = %s", [tenant_id])
        cursor.execute(
            "DELETE FROM employers_employergroup WHERE tenant_id = %s AND parent_id IS NOT NULL",
            [tenant_id],
        )
        cursor.execute("DELETE FROM employers_employergroup WHERE tenant_id = %s", [tenant_id])
