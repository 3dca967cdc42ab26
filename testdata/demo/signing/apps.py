from django.apps import AppConfig


class SigningConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "signing"

    def ready(self):
        from django.conf import settings

        from . import native

        native.init(settings.SIGNER_KEY_PATH)
