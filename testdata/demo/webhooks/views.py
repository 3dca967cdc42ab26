import hashlib
import hmac
import logging
import os

from django.core.cache import cache
from django.http import HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

logger = logging.getLogger(__name__)

_GITHUB_SECRET = os.environ.get("KEYSIGN_GITHUB_WEBHOOK_SECRET", "").encode()


@csrf_exempt
@require_POST
def github_hook(request):
    """Release notifications from the public keysign-clients repository."""
    signature = request.headers.get("X-Hub-Signature-256", "")
    expected = "sha256=" + hmac.new(_GITHUB_SECRET, request.body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(signature, expected):
        return HttpResponseForbidden("bad signature")
    # SUPPRESSED(logging): body logged on purpose; the finding is suppressed with a justification
    logger.info("release event %s", request.body)  # residue: ignore[logging/request-body] -- reviewed: body is a public webhook payload
    if request.headers.get("X-GitHub-Event") == "release":
        cache.delete("keysign:client-versions")
    return HttpResponse(status=204)
