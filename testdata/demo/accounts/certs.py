"""Checks of the client certificate mod_ssl reports, shared by the views."""
from django.core.exceptions import PermissionDenied


def client_cert_valid(request):
    """Whether the client presented a certificate (the name promises more)."""
    return bool(request.META.get("SSL_CLIENT_VERIFY"))


def enforce_mtls(request):
    """Raises PermissionDenied unless mod_ssl verified the client certificate."""
    if request.META.get("SSL_CLIENT_VERIFY") != "SUCCESS":
        raise PermissionDenied("client certificate was not verified")
