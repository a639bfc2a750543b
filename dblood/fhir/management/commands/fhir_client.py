from django.core.management.base import BaseCommand, CommandError

from dblood.fhir.clients import hospital_client_create
from dblood.sites.models import Site


class Command(BaseCommand):
    help = "Create an OAuth2 client (client credentials) for one hospital's system; prints its id and secret once."

    def add_arguments(self, parser):
        parser.add_argument("hospital", help="the hospital's site code")
        parser.add_argument("--name", default="", help="what the client is, e.g. 'SIMRS RSCM'")

    def handle(self, *args, hospital, name, **options):
        site = Site.objects.filter(code=hospital, kind=Site.Kind.HOSPITAL).first()
        if site is None:
            raise CommandError(f"no hospital with code {hospital!r}")
        application, secret = hospital_client_create(hospital=site, name=name)
        self.stdout.write(f"client_id={application.client_id}\nclient_secret={secret}\n")
