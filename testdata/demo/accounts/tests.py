from datetime import timedelta

from django.contrib.auth import get_user_model
from django.test import TestCase
from django.utils import timezone

from demo.logutils import redact

from .models import ClientCertificate


class RedactTests(TestCase):
    def test_masks_cookie_and_authorization(self):
        out = redact({"Cookie": "sessionid=abc", "Authorization": "Bearer x", "Accept": "*/*"})
        self.assertEqual(out["Cookie"], "[redacted]")
        self.assertEqual(out["Authorization"], "[redacted]")
        self.assertEqual(out["Accept"], "*/*")


class ClientCertificateTests(TestCase):
    def test_revoked_certificates_are_not_active(self):
        user = get_user_model().objects.create_user("svc-billing")
        cert = ClientCertificate.objects.create(
            user=user,
            fingerprint_sha256="ab" * 32,
            subject="CN=svc-billing,O=Example",
            not_after=timezone.now() + timedelta(days=30),
        )
        self.assertIn(cert, ClientCertificate.objects.active())
        cert.revoke()
        self.assertNotIn(cert, ClientCertificate.objects.active())
