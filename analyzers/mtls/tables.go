package mtls

import (
	"regexp"
	"strings"
	"unicode"
)

// keyLiterals are byte strings one of which a file must contain to read a
// default certificate or proxy-identity key: words of such keys in the
// spellings of META keys and of header names (headerSpellings), and a
// few in other cases (ClientCert, Client-DN).
var keyLiterals = append(headerSpellings(
	"SSL_CLIENT", "CLIENT_CERT", "X_SSL", "CLIENT_S_DN", "FORWARDED_CLIENT", "CLIENTCERT", "CLIENT_VERIFY",
	"CLIENT_DN", "SUBJECT_", "REMOTE_USER", "X_USER", "FORWARDED_USER", "AUTH_REQUEST_", "AUTHENTICATED_USER",
	"X_AUTH_USER", "TLS_CLIENT", "ARR_CLIENT", "CLIENT_CN", "USERINFO", "AUTHENTICATED_USER", "AMZN_OIDC_IDENTITY",
	"MS_CLIENT_PRINCIPAL", "WEBAUTH_USER", "X_EMAIL", "X_USERNAME", "FORWARDED_PREFERRED_USERNAME"),
	"Arr-ClientCert", "ClientCert", "Client-DN", "Client-CN", "X-Userinfo", "X-WebAuth-User", "X-MS-Client-Principal",
	"X-Amzn-OIDC-Identity", "X-Goog-Authenticated-User")

// headerSpellings returns each word (upper case, words joined by "_") as
// a META key writes it and as a header name may: upper case with "_" and
// with "-" (X-CLIENT-CERT), capitalized (X-Client-Cert) and lower case
// (x-client-cert) with "-". A lower-case word with "_" is not one: it is
// any identifier's spelling (remote_user), not a header's.
func headerSpellings(words ...string) []string {
	var out []string
	for _, w := range words {
		dashed := strings.ReplaceAll(w, "_", "-")
		capitalized := []byte(strings.ToLower(dashed))
		for i := range capitalized {
			if i == 0 || capitalized[i-1] == '-' {
				capitalized[i] = byte(unicode.ToUpper(rune(capitalized[i])))
			}
		}
		out = append(out, w, dashed, string(capitalized), strings.ToLower(dashed))
	}
	return out
}

