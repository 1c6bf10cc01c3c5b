"""Permission checks in one query instead of two, and with the roles in that one query."""

from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection


@cache
def _access_sql() -> str:
    """One statement: the user's group names ('r', name, NULL), then the permissions of
    their groups and their own ('p', app label, codename). Subqueries by user id, not joins
    through the reverse relations: those joins (LEFT OUTER, user_groups) read every
    patient's group row, 25 ms at 100,000 patients. Written once a process as SQL (the ORM
    spent more time building this statement than the database running it)."""
    user = get_user_model()
    user_groups = connection.ops.quote_name(user.groups.through._meta.db_table)
    user_perms = connection.ops.quote_name(user.user_permissions.through._meta.db_table)
    group = connection.ops.quote_name(Group._meta.db_table)
    group_perms = connection.ops.quote_name(Group.permissions.through._meta.db_table)
    perm = connection.ops.quote_name(Permission._meta.db_table)
    content_type = connection.ops.quote_name(ContentType._meta.db_table)
    # Only table names from the models' own meta, quoted; the user id goes as a parameter.
    sql = (
        f"SELECT 'r', g.name, NULL FROM {group} g"  # noqa: S608 - see above
        f" WHERE g.id IN (SELECT ug.group_id FROM {user_groups} ug WHERE ug.user_id = %s)"
        " UNION ALL"
        f" SELECT 'p', ct.app_label, p.codename FROM {perm} p"
        f" INNER JOIN {content_type} ct ON ct.id = p.content_type_id"
        f" WHERE p.id IN (SELECT gp.permission_id FROM {group_perms} gp WHERE gp.group_id IN"
        f" (SELECT ug.group_id FROM {user_groups} ug WHERE ug.user_id = %s))"
        f" OR p.id IN (SELECT up.permission_id FROM {user_perms} up WHERE up.user_id = %s)"
    )
    return sql


def access_rows(user_id: int) -> list[tuple[str, str, str | None]]:
    with connection.cursor() as cursor:
        cursor.execute(_access_sql(), [user_id, user_id, user_id])
        return cursor.fetchall()


class OneQueryPermissions(ModelBackend):
    """ModelBackend's permissions (the user's own and their groups'), read in one query,
    the same that reads the user's roles (`User.load_access`).

    ModelBackend reads the user's permissions and their groups' permissions in two queries,
    on every page a role's permission guards (issue 15), and the roles were a third. This
    reads all of it at once into the same per-request cache ModelBackend keeps
    (`_perm_cache`), so ModelBackend, listed after it, answers from that cache too. It never
    logs anyone in: ModelBackend does, as before.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        return None

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            if user_obj.is_superuser:
                rows = Permission.objects.values_list("content_type__app_label", "codename")
                user_obj._perm_cache = {f"{app}.{codename}" for app, codename in rows}
            else:
                user_obj.load_access()  # the roles too, which the request needs anyway
        return user_obj._perm_cache
