"""A permission check reads the user's own and their groups' permissions in one query, and
answers exactly as Django's ModelBackend does."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission

from clinic.accounts.models import User

pytestmark = pytest.mark.django_db


def _fresh(user):
    return User.objects.get(pk=user.pk)


@pytest.mark.parametrize("who", ["patient", "clinician", "coordinator", "clinic_admin"])
def test_every_role_has_exactly_the_permissions_django_gives_it(people, who):
    ours = _fresh(people[who]).get_all_permissions()
    django = ModelBackend().get_all_permissions(_fresh(people[who]))
    assert ours == django and ours


def test_a_permission_given_to_the_user_alone_counts_too(people):
    coordinator = people["coordinator"]
    extra = Permission.objects.get(codename="review_intakes")
    coordinator.user_permissions.add(extra)
    assert _fresh(coordinator).has_perm("accounts.review_intakes")
    assert not _fresh(people["patient"]).has_perm("accounts.review_intakes")


def test_an_inactive_user_has_no_permissions(people):
    clinician = people["clinician"]
    User.objects.filter(pk=clinician.pk).update(is_active=False)
    assert not _fresh(clinician).has_perm("accounts.view_staff_dashboard")


def test_a_permission_check_is_one_query_granted_or_refused(people, django_assert_num_queries):
    coordinator = _fresh(people["coordinator"])
    with django_assert_num_queries(1):
        assert coordinator.has_perm("accounts.view_staff_dashboard")
        assert not coordinator.has_perm("accounts.view_clinical_answers")
        assert coordinator.has_perms(["accounts.manage_bookings", "accounts.manage_schedules"])


def test_the_permission_query_looks_the_user_up_by_id_not_through_every_group_row(people):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        _fresh(people["clinician"]).has_perm("accounts.review_intakes")
    sql = queries.captured_queries[-1]["sql"]
    assert "auth_permission" in sql and "LEFT OUTER JOIN" not in sql


@pytest.mark.parametrize("who", ["patient", "clinician", "coordinator", "clinic_admin"])
def test_roles_and_permissions_come_in_one_query_whichever_is_asked_first(
    people, who, django_assert_num_queries
):
    from clinic.accounts.roles import Role

    role = Role(who)
    roles_first, perms_first = _fresh(people[who]), _fresh(people[who])
    expected = ModelBackend().get_all_permissions(_fresh(people[who]))
    with django_assert_num_queries(1):
        assert roles_first.has_role(role)
        assert roles_first.get_all_permissions() == expected
    with django_assert_num_queries(1):
        assert perms_first.get_all_permissions() == expected
        assert perms_first.has_role(role) and perms_first.role == role


def test_a_changed_role_is_seen_at_once_by_the_same_user_object(people):
    from clinic.accounts import services
    from clinic.accounts.roles import Role

    coordinator, admin = _fresh(people["coordinator"]), _fresh(people["clinic_admin"])
    assert not coordinator.has_perm("accounts.review_intakes")
    services.change_staff_role(
        actor=admin, user=coordinator, role=Role.CLINICIAN, reason="covering"
    )
    assert coordinator.role == Role.CLINICIAN
    assert coordinator.has_perm("accounts.review_intakes")
