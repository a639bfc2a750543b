"""Keep cached token lookups (token_cache) honest: whatever changes who a token speaks for marks it."""

from django.db.models.signals import post_delete, post_save

from . import token_cache
from .models import ApiToken, Membership, User


def _token_deleted(sender, instance, **kwargs):
    token_cache.revoke([instance.key_hash])


def _user_saved(sender, instance, created, raw=False, **kwargs):
    if not (created or raw):
        token_cache.revoke_user(instance.pk)


def _membership_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        token_cache.revoke_user(instance.user_id)


def connect() -> None:
    post_delete.connect(_token_deleted, sender=ApiToken, dispatch_uid="accounts.token_deleted")
    post_save.connect(_user_saved, sender=User, dispatch_uid="accounts.user_saved")
    post_save.connect(_membership_changed, sender=Membership, dispatch_uid="accounts.membership_saved")
    post_delete.connect(_membership_changed, sender=Membership, dispatch_uid="accounts.membership_deleted")
