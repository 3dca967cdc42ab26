from django.contrib import admin

from .models import ClientCertificate


@admin.register(ClientCertificate)
class ClientCertificateAdmin(admin.ModelAdmin):
    list_display = ("subject", "user", "fingerprint_sha256", "not_after", "revoked_at")
    search_fields = ("subject", "fingerprint_sha256", "user__username")
    list_filter = ("revoked_at",)
