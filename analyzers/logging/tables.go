package logging

import (
	"regexp"
	"strings"

	"github.com/residue-sec/residue/analyzers/pysrc"
)

// A label is a kind of data as this family judges it; a rank orders the
// rules they lead to.
type label uint8

const (
	noLabel label = iota
	// rawHeader is one client-controlled value that carries no secret
	// but may carry CR/LF into a log line (CWE-117 only).
	rawHeader
	// clientData is an HTTP client's response content.
	clientData
	// responseData is a response's content, headers or cookies.
	responseData
	// bodyData is what the client sent as content: body, forms, query, files.
	bodyData
	// secretData may carry credentials: every header, Cookie and
	// Authorization values, cookies, the session, META, a field named
	// like a secret.
	secretData
)

// secretKeys are header, META or field keys whose value is a credential or
// a client certificate (compared case-insensitively, with - and _ equal):
// PKCE's code_verifier and a SAML response, a signed assertion, are.
var secretKeys = regexp.MustCompile(`(?i)^(http_)?(authorization|proxy_authorization|cookie|set_cookie|x_api_key|x_auth_token|x_csrftoken|ssl_client_cert|x_ssl_client_cert|x_client_cert|x_forwarded_client_cert)$|token|secret|passw|api_?key|session|cert|private_?key|credential|card_?num|code_verifier|saml_?response|(^|_)(card|cvc|cvv|ssn|otp|pin)($|_)|^key$|_key$`)

// metaKeys are keys that name something about a secret, not the secret:
// when it expires, how long or how many it is, its type
// (oidc_id_token_expiration, token_type, password_length); and keys that
// are names, not credentials (X-Event-Key, Idempotency-Key,
// Sec-WebSocket-Key, a cache or an object key).
var metaKeys = regexp.MustCompile(`(?i)_(expiration|expires|expires_at|expires_in|expiry|exp|issued_at|created_at|updated_at|count|length|len|type|type_hint|timeout|ttl|age|lifetime|pk)$|(^|_)(event|idempotency|sec_websocket|cache|routing|partition|sort|primary|foreign|lookup|object|storage|s3)_key$`)

// idKeys are keys that name a credential's identifier, not the
// credential (credential_id, token_uuid, api_key_id), unless what they
// identify is a session, whose id is the credential (session_id).
var idKeys = regexp.MustCompile(`(?i)_(id|ids|uuid|guid)$`)

// secretKey reports whether a header, META, field or session key names a
// credential: secretKeys, unless metaKeys or idKeys (with - read as _).
// A key read in a loop over literals is secret when one of its names is.
func secretKey(key string) bool {
	for _, name := range pysrc.KeyNames(key) {
		norm := strings.ReplaceAll(name, "-", "_")
		if secretKeys.MatchString(norm) && !metaKeys.MatchString(norm) &&
			(!idKeys.MatchString(norm) || strings.Contains(strings.ToLower(norm), "sess")) {
			return true
		}
	}
	return false
}

// sessionCookies are the names of cookies that hold a session or a login
// besides those secretKeys names (sessionid, csrftoken): jwt, sid,
// PHPSESSID, an SSO's.
var sessionCookies = regexp.MustCompile(`(?i)auth|jwt|sess|(^|_)sid($|_)|remember|sso|saml|oauth|oidc|bearer|access|refresh|login_?token`)

// secretCookie reports whether a cookie key names a credential: one
// secretKey names, or a session's or a login's. A cookie the key does
// not name (a variable, every cookie) may be the session's.
func secretCookie(key string) bool {
	if key == "" || key == pysrc.AnyKey || secretKey(key) {
		return true
	}
	for _, name := range pysrc.KeyNames(key) {
		if sessionCookies.MatchString(strings.ReplaceAll(name, "-", "_")) {
			return true
		}
	}
	return false
}

// serverKeys are META keys the server sets, not the client: no finding.
var serverKeys = map[string]bool{
	"REMOTE_ADDR": true, "REMOTE_HOST": true, "REQUEST_METHOD": true, "SERVER_NAME": true,
	"SERVER_PORT": true, "SERVER_PROTOCOL": true, "CONTENT_LENGTH": true, "CONTENT_TYPE": true,
	"SCRIPT_NAME": true, "PATH_INFO": true, "wsgi.url_scheme": true, "SSL_CLIENT_VERIFY": true,
}

// sanitizerWords are what the name of a function that removes sensitive
// content says; the user's `sanitizers` setting adds exact names.
var sanitizerWords = []string{"redact", "sanitis", "sanitiz", "mask", "scrub", "anonymis", "anonymiz", "censor",
	"obfuscat", "strip_sensitive", "filter_sensitive", "cleanse"}

// sanitizerName reports whether a name says it sanitizes.
func sanitizerName(name string) bool {
	lower := strings.ToLower(name)
	for _, w := range sanitizerWords {
		if strings.Contains(lower, w) {
			return true
		}
	}
	return false
}
