"""ctypes bindings for libsigner (see native/signer.h for the prototypes)."""
import ctypes
import ctypes.util

from django.conf import settings

SIGNER_SIG_LEN = 64
SIGNER_DIGEST_LEN = 32
SIGNER_KEY_ID_MAX = 64


class SignerError(RuntimeError):
    pass


def _load() -> ctypes.CDLL:
    path = settings.SIGNER_LIBRARY or ctypes.util.find_library("signer")
    if not path:
        raise SignerError("libsigner not found")
    return ctypes.CDLL(path)


lib = _load()

lib.signer_init.argtypes = [ctypes.c_char_p]
lib.signer_init.restype = ctypes.c_int

lib.signer_last_error.argtypes = []
# OK(ctypes): no arguments, returns a NUL-terminated message string, so c_char_p is right
lib.signer_last_error.restype = ctypes.c_char_p

lib.signer_free.argtypes = [ctypes.c_void_p]
lib.signer_free.restype = None

lib.signer_sign.argtypes = [ctypes.c_char_p, ctypes.c_size_t]
# BUG(ctypes): signer_sign returns 64 malloc'd binary bytes; c_char_p cuts them at the first NUL and leaks the block
lib.signer_sign.restype = ctypes.c_char_p

lib.signer_mac.argtypes = [ctypes.c_char_p, ctypes.c_size_t]
# OK(ctypes): kept as a raw pointer, read with string_at(ptr, SIGNER_DIGEST_LEN) and freed in mac()
lib.signer_mac.restype = ctypes.c_void_p

# BUG(ctypes): prototype takes (const uint8_t *, size_t, uint8_t *, size_t); both size_t declared c_int
lib.signer_digest.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
lib.signer_digest.restype = ctypes.c_int

# BUG(ctypes): signer_verify has 4 parameters (siglen added in 1.3); only 3 declared, siglen never passed
lib.signer_verify.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p]
lib.signer_verify.restype = ctypes.c_int

# OK(ctypes): matches int signer_sign_into(const uint8_t *, size_t, uint8_t *, size_t) exactly
lib.signer_sign_into.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_void_p, ctypes.c_size_t]
lib.signer_sign_into.restype = ctypes.c_int

lib.signer_seal.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_void_p, ctypes.c_size_t]
lib.signer_seal.restype = ctypes.c_int

lib.signer_key_id.argtypes = [ctypes.c_char_p, ctypes.c_size_t]
lib.signer_key_id.restype = ctypes.c_int

lib.signer_wrap_token.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_void_p, ctypes.c_size_t]
lib.signer_wrap_token.restype = ctypes.c_int


def last_error() -> str:
    msg = lib.signer_last_error()
    return msg.decode("utf-8", "replace") if msg else "unknown signer error"


def init(key_path: str) -> None:
    if lib.signer_init(key_path.encode()) != 0:
        raise SignerError(last_error())


def mac(data: bytes) -> bytes:
    ptr = lib.signer_mac(data, len(data))
    if not ptr:
        raise SignerError(last_error())
    try:
        return ctypes.string_at(ptr, SIGNER_DIGEST_LEN)
    finally:
        lib.signer_free(ptr)


def digest(data: bytes) -> bytes:
    out = ctypes.create_string_buffer(SIGNER_DIGEST_LEN)
    if lib.signer_digest(data, len(data), out, SIGNER_DIGEST_LEN) != 0:
        raise SignerError(last_error())
    return out.raw


def wrap_token(token: bytes) -> bytes:
    """Masked session token for the 1.x clients (tokens are "always" under 64 bytes)."""
    out = ctypes.create_string_buffer(64)
    # BUG(ctypes): outlen is len(token), not the 64-byte size of `out`; a longer token overflows it in C
    n = lib.signer_wrap_token(token, len(token), out, len(token))
    if n < 0:
        raise SignerError(last_error())
    return out.raw[:n]


def sign_detached(data: bytes) -> bytes:
    out = ctypes.create_string_buffer(SIGNER_SIG_LEN)
    # OK(ctypes): out passed via byref with outlen = ctypes.sizeof(out)
    n = lib.signer_sign_into(data, len(data), ctypes.byref(out), ctypes.sizeof(out))
    if n < 0:
        raise SignerError(last_error())
    return out.raw[:n]


def key_id() -> str:
    buf = ctypes.create_string_buffer(SIGNER_KEY_ID_MAX)
    # OK(ctypes): buffer passed directly; the same constant sizes the allocation and outlen
    if lib.signer_key_id(buf, SIGNER_KEY_ID_MAX) < 0:
        raise SignerError(last_error())
    return buf.value.decode("ascii")


def key_label() -> str:
    label = ctypes.create_string_buffer(SIGNER_KEY_ID_MAX)
    raw = ctypes.create_string_buffer(SIGNER_KEY_ID_MAX)
    if lib.signer_key_id(raw, SIGNER_KEY_ID_MAX) < 0:
        raise SignerError(last_error())
    # BUG(ctypes): `label` was never passed to signer_key_id (`raw` was); this reads an untouched buffer
    return "keysign/" + label.value.decode("ascii")


def verify(data: bytes, sig: bytes) -> bool:
    return lib.signer_verify(data, len(data), sig) == 1


def fingerprint(der: bytes) -> bytes:
    out = ctypes.create_string_buffer(SIGNER_DIGEST_LEN)
    # BUG(ctypes): signer_fingerprint has no argtypes; len(der) and the out size go through as C int, not size_t
    if lib.signer_fingerprint(der, len(der), out, SIGNER_DIGEST_LEN) != 0:
        raise SignerError(last_error())
    return out.raw


# Key-usage receipts and nonces (libsigner 1.4).
SIGNER_RECEIPT_LEN = 40
SIGNER_NONCE_LEN = 32
SIGNER_NONCE_COUNTER_LEN = 8

lib.signer_receipt.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint64]
lib.signer_receipt.restype = ctypes.c_int

lib.signer_receipt_v2.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint64]
lib.signer_receipt_v2.restype = ctypes.c_int

lib.signer_nonce.argtypes = [ctypes.c_uint64]
lib.signer_nonce.restype = ctypes.c_void_p


def receipt(issued: int) -> bytes:
    out = ctypes.create_string_buffer(SIGNER_RECEIPT_LEN)
    n = lib.signer_receipt(out, ctypes.sizeof(out), issued)
    if n < 0:
        raise SignerError(last_error())
    # the n bytes signer_receipt reports include the padding and reserved bytes it copied from its stack
    return out.raw[:n]


def receipt_v2(issued: int) -> bytes:
    out = ctypes.create_string_buffer(SIGNER_RECEIPT_LEN)
    n = lib.signer_receipt_v2(out, ctypes.sizeof(out), issued)
    if n < 0:
        raise SignerError(last_error())
    # signer_receipt_v2 clears the record before copying it out
    return out.raw[:n]


def nonce(counter: int) -> bytes:
    ptr = lib.signer_nonce(counter)
    if not ptr:
        raise SignerError("out of memory")
    try:
        # signer_nonce writes only the first 8 of these 32 malloc'd bytes
        return ctypes.string_at(ptr, SIGNER_NONCE_LEN)
    finally:
        lib.signer_free(ptr)


def nonce_counter(counter: int) -> bytes:
    ptr = lib.signer_nonce(counter)
    if not ptr:
        raise SignerError("out of memory")
    try:
        # only the counter signer_nonce wrote is read
        return ctypes.string_at(ptr, SIGNER_NONCE_COUNTER_LEN)
    finally:
        lib.signer_free(ptr)
