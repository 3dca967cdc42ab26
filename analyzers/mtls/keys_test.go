package mtls

import (
	"testing"

	"github.com/residue-sec/residue/analyzers"
)

func TestClassify(t *testing.T) {
	keys := newKeySet(analyzers.Settings{"cert-headers": {"X-Mesh-*"}, "verify-headers": {"HTTP_X_MESH_OK"}})
	cases := []struct {
		key       string
		header    bool
		class     keyClass
		spoofable bool
		format    keyFormat
	}{
		{"SSL_CLIENT_VERIFY", false, verifyKey, false, plainFormat},
		{"HTTP_X_SSL_CLIENT_VERIFY", false, verifyKey, true, plainFormat},
		{"X-Client-Verify", true, verifyKey, true, plainFormat},
		{"SSL_CLIENT_S_DN", false, certKey, false, dnFormat},
		{"SSL_CLIENT_S_DN_CN", false, certKey, false, plainFormat},
		{"SSL_CLIENT_CERT", false, certKey, false, pemFormat},
		{"SSL_CLIENT_V_END", false, otherKey, false, plainFormat},
		{"HTTP_X_FORWARDED_CLIENT_CERT", false, certKey, true, xfccFormat},
		{"HTTP_X_FORWARDED_CLIENT_CERT_S_DN", false, certKey, true, dnFormat},
		{"X-Forwarded-Client-Cert-Serial", true, certKey, true, plainFormat},
		{"X-Forwarded-Client-Cert-URI", true, certKey, true, plainFormat},
		{"X-SSL-Client-S-DN", true, certKey, true, dnFormat},
		{"X-Amzn-Mtls-Clientcert-Subject", true, certKey, true, dnFormat},
		{"Client-Cert", true, certKey, true, pemFormat},
		{"X-Mesh-Identity", true, certKey, true, plainFormat},
		{"X-Mesh-Ok", true, verifyKey, true, plainFormat},
		{"HTTP_X_REMOTE_USER", false, identityKey, true, plainFormat},
		{"REMOTE_USER", false, otherKey, false, plainFormat},
		{"REMOTE_ADDR", false, peerAddrKey, false, plainFormat},
		{"HTTP_REMOTE_ADDR", false, otherKey, true, plainFormat},
		{"HTTP_X_FORWARDED_PROTO", false, otherKey, true, plainFormat},
		{"HTTP_USER_AGENT", false, otherKey, true, plainFormat},
	}
	for _, c := range cases {
		got := keys.classify(c.key, c.header)
		if got.class != c.class || got.spoofable != c.spoofable || got.format != c.format {
			t.Errorf("classify(%q, %v) = class %d spoofable %v format %d, want %d %v %d",
				c.key, c.header, got.class, got.spoofable, got.format, c.class, c.spoofable, c.format)
		}
	}
	if !keys.classify("X-Amzn-Mtls-Clientcert", true).proxyUnverified {
		t.Error("X-Amzn-Mtls-Clientcert is forwarded unverified in ALB passthrough mode")
	}
}

func TestChainName(t *testing.T) {
	for text, want := range map[string]string{
		"(\n    OTAEnrollmentSession.objects\n    .select_related(\"x\")\n    .get": "OTAEnrollmentSession.objects.select_related(…).get",
		"User.objects.filter(a=1).get":                                              "User.objects.filter(…).get",
		"self.model()._default_manager.get":                                         "self.model(…).get",
		"(a or b).get":                                                              "….get",
		"[x][0].get":                                                                "….get",
	} {
		if got := chainName(text, "get"); got != want {
			t.Errorf("chainName(%q) = %q, want %q", text, got, want)
		}
	}
}
