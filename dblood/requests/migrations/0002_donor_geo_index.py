"""An index on the donors table for call-out and recruitment selection, owned by this app.

Call-outs filter donors by a bounding box around the collection site; this partial index on
(latitude, longitude) of opted-in donors lets PostgreSQL cut a million rows to the box before
the exact distance is computed. (It lives here because the query lives here; the donors app's
models stay untouched.)
"""

from django.db import migrations

SQL = (
    "CREATE INDEX IF NOT EXISTS requests_donor_callout_geo "
    "ON donors_donor (latitude, longitude) WHERE call_out_opt_in"
)


class Migration(migrations.Migration):
    dependencies = [
        ("requests", "0001_initial"),
        ("donors", "0001_initial"),
    ]

    operations = [migrations.RunSQL(SQL, reverse_sql="DROP INDEX IF EXISTS requests_donor_callout_geo")]
