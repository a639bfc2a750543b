"""Keep cached token lookups (token_cache) honest: whatever changes who a token speaks for marks it."""

from django.db.models.signals import post_delete, post_save

from . import token_cache
from .models import ApiToken, Membership, User


def _token_deleted(sender, instance, **kwargs):
    token_cache.revoke([instance.key_hash])


def _user_saved(sender, instance, created, raw=False, **kwargs):
    if not (created or raw):
        # A change of what access depends on must be confirmed by the cache (or refused); a change
        # of name or language only refreshes the cached copy, as well as the cache allows.
        access_changed = getattr(instance, "loaded_auth_state", None) != instance.auth_state()
        token_cache.revoke_user(instance.pk, required=access_changed)
        instance.loaded_auth_state = instance.auth_state()


def _membership_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        token_cache.revoke_user(instance.user_id)


def connect() -> None:
    post_delete.connect(_token_deleted, sender=ApiToken, dispatch_uid="accounts.token_deleted")
    post_save.connect(_user_saved, sender=User, dispatch_uid="accounts.user_saved")
    post_save.connect(_membership_changed, sender=Membership, dispatch_uid="accounts.membership_saved")
    post_delete.connect(_membership_changed, sender=Membership, dispatch_uid="accounts.membership_deleted")
