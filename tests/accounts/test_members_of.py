"""Short staff lists (the clinicians) are read by the group's id, so the database plans
them from the column's statistics instead of guessing and reading every user."""

import pytest

from clinic.accounts.models import User
from clinic.accounts.roles import Role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_members_of_a_role_are_the_same_people_as_with_role(role, people):
    assert set(User.objects.members_of(role)) == set(User.objects.with_role(role))


def test_the_clinician_list_is_filtered_by_group_id_not_by_a_join_on_the_group_name(people):
    sql = str(User.objects.members_of(Role.CLINICIAN).query)
    assert "auth_group" not in sql.replace("accounts_user_groups", "")
    assert [u.email for u in User.objects.members_of(Role.CLINICIAN)] == ["dr.lee@example.com"]


def test_a_role_without_a_group_has_no_members(people):
    from django.contrib.auth.models import Group

    Group.objects.filter(name=Role.CLINICIAN.value).delete()
    assert not User.objects.members_of(Role.CLINICIAN).exists()
