from django.contrib import admin
from django.urls import path

from accounts import views as account_views
from signing import views as signing_views
from webhooks import views as webhook_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("login/", account_views.login_view, name="login"),
    path("me/", account_views.whoami, name="whoami"),
    path("cert/owner/", account_views.cert_owner, name="cert-owner"),
    path("cert/owner/v2/", account_views.cert_owner_v2, name="cert-owner-v2"),
    path("api/profile/", account_views.ProfileView.as_view(), name="profile"),
    path("sign/", signing_views.sign_payload, name="sign"),
    path("sign/v2/", signing_views.sign_payload_v2, name="sign-v2"),
    path("wrap/", signing_views.wrap_session_token, name="wrap-token"),
    path("seal/", signing_views.seal_payload, name="seal"),
    path("seal/v2/", signing_views.seal_payload_v2, name="seal-v2"),
    path("key/", signing_views.key_info, name="key-info"),
    path("verify/", signing_views.verify_signature, name="verify"),
    path("pin/", signing_views.pin_fingerprint, name="pin-fingerprint"),
    path("archive/field/", signing_views.archive_field, name="archive-field"),
    path("archive/tag/", signing_views.archive_tag, name="archive-tag"),
    path("hooks/github/", webhook_views.github_hook, name="github-hook"),
]
