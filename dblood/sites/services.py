"""Writes for sites: the photo of a blood bank or hospital."""

import logging

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from .models import Site
from .photos import photo_name, photo_reencode

logger = logging.getLogger(__name__)


def delete_photo_file(name: str) -> None:
    """Remove a stored photo; a file already gone is fine, a storage error is logged, not raised
    (the row no longer points at it, so at worst an orphan file stays behind)."""
    if not name:
        return
    try:
        default_storage.delete(name)
    except OSError:
        logger.warning("could not delete site photo %s", name, exc_info=True)


def site_photo_replace(*, site: Site, upload) -> Site:
    """Store a re-encoded copy of `upload` as the site's photo; the old file goes after commit.

    Validation and re-encoding happen before anything is written. The new file is written before
    the row changes and removed again if the transaction does not commit, so a failed upload
    leaves neither a file nor a half-written row.
    """
    photo = photo_reencode(upload)
    name = default_storage.save(photo_name(site_id=site.pk), ContentFile(photo.content))
    try:
        with transaction.atomic():
            # Race: two uploads for one site at once. The row lock orders them, so each sees the
            # photo the other stored as "old" and deletes it after commit: no orphan file.
            locked = Site.objects.select_for_update().get(pk=site.pk)
            old = locked.photo.name if locked.photo else ""
            locked.photo = name
            locked.photo_width = photo.width
            locked.photo_height = photo.height
            locked.save(update_fields=["photo", "photo_width", "photo_height"])
            transaction.on_commit(lambda: delete_photo_file(old))
    except BaseException:
        delete_photo_file(name)
        raise
    return locked


def site_photo_delete(*, site: Site) -> Site:
    """Remove the site's photo (nothing to do when it has none); the file goes after commit."""
    with transaction.atomic():
        locked = Site.objects.select_for_update().get(pk=site.pk)
        old = locked.photo.name if locked.photo else ""
        if old:
            locked.photo = None
            locked.photo_width = None
            locked.photo_height = None
            locked.save(update_fields=["photo", "photo_width", "photo_height"])
            transaction.on_commit(lambda: delete_photo_file(old))
    return locked
