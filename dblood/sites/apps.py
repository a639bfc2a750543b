from django.apps import AppConfig


class SitesConfig(AppConfig):
    name = "dblood.sites"
    label = "sites"
    verbose_name = "Blood banks and hospitals"

    def ready(self):
        from django.conf import settings
        from PIL import Image

        from . import signals

        signals.connect()
        # Any Pillow decode in the api (not only site photos) refuses decompression bombs.
        Image.MAX_IMAGE_PIXELS = settings.SITE_PHOTO_MAX_PIXELS
