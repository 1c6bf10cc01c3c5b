from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, Group, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property

from .emails import normalise_email
from .roles import PERMISSIONS, STAFF_ROLES, Role


class UserQuerySet(models.QuerySet):
    def with_role(self, role: Role):
        return self.filter(groups__name=Role(role).value)

    def members_of(self, role: Role):
        """with_role(role) for a short list (the clinicians), by the group's id: one small
        query now, then a join the planner can plan.

        Filtered by group name through the join, PostgreSQL cannot know which group is
        meant and guesses a quarter of all users (four groups), so it reads every user:
        55 ms at 100,000 patients for a list of ten clinicians. Given the group's id it
        uses the column's statistics (nearly everyone is a patient) and two index look-ups.
        The first query runs when this is called: call it per request, not at import.
        """
        group = Group.objects.filter(name=Role(role).value).values_list("pk", flat=True)
        group_id = group.first()
        return self.none() if group_id is None else self.filter(groups=group_id)

    def staff_members(self):
        return self.filter(groups__name__in=[r.value for r in STAFF_ROLES]).distinct()


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def _create(self, email, password, role, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=normalise_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        if role:
            user.groups.add(Group.objects.get(name=Role(role).value))
        return user

    def create_user(self, email, password=None, *, role=Role.PATIENT, **extra):
        return self._create(email, password, role, **extra)

    def create_superuser(self, email, password=None, **extra):
        # The operations account (manage.py createsuperuser): the Django admin only, no
        # clinic role, behind the same second factor as every member of staff.
        extra.update(is_staff=True, is_superuser=True, email_verified_at=timezone.now())
        return self._create(email, password, None, **extra)

    def get_by_natural_key(self, username):
        # Emails are stored normalised; an exact match on the same form (not the database's
        # own iexact, whose case rules differ from Python's) is what axes locks on too.
        return self.get(**{self.model.USERNAME_FIELD: normalise_email(username)})


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with an email address: a patient or a member of staff."""

    email = models.EmailField("email address", unique=True)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        "Django admin access",
        default=False,
        help_text="Only clinic admins use the Django admin.",
    )
    date_joined = models.DateTimeField(default=timezone.now)
    email_verified_at = models.DateTimeField(null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["last_name", "first_name", "email"]
        permissions = list(PERMISSIONS.items())
        # Sorting lists of people by name (the staff queue, pages deep) walks this index
        # instead of sorting every row. Search has trigram indexes on PostgreSQL
        # (migration 0004: not expressible in Meta on every database).
        indexes = [
            models.Index(fields=["last_name", "first_name", "email"], name="user_name_sort_idx")
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name or self.email

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    @cached_property
    def role_names(self) -> frozenset[str]:
        return self.load_access()

    def load_access(self) -> frozenset[str]:
        """The user's roles (group names) and, unless a superuser, their permissions, in
        one query: every logged-in request needs the roles (the second-factor gate, the idle
        limit, the menu) and nearly every page the permissions (`access.require`), which
        were two queries a request (issue 15). The permissions go where Django's
        ModelBackend keeps them for the request (`_perm_cache`); a superuser's (all of
        them) are left to the backend."""
        from .backends import access_rows

        roles, perms = set(), set()
        for kind, first, second in access_rows(self.pk):
            if kind == "r":
                roles.add(first)
            else:
                perms.add(f"{first}.{second}")
        if not self.is_superuser:
            self._perm_cache = perms
        self.__dict__["role_names"] = frozenset(roles)
        return self.__dict__["role_names"]

    def forget_access(self) -> None:
        """After a change of role: the next check reads roles and permissions again."""
        self.__dict__.pop("role_names", None)
        for cache in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
            self.__dict__.pop(cache, None)

    def has_role(self, *roles: Role) -> bool:
        return any(Role(r).value in self.role_names for r in roles)

    @property
    def role(self) -> Role | None:
        """The user's role for navigation and landing; the strongest staff role wins."""
        for candidate in (Role.CLINIC_ADMIN, Role.CLINICIAN, Role.COORDINATOR, Role.PATIENT):
            if candidate.value in self.role_names:
                return candidate
        return None

    @property
    def is_clinic_staff(self) -> bool:
        return self.has_role(*STAFF_ROLES)
