import hashlib

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.functional import cached_property


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True, role=User.Role.ADMIN)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """Everyone who signs in. Email is the login; the role decides what they may do."""

    class Role(models.TextChoices):
        DONOR = "donor", "Donor"
        BLOOD_BANK_STAFF = "blood_bank_staff", "Blood-bank staff"
        HOSPITAL_STAFF = "hospital_staff", "Hospital staff"
        ADMIN = "admin", "Administrator"

    class Language(models.TextChoices):
        EN = "en", "English"
        ID = "id", "Bahasa Indonesia"

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.DONOR)
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.ID)
    is_active = models.BooleanField(default=True)
    # Signed up and not yet confirmed: inactive (cannot log in) until the emailed link is opened
    # (accounts.signup). Never true of an active account, so a confirmation link cannot wake one
    # an admin switched off.
    signup_pending = models.BooleanField(default=False, help_text="Signed up; the emailed link not yet opened.")
    is_staff = models.BooleanField(default=False, help_text="May use the Django admin.")
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
            models.CheckConstraint(
                condition=models.Q(signup_pending=False) | models.Q(is_active=False),
                name="accounts_user_pending_is_inactive",
                violation_error_message="An account waiting for its sign-up confirmation cannot be active: "
                "untick 'signup pending' to activate it.",
            ),
        ]

    def __str__(self) -> str:
        return self.email

    # What a token's access depends on: a change to any of these must reach every cached token.
    AUTH_FIELDS = ("password", "is_active", "role", "is_staff", "is_superuser")

    @classmethod
    def from_db(cls, db, field_names, values):
        user = super().from_db(db, field_names, values)
        user.loaded_auth_state = user.auth_state()
        return user

    def auth_state(self) -> tuple:
        return tuple(self.__dict__.get(name) for name in self.AUTH_FIELDS)

    @property
    def is_donor(self) -> bool:
        return self.role == self.Role.DONOR

    @property
    def is_blood_bank_staff(self) -> bool:
        return self.role == self.Role.BLOOD_BANK_STAFF

    @property
    def is_hospital_staff(self) -> bool:
        return self.role == self.Role.HOSPITAL_STAFF

    @property
    def is_admin(self) -> bool:
        return self.role == self.Role.ADMIN or self.is_superuser

    @cached_property
    def site_ids(self) -> frozenset[int]:
        """Ids of the blood banks or hospitals this user works for (one query, cached per request)."""
        return frozenset(self.memberships.values_list("site_id", flat=True))


class Membership(models.Model):
    """Staff belong to sites: blood-bank staff to one or more blood banks, hospital staff to a hospital."""

    class Role(models.TextChoices):
        """What the member does at the site beyond their account's role."""

        STAFF = "staff", "Staff"
        # The blood bank's medical officer: alerted to severe donor complications and transfusion
        # reactions (haemovigilance); set in the admin.
        MEDICAL_OFFICER = "medical_officer", "Medical officer"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    site = models.ForeignKey("sites.Site", on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.STAFF)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "site"], name="accounts_membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.site}"


def hash_token(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    """An API token. Only its SHA-256 is stored: a leaked table does not leak live tokens."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8, help_text="First characters of the token, to tell tokens apart.")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class KnownAddress(models.Model):
    """An address this account has signed in from before (an HMAC of it, never the address).

    Failed attempts from a known address are not counted in the account's throttle bucket: a
    stranger guessing a donor's password from elsewhere fills that bucket without locking the
    owner out (the per-address bucket still limits every address).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="known_addresses")
    digest = models.CharField(max_length=64)
    last_seen_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "digest"], name="one_known_address_row")]

    def __str__(self) -> str:
        return f"{self.user} from {self.digest[:8]}"
