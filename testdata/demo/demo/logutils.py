"""Helpers for keeping secrets and personal data out of the logs."""
from collections.abc import Mapping

SENSITIVE_KEYS = frozenset(
    {
        "authorization",
        "cookie",
        "set-cookie",
        "x-api-key",
        "x-ssl-client-cert",
        "x-forwarded-client-cert",
        "password",
        "csrfmiddlewaretoken",
    }
)


def redact(values: Mapping) -> dict:
    """Return a copy of a header/form mapping with sensitive values masked."""
    cleaned = {}
    for key, value in values.items():
        if key.lower() in SENSITIVE_KEYS:
            cleaned[key] = "[redacted]"
        else:
            cleaned[key] = str(value)[:200]
    return cleaned
