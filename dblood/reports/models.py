from django.conf import settings
from django.db import models


class ReportDownload(models.Model):
    """One CSV or XLSX download of a report: who took which numbers away, for which banks and days.

    Written by `views` for every file served and logged by `dblood.audit` (AUDITED); never updated.
    """

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    report = models.CharField(max_length=40)
    format = models.CharField(max_length=4, choices=Format.choices)
    # The banks covered: empty for the national report.
    site_ids = models.JSONField(default=list, blank=True)
    first_day = models.DateField()
    last_day = models.DateField()

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.report}.{self.format} {self.first_day}..{self.last_day}"
