import logging

from django.contrib.auth import authenticate, get_user_model, login
from django.http import HttpResponseForbidden, JsonResponse
from django.views.decorators.http import require_GET, require_POST
from rest_framework.response import Response
from rest_framework.views import APIView

from demo.logutils import redact

from .certs import client_cert_valid, enforce_mtls

logger = logging.getLogger(__name__)
log = logging.getLogger("accounts.auth")


@require_POST
def login_view(request):
    # BUG(logging): every header, Cookie and Authorization included, interpolated into a debug line
    logger.debug(f"headers: {request.headers}")
    user = authenticate(request, username=request.POST.get("username"), password=request.POST.get("password"))
    if user is None:
        # BUG(logging): the POST data, password included, is attached to the log record
        log.warning("login failed", extra={"post": request.POST})
        return JsonResponse({"error": "invalid credentials"}, status=401)
    login(request, user)
    # OK(logging): only the user's primary key is logged
    logger.info("user %s", request.user.pk)
    return JsonResponse({"ok": True})


@require_GET
def whoami(request):
    # OK(logging): headers pass through redact() first
    logger.debug("headers: %s", redact(request.headers))
    # BUG(logging): session and CSRF cookies printed to stdout, which is shipped to the log pipeline
    print(request.COOKIES)
    if not request.user.is_authenticated:
        return JsonResponse({"authenticated": False}, status=401)
    return JsonResponse({"authenticated": True, "username": request.user.get_username()})


@require_GET
def cert_owner(request):
    """Ops tool: who holds the certificate this request came with."""
    # BUG(mtls): client_cert_valid() (accounts/certs.py) only tests SSL_CLIENT_VERIFY for truth: "NONE" and "FAILED:…" pass
    if not client_cert_valid(request):
        return HttpResponseForbidden()
    owner = get_user_model().objects.get(username=request.META["SSL_CLIENT_S_DN_CN"])
    return JsonResponse({"owner": owner.get_username()})


@require_GET
def cert_owner_v2(request):
    enforce_mtls(request)
    # OK(mtls): enforce_mtls() (accounts/certs.py) raises unless SSL_CLIENT_VERIFY == "SUCCESS"
    owner = get_user_model().objects.get(username=request.META["SSL_CLIENT_S_DN_CN"])
    return JsonResponse({"owner": owner.get_username()})


class ProfileView(APIView):
    def get(self, request):
        certs = request.user.client_certificates.active().values("subject", "fingerprint_sha256", "not_after")
        return Response({"username": request.user.get_username(), "certificates": list(certs)})
