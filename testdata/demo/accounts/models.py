from django.conf import settings
from django.db import models
from django.utils import timezone


class ClientCertificateQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True, not_after__gt=timezone.now())


class ClientCertificate(models.Model):
    """A client certificate that has been enrolled for a user or service."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="client_certificates",
    )
    fingerprint_sha256 = models.CharField(max_length=64, unique=True)
    subject = models.CharField(max_length=512)
    not_after = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ClientCertificateQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.subject} ({self.fingerprint_sha256[:12]})"

    def revoke(self):
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])
