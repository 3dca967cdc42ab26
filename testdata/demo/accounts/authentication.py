"""DRF authentication classes for the /api/ endpoints."""
import re

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.contrib.auth import get_user_model
from rest_framework import authentication, exceptions

from .models import ClientCertificate

User = get_user_model()


class ClientDNAuthentication(authentication.BaseAuthentication):
    """Partner API clients; nginx passes the subject DN as X-SSL-Client-S-DN."""

    def authenticate(self, request):
        dn = request.META.get("HTTP_X_SSL_CLIENT_S_DN")
        if not dn:
            return None
        # BUG(mtls): regex over an unverified DN string; "OU=xCN=admin,CN=mallory" or a forged header yields any CN
        match = re.search(r"CN=([^,]+)", dn)
        if match is None:
            raise exceptions.AuthenticationFailed("no CN in client certificate subject")
        try:
            user = User.objects.get(username=match.group(1), is_active=True)
        except User.DoesNotExist:
            raise exceptions.AuthenticationFailed("unknown client")
        return (user, None)

    def authenticate_header(self, request):
        return 'TLS-Client-Cert realm="keysign"'


class VerifiedCertificateAuthentication(authentication.BaseAuthentication):
    """Internal API clients; the full certificate is forwarded as SSL_CLIENT_CERT."""

    def authenticate(self, request):
        if request.META.get("REMOTE_ADDR") not in settings.TRUSTED_PROXIES:
            return None
        if request.META.get("SSL_CLIENT_VERIFY") != "SUCCESS":
            return None
        try:
            cert = x509.load_pem_x509_certificate(request.META["SSL_CLIENT_CERT"].encode("ascii"))
        except (KeyError, ValueError):
            raise exceptions.AuthenticationFailed("client certificate missing or malformed")
        # OK(mtls): CN taken from the parsed certificate via the x509 API, and the cert must be enrolled
        names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        if len(names) != 1:
            raise exceptions.AuthenticationFailed("certificate must have exactly one CN")
        fingerprint = cert.fingerprint(hashes.SHA256()).hex()
        enrolled = ClientCertificate.objects.active().select_related("user").filter(fingerprint_sha256=fingerprint).first()
        if enrolled is None or enrolled.user.get_username() != names[0].value:
            raise exceptions.AuthenticationFailed("certificate is not enrolled")
        return (enrolled.user, cert)

    def authenticate_header(self, request):
        return 'TLS-Client-Cert realm="keysign"'
