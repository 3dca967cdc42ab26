"""Authentication backends for service-to-service callers."""
import logging
import re
from urllib.parse import unquote

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import BaseBackend

from .models import ClientCertificate

logger = logging.getLogger(__name__)

User = get_user_model()

# One key=value pair of an Envoy x-forwarded-client-cert element; values may be quoted.
_XFCC_PAIR = re.compile(r'([A-Za-z]+)=("(?:[^"\\]|\\.)*"|[^;,]*)')


def parse_xfcc(value: str) -> dict:
    """Return the fields of the last element of an XFCC header (the hop closest to us)."""
    fields = {}
    for key, raw in _XFCC_PAIR.findall(value):
        if key == "By" and fields:
            fields = {}
        fields[key] = unquote(raw.strip('"'))
    return fields


def _user_for_fingerprint(fingerprint: str):
    cert = (
        ClientCertificate.objects.active()
        .select_related("user")
        .filter(fingerprint_sha256=fingerprint.lower(), user__is_active=True)
        .first()
    )
    return cert.user if cert else None


class _UserLookupMixin:
    def get_user(self, user_id):
        try:
            return User.objects.get(pk=user_id, is_active=True)
        except User.DoesNotExist:
            return None


class EnvoyXFCCBackend(_UserLookupMixin, BaseBackend):
    """Callers inside the mesh, identified by the XFCC header Envoy adds."""

    def authenticate(self, request, **kwargs):
        if request is None:
            return None
        # BUG(mtls): XFCC honoured from any peer; REMOTE_ADDR is never checked against settings.TRUSTED_PROXIES
        header = request.META.get("HTTP_X_FORWARDED_CLIENT_CERT")
        if not header:
            return None
        return _user_for_fingerprint(parse_xfcc(header).get("Hash", ""))


class TrustedProxyXFCCBackend(_UserLookupMixin, BaseBackend):
    """Same as EnvoyXFCCBackend, for the new ingress."""

    def authenticate(self, request, **kwargs):
        if request is None or request.META.get("REMOTE_ADDR") not in settings.TRUSTED_PROXIES:
            return None
        # OK(mtls): only read once REMOTE_ADDR is one of settings.TRUSTED_PROXIES (the sidecar overwrites XFCC)
        header = request.META.get("HTTP_X_FORWARDED_CLIENT_CERT")
        if not header:
            return None
        return _user_for_fingerprint(parse_xfcc(header).get("Hash", ""))


class PinnedCertificateBackend(_UserLookupMixin, BaseBackend):
    """Batch jobs presenting one of a few pinned certificates."""

    def authenticate(self, request, **kwargs):
        if request is None or request.META.get("SSL_CLIENT_VERIFY") != "SUCCESS":
            return None
        pem = request.META.get("SSL_CLIENT_CERT")
        if not pem:
            return None
        try:
            cert = x509.load_pem_x509_certificate(pem.encode("ascii"))
        except ValueError:
            logger.warning("unparseable client certificate")
            return None
        fingerprint = cert.fingerprint(hashes.SHA256()).hex()
        # OK(mtls): the PEM is parsed and its SHA-256 fingerprint must be in the pinned set
        if fingerprint not in settings.PINNED_CLIENT_CERT_SHA256:
            logger.info("client certificate is not pinned")
            return None
        return _user_for_fingerprint(fingerprint)