// Key patterns match a key normalized to upper case, with "-" as "_" and
// without its HTTP_ prefix.
var (
	// verifyKeyPattern: the verification status of the client certificate
	// (mod_ssl SSL_CLIENT_VERIFY, nginx $ssl_client_verify forwarded).
	verifyKeyPattern = regexp.MustCompile(`^(X_)?(SSL_CLIENT_|CLIENT_(SSL_|CERT_)?|SSL_)(VERIF(Y|IED)|AUTHENTICATED)(_STATUS|_RESULT)?$`)
	// certKeyPattern: a value of the client certificate or derived from it.
	certKeyPattern = regexp.MustCompile(`^(SSL_CLIENT_|X_SSL_CLIENT_|X_SSL_(CERT|SUBJECT|ISSUER|S_DN|I_DN|DN|CN|SERIAL|FINGERPRINT|USER)|` +
		`X_CLIENT_(CERT|DN|S_DN|I_DN|SUBJECT|ISSUER|CN|SERIAL|FINGERPRINT)|X_FORWARDED_CLIENT_CERT$|X_FORWARDED_CLIENT_CERT_(S_DN|I_DN|DN|SUBJECT|ISSUER|CN|SERIAL|FINGERPRINT|HASH|URI|DNS)$|X_FORWARDED_TLS_CLIENT_CERT|` +
		`X_AMZN_MTLS_CLIENTCERT|CLIENT_CERT(_CHAIN)?$|X_ARR_CLIENTCERT$|X_SUBJECT_(DN|CN)$|X_CERT_(SUBJECT|DN|CN|ISSUER|FINGERPRINT))`)
	// certKeyExclude: SSL_CLIENT_ variables that say nothing of who the
	// client is (validity dates, the cipher of the session).
	certKeyExclude = regexp.MustCompile(`^SSL_CLIENT_(V_START|V_END|V_REMAIN|A_KEY|A_SIG)$`)
	// identityKeyPattern: headers an authenticating proxy or gateway sets
	// to name the user (they are sources only as HTTP headers: a
	// REMOTE_USER server variable is the WSGI server's own, Django's
	// documented default): oauth2-proxy's, Kong's (X-Authenticated-Userid)
	// and its OIDC plugin's or APISIX's X-Userinfo (unsigned JSON), Google
	// IAP's X-Goog-Authenticated-User-*, AWS ALB's X-Amzn-Oidc-Identity,
	// Azure App Service's X-MS-Client-Principal*, Cloudflare Access's
	// Cf-Access-Authenticated-User-Email. (The signed assertions beside
	// them, X-Goog-IAP-JWT-Assertion and X-Amzn-Oidc-Data, are what an
	// app verifies; they are not identities as read.)
	identityKeyPattern = regexp.MustCompile(`^(X_)?(REMOTE_USER|FORWARDED_USER|FORWARDED_EMAIL|FORWARDED_PREFERRED_USERNAME|AUTH_REQUEST_(USER|EMAIL|PREFERRED_USERNAME)|AUTHENTICATED_USER(ID)?|REMOTE_EMAIL|WEBAUTH_USER)$` +
		`|^X_(USER|USER_ID|USERNAME|EMAIL|AUTH_USER|USERINFO|AMZN_OIDC_IDENTITY|GOOG_AUTHENTICATED_USER_(EMAIL|ID)|MS_CLIENT_PRINCIPAL(_NAME|_ID)?)$` +
		`|^CF_ACCESS_AUTHENTICATED_USER_EMAIL$`)
	// dnKeyPattern: keys whose value is a whole distinguished name.
	dnKeyPattern = regexp.MustCompile(`(_DN|SUBJECT|ISSUER)(_LEGACY|_RFC2253)?$|CERT_INFO$`)
	// pemKeyPattern: keys whose value is a PEM certificate (or chain).
	pemKeyPattern = regexp.MustCompile(`(CERT|CLIENTCERT|CLIENTCERT_LEAF|CERT_CHAIN(_\d+)?|CERTIFICATE)$`)
	// xfccKeyPattern: Envoy's X-Forwarded-Client-Cert, a list of elements.
	xfccKeyPattern = regexp.MustCompile(`^X_FORWARDED_CLIENT_CERT$`)
)

// unverifiedByProxyKeys are headers a proxy forwards without verifying the
// certificate: AWS ALB in mTLS passthrough mode sends the client's chain as
// X-Amzn-Mtls-Clientcert (the -Subject/-Issuer headers exist only in
// verify mode). Checking the peer is not enough; the app must verify.
var unverifiedByProxyKeys = map[string]bool{"X_AMZN_MTLS_CLIENTCERT": true}

// successStatus is the only verification status that means verified.
const successStatus = "SUCCESS"

// peerKey is the server-set address of the TCP peer.
const peerKey = "REMOTE_ADDR"

// trustedProxyName matches the names of settings and constants that list
// trusted proxies; the trusted-proxy-settings setting adds exact names.
var trustedProxyName = regexp.MustCompile(`(?i)prox|trusted|balancer|ingress|gateway|sidecar`)

// requestParamNames are parameter names that are a request whatever the function.
var requestParamNames = map[string]bool{"request": true, "req": true, "http_request": true}

// requestMethods are methods whose first parameter after self is the
// request, whatever it is named.
var requestMethods = map[string]bool{
	"process_request": true, "process_view": true, "__call__": true, "authenticate": true,
	"has_permission": true, "has_object_permission": true, "dispatch": true,
	"get": true, "post": true, "put": true, "patch": true, "delete": true,
}

// identityAttrs are request attributes that hold the authenticated user.
var identityAttrs = map[string]bool{
	"user": true, "_cached_user": true, "auth": true, "_force_auth_user": true, "_user": true, "_authenticator": true,
}

// identityEnvironKeys are META/environ keys whose assignment names the user
// for Django's RemoteUserMiddleware.
var identityEnvironKeys = map[string]bool{"REMOTE_USER": true}

// ormMethods are manager and queryset methods that look a record up.
var ormMethods = map[string]bool{
	"get": true, "filter": true, "get_or_create": true, "update_or_create": true,
	"get_by_natural_key": true, "aget": true, "afilter": true, "aget_or_create": true,
}

