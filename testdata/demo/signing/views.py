import ctypes
import logging
import threading

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.views.decorators.cache import cache_page
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from . import _fastcodec, native
from .native import lib

logger = logging.getLogger(__name__)

OCTET_STREAM = "application/octet-stream"

# Sealing buffers are reused across requests to avoid a 4 KiB allocation per call.
_SCRATCH = ctypes.create_string_buffer(4096)
_buf = ctypes.create_string_buffer(4096)
_buf_lock = threading.Lock()


@csrf_exempt
@require_POST
@login_required
def sign_payload(request):
    body = request.body
    # BUG(logging): the raw request body (the document being signed) is written to the log
    logger.info("payload %s", request.body)
    sig = lib.signer_sign(body, len(body))
    if sig is None:
        return JsonResponse({"error": native.last_error()}, status=500)
    return HttpResponse(sig, content_type=OCTET_STREAM)


@csrf_exempt
@require_POST
@login_required
def sign_payload_v2(request):
    # OK(logging): only the body length is logged
    logger.info("payload bytes=%d", len(request.body))
    return HttpResponse(native.sign_detached(request.body), content_type=OCTET_STREAM)


@csrf_exempt
@require_POST
@login_required
def wrap_session_token(request):
    token = request.POST.get("token", "").encode()
    return JsonResponse({"wrapped": native.wrap_token(token).hex()})


@csrf_exempt
@require_POST
@login_required
def seal_payload(request):
    payload = request.body
    n = lib.signer_seal(payload, len(payload), _SCRATCH, ctypes.sizeof(_SCRATCH))
    if n < 0:
        return JsonResponse({"error": native.last_error()}, status=413)
    # BUG(ctypes): returns all 4096 bytes of the shared scratch buffer, tail included (earlier requests' payloads)
    return HttpResponse(_SCRATCH.raw, content_type=OCTET_STREAM)


@csrf_exempt
@require_POST
@login_required
def seal_payload_v2(request):
    payload = request.body
    with _buf_lock:
        n = lib.signer_seal(payload, len(payload), _buf, ctypes.sizeof(_buf))
        if n < 0:
            return JsonResponse({"error": native.last_error()}, status=413)
        # OK(ctypes): only the n bytes written by this call are returned
        return HttpResponse(_buf.raw[:n], content_type=OCTET_STREAM)


@require_GET
@login_required
def key_info(request):
    return JsonResponse({"key_id": native.key_id(), "label": native.key_label()})


@csrf_exempt
@require_POST
@login_required
def verify_signature(request):
    try:
        sig = _fastcodec.unhex(request.POST["signature"])
        expected_fp = _fastcodec.parse_fingerprint(request.POST.get("key_fingerprint", ""))
    except (KeyError, ValueError):
        return HttpResponseBadRequest("signature must be hex")
    valid = native.verify(request.POST.get("document", "").encode(), sig)
    # OK(crosslang): only fields derived from the C results are cached, not their bytes
    cache.set(f"verify:{request.user.pk}", {"valid": valid, "signature_bytes": len(sig)}, 60)
    # BUG(crosslang): parse_fingerprint's bytes object is returned unshrunk; its undecoded tail (heap) goes to the mTLS client
    return JsonResponse({"valid": valid, "key_fingerprint": expected_fp.hex()})


@require_POST
@login_required
def pin_fingerprint(request):
    fingerprint = _fastcodec.parse_fingerprint(request.POST["key_fingerprint"])
    # BUG(crosslang): the unfilled tail of the bytes object is kept in the shared cache for every later request
    cache.set(f"pin:{request.user.pk}", fingerprint, 3600)
    return JsonResponse({"pinned": True})


@require_GET
@cache_page(60 * 15)
def archive_field(request):
    field = _fastcodec.fixed_field(request.GET["name"])
    # BUG(crosslang): 56 of the 64 bytes are uninitialized C stack; @cache_page serves this response to later clients
    return HttpResponse(field, content_type=OCTET_STREAM)


@require_GET
@cache_page(60 * 15)
def archive_tag(request):
    tag = _fastcodec.short_tag(request.GET["name"])
    # OK(crosslang): short_tag returns only the bytes strncpy wrote
    return HttpResponse(tag, content_type=OCTET_STREAM)
