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
