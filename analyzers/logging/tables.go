package logging

import "regexp"

// A label is a kind of request or response data; a value's taint is a set.
type label uint8

const (
	// secretData may carry credentials: every header, Cookie and
	// Authorization values, cookies, the session, META.
	secretData label = 1 << iota
	// bodyData is what the client sent as content: body, forms, query, files.
	bodyData
	// responseData is a response's content, headers or cookies.
	responseData
	// rawHeader is a single client-controlled header value that carries no
	// secret but may carry CR/LF into a log line (CWE-117 only).
	rawHeader
)

// contentLabels are the labels that make logging a value a CWE-532 leak.
const contentLabels = secretData | bodyData | responseData

// requestSources maps attributes of a request object to what they hold.
// request.path, request.method, request.user.pk and the like are absent:
// they are not sources.
var requestSources = map[string]label{
	"body": bodyData, "POST": bodyData, "GET": bodyData, "data": bodyData,
	"query_params": bodyData, "FILES": bodyData, "stream": bodyData,
	"META": secretData, "headers": secretData, "COOKIES": secretData,
	"session": secretData, "environ": secretData, "auth": secretData,
}

// requestMethodSources are request methods whose result is a source.
var requestMethodSources = map[string]label{
	"read": bodyData, "readline": bodyData, "readlines": bodyData,
}

// responseSources maps attributes of a response object to what they hold.
var responseSources = map[string]label{
	"content": responseData, "streaming_content": responseData, "data": responseData,
	"cookies": responseData, "headers": responseData, "text": responseData,
	"rendered_content": responseData,
}

// headerContainers are request attributes indexed by header or META key:
// a subscript or .get() on them is classified by the key.
var headerContainers = map[string]bool{"META": true, "headers": true, "environ": true}

// secretKeys are header or META keys whose value is a credential or a
// client certificate (compared case-insensitively, with - and _ equal).
var secretKeys = regexp.MustCompile(`(?i)^(http_)?(authorization|proxy_authorization|cookie|set_cookie|x_api_key|x_auth_token|x_csrftoken|ssl_client_cert|x_ssl_client_cert|x_client_cert|x_forwarded_client_cert)$|token|secret|password|passwd|api_?key|session|cert`)

// serverKeys are META keys the server sets, not the client: no finding.
var serverKeys = map[string]bool{
	"REMOTE_ADDR": true, "REMOTE_HOST": true, "REQUEST_METHOD": true, "SERVER_NAME": true,
	"SERVER_PORT": true, "SERVER_PROTOCOL": true, "CONTENT_LENGTH": true, "CONTENT_TYPE": true,
	"SCRIPT_NAME": true, "PATH_INFO": true, "wsgi.url_scheme": true, "SSL_CLIENT_VERIFY": true,
}

// sanitizerName matches functions whose name says they remove sensitive
// content; the user's `sanitizers` setting adds exact names.
var sanitizerName = regexp.MustCompile(`(?i)redact|saniti[sz]|mask|scrub|anonymi[sz]|censor|obfuscat|strip_sensitive|filter_sensitive|cleanse`)

// cleanFunctions return values that carry no request content.
var cleanFunctions = map[string]bool{
	"len": true, "bool": true, "hash": true, "type": true, "int": true, "float": true,
	"id": true, "isinstance": true, "callable": true, "hasattr": true, "round": true, "abs": true,
	"complex": true, "any": true, "all": true, "sum": true, "max": true, "min": true,
}

// cleanMethods are methods whose result carries no request content even
// when called on tainted data.
var cleanMethods = map[string]bool{
	"hexdigest": true, "digest": true, "count": true, "startswith": true, "endswith": true,
	"isdigit": true, "isnumeric": true, "isalpha": true, "isalnum": true, "keys": true,
	"is_valid": true, "is_secure": true, "is_ajax": true, "exists": true, "__len__": true,
	"find": true, "index": true, "get_host": true, "get_port": true,
}

// propagators are functions whose result carries their arguments' content.
var propagators = map[string]bool{
	"str": true, "repr": true, "dict": true, "list": true, "tuple": true, "set": true,
	"sorted": true, "reversed": true, "bytes": true, "bytearray": true, "format": true,
	"json.dumps": true, "dumps": true, "copy.copy": true, "copy.deepcopy": true, "deepcopy": true,
	"json.loads": true, "loads": true, "urllib.parse.unquote": true, "unquote": true,
	"base64.b64encode": true, "b64encode": true, "base64.b64decode": true, "b64decode": true,
	"pprint.pformat": true, "pformat": true, "frozenset": true, "zip": true, "enumerate": true,
}

// crlfSafe are functions that escape CR and LF (CWE-117 handled) while
// still carrying the content (CWE-532 may remain).
var crlfSafe = map[string]bool{"repr": true, "json.dumps": true, "dumps": true, "pprint.pformat": true, "pformat": true}

// responseConstructors build response objects.
var responseConstructors = map[string]bool{
	"HttpResponse": true, "JsonResponse": true, "Response": true, "StreamingHttpResponse": true,
	"FileResponse": true, "HttpResponseBadRequest": true, "HttpResponseForbidden": true,
	"HttpResponseNotFound": true, "HttpResponseServerError": true, "render": true, "TemplateResponse": true,
}

// logMethods are the calls on a logger that write a record.
var logMethods = map[string]bool{
	"debug": true, "info": true, "warning": true, "warn": true, "error": true, "exception": true,
	"critical": true, "fatal": true, "log": true, "msg": true, "success": true, "trace": true,
}

// loggerName matches names that are loggers by convention.
var loggerName = regexp.MustCompile(`(?i)^_*(log|logger|.+_log|.*logger)$`)

// loggerFactories are calls whose result is a logger.
var loggerFactories = map[string]bool{
	"logging.getLogger": true, "getLogger": true, "structlog.get_logger": true, "structlog.getLogger": true,
	"get_logger": true, "logging.LoggerAdapter": true, "LoggerAdapter": true, "structlog.wrap_logger": true,
}

// nonSinkKeywords are logging keyword arguments that carry no message data.
var nonSinkKeywords = map[string]bool{"exc_info": true, "stack_info": true, "stacklevel": true}

// requestParamNames are parameter names that are a request whatever the function.
var requestParamNames = map[string]bool{"request": true, "req": true, "http_request": true}

// requestMethods are methods (of class-based views, middleware, DRF views,
// permissions and authentication classes) whose first parameter after self
// is the request, whatever it is named.
var requestMethods = map[string]bool{
	"get": true, "post": true, "put": true, "patch": true, "delete": true, "head": true, "options": true,
	"dispatch": true, "list": true, "create": true, "retrieve": true, "update": true,
	"partial_update": true, "destroy": true, "process_request": true, "process_view": true,
	"process_response": true, "process_exception": true, "process_template_response": true,
	"__call__": true, "authenticate": true, "has_permission": true, "has_object_permission": true,
	"initial": true, "finalize_response": true, "handle_exception": true,
}

// responseMethods are the request methods whose parameter after the
// request is the response.
var responseMethods = map[string]bool{"process_response": true, "process_template_response": true, "finalize_response": true}