// ormManagers are attributes of a model that are its managers.
var ormManagers = map[string]bool{"objects": true, "_default_manager": true, "_base_manager": true}

// ormFunctions are functions that look a record up by their arguments.
var ormFunctions = map[string]bool{"get_object_or_404": true, "get_list_or_404": true, "aget_object_or_404": true}

// loginCalls are calls that log a user in or authenticate one (by the last
// component of their dotted name, for calls on auth or a backend).
var loginCalls = map[string]bool{"login": true, "authenticate": true, "alogin": true, "aauthenticate": true, "force_login": true}

// denyResponses are response constructors that deny access.
var denyResponses = map[string]bool{"HttpResponseForbidden": true, "HttpResponseNotAllowed": true}

// denyStatus matches a status argument that denies access.
var denyStatus = regexp.MustCompile(`\b40[13]\b|HTTP_40[13]|FORBIDDEN|UNAUTHORIZED`)

// certLoaders parse a certificate: their result is a certificate object.
var certLoaders = map[string]bool{
	"load_pem_x509_certificate": true, "load_der_x509_certificate": true, "load_pem_x509_certificates": true,
	"load_certificate": true,
}

// certAttrMethods of a certificate's name return single attribute values
// (cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)).
var certAttrMethods = map[string]bool{"get_attributes_for_oid": true}

// fingerprintMethods of a certificate object return its digest.
var fingerprintMethods = map[string]bool{"fingerprint": true, "digest": true}

// hashFunctions digest their argument: a hash of a PEM is a fingerprint.
var hashFunctions = regexp.MustCompile(`^(hashlib\.)?(sha1|sha224|sha256|sha384|sha512|md5|new|blake2b|blake2s)$`)

// chainVerifiers are methods that verify a certificate and raise when it
// does not verify: cryptography's verify_directly_issued_by and client
// verifier, pyOpenSSL's X509StoreContext.verify_certificate.
var chainVerifiers = map[string]bool{"verify_directly_issued_by": true, "verify_certificate": true}

// constantTimeCompare compare a shared secret the proxy adds.
var constantTimeCompare = map[string]bool{
	"hmac.compare_digest": true, "compare_digest": true, "secrets.compare_digest": true,
	"constant_time_compare": true, "crypto.constant_time_compare": true,
}

// validatorName matches functions, defined outside the repository, whose
// name says they verify a certificate; proxyGuardName those that check
// the peer. Functions of the repository are judged by their body instead.
var (
	validatorName  = regexp.MustCompile(`(?i)(verif|validat|check).*(cert|client|tls|ssl|x509|chain|peer)|(cert|client|tls|ssl|x509|chain).*(verif|valid|_ok$|trusted|pinned)`)
	proxyGuardName = regexp.MustCompile(`(?i)trusted_(proxy|peer|source)|from_(trusted_)?proxy|is_proxied|behind_proxy|proxy_(ok|allowed|trusted)|internal_request`)
)

// regexFunctions parse strings with a regular expression (as re.X or as a
// method of a compiled pattern).
var regexFunctions = map[string]bool{
	"search": true, "match": true, "fullmatch": true, "findall": true, "finditer": true, "split": true, "sub": true, "subn": true,
}

// stringParsers are str methods that cut a DN or PEM apart.
var stringParsers = map[string]bool{
	"split": true, "rsplit": true, "partition": true, "rpartition": true, "find": true, "rfind": true,
	"index": true, "rindex": true, "removeprefix": true, "replace": true,
}

// statusNormalizers keep a verification status what it is.
var statusNormalizers = map[string]bool{"upper": true, "lower": true, "strip": true, "casefold": true, "rstrip": true, "lstrip": true}

// cleanFunctions return values that carry no certificate identity.
var cleanFunctions = map[string]bool{
	"len": true, "bool": true, "isinstance": true, "hasattr": true, "type": true, "id": true, "callable": true,
}

// cleanMethods return values that carry no identity even on certificate data.
var cleanMethods = map[string]bool{
	"count": true, "startswith": true, "endswith": true, "isdigit": true, "exists": true, "keys": true, "__len__": true,
}

// remoteUserBases are classes that authenticate from the key named by
// their `header` attribute.
var remoteUserBases = regexp.MustCompile(`\b(Persistent)?RemoteUserMiddleware\b|\bRemoteUserAuthentication\b`)
