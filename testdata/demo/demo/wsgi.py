"""WSGI config for the keysign demo, served by mod_wsgi behind the TLS proxy."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "demo.settings")

application = get_wsgi_application()
