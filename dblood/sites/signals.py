"""A deleted site (the admin, a cascade) takes its photo file with it, once the delete commits;
any saved or deleted site makes cached site searches stale."""

from django.db import transaction
from django.db.models.signals import post_delete

from dblood.core.answers import changed_with

from .models import Site
from .selectors import SITES_SCOPE
from .services import delete_photo_file


def _site_deleted(sender, instance, **kwargs):
    if instance.photo:
        name = instance.photo.name
        transaction.on_commit(lambda: delete_photo_file(name))


def connect() -> None:
    post_delete.connect(_site_deleted, sender=Site, dispatch_uid="sites.site_deleted")
    changed_with(SITES_SCOPE, Site)
