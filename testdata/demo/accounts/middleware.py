"""Client-certificate login and request logging.

TLS is terminated by the edge proxy, which forwards the mod_ssl variables
(SSL_CLIENT_VERIFY, SSL_CLIENT_S_DN, SSL_CLIENT_CERT) in the WSGI environ and
the subject CN as the X-SSL-Client-S-DN-CN header.
"""
import logging
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseForbidden

from .models import ClientCertificate

logger = logging.getLogger(__name__)
request_log = logging.getLogger("keysign.requests")

User = get_user_model()


class ClientCertMiddleware:
    """Legacy login for the ops dashboard: the proxy-supplied CN is the username."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "HTTP_X_SSL_CLIENT_S_DN_CN" in request.META:
            try:
                # BUG(mtls): header taken at face value: no REMOTE_ADDR or SSL_CLIENT_VERIFY check, any client can name a user
                request.user = User.objects.get(username=request.META["HTTP_X_SSL_CLIENT_S_DN_CN"])
            except User.DoesNotExist:
                request.user = AnonymousUser()
        return self.get_response(request)


class VerifiedClientCertMiddleware:
    """Client-certificate login for API clients."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "HTTP_X_SSL_CLIENT_S_DN_CN" not in request.META:
            return self.get_response(request)
        if request.META["REMOTE_ADDR"] not in settings.TRUSTED_PROXIES:
            logger.warning("certificate header from a peer that is not a trusted proxy")
            return HttpResponseForbidden("client certificate headers are only accepted from the proxy")
        if request.META.get("SSL_CLIENT_VERIFY") != "SUCCESS":
            raise PermissionDenied("client certificate was not verified")
        # OK(mtls): read only after REMOTE_ADDR is a trusted proxy and SSL_CLIENT_VERIFY == "SUCCESS"
        cn = request.META["HTTP_X_SSL_CLIENT_S_DN_CN"]
        try:
            request.user = User.objects.get(username=cn, is_active=True)
        except User.DoesNotExist:
            raise PermissionDenied("no account for this certificate")
        return self.get_response(request)


def cert_session_middleware(get_response):
    """Binds the session to the enrolled certificate whose subject mod_ssl reports."""

    def middleware(request):
        # BUG(mtls): truthiness check; mod_ssl also sets SSL_CLIENT_VERIFY to "NONE" or "FAILED:reason"
        if request.META.get("SSL_CLIENT_VERIFY"):
            dn = request.META["SSL_CLIENT_S_DN"]
            cert = ClientCertificate.objects.active().select_related("user").filter(subject=dn).first()
            if cert is not None:
                request.user = cert.user
                request.session["cert_id"] = cert.pk
        return get_response(request)

    return middleware


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.monotonic()
        # OK(logging): method and path only
        request_log.info("path %s %s", request.method, request.path)
        response = self.get_response(request)
        # OK(logging): status code and timing only
        request_log.info("status %s in %.1fms", response.status_code, (time.monotonic() - started) * 1000)
        if response.status_code >= 500:
            # BUG(logging): the whole response body (signatures, error details, user data) goes to the log
            request_log.error("server error, response was: %s", response.content)
        return response
