// Package mtls finds Django and WSGI code that trusts client-certificate
// data without validating it: values a TLS-terminating proxy or the WSGI
// server forwards (SSL_CLIENT_S_DN, SSL_CLIENT_CERT, X-SSL-Client-*,
// X-Forwarded-Client-Cert) that decide who the user is, with no check
// that the certificate was verified or that the header came from the
// proxy.
//
// # On the model
//
// The analyzer has no Run step and no query: it Checks each scanned file
// against the Python model (package pysrc), whose parts it asks for with
// its vocabulary's literals (certificate, status and user keys,
// MIDDLEWARE, RemoteUser); the modules such a file calls with the request
// are read through the model's Needs. From the model it takes each
// module's code lowered to atoms (a parameter, a call's result, a name, a
// test, and the operations applied since), each function's flow (its
// statements as a tree: the calls each makes, its tests, what it
// assigns, returns or raises), what names resolve to across modules
// (imports, classes and their bases, methods, module-level instances),
// the constants modules and classes define, Django settings, the
// MIDDLEWARE lists, decorators, and who calls what.
//
// # The flow of a check
//
//  1. checker (checker.go) walks each function of the module that
//     receives a request or a WSGI environ (roles.go says what it is:
//     middleware, a view decorator's wrapper, an authentication or
//     permission class, a view), and each RemoteUserMiddleware subclass
//     (remoteuser.go). A function the module calls is walked at its calls
//     instead, with its callers' facts.
//  2. frame (walk.go) walks a function's flow. What holds at each point
//     is a facts value: a verification (sound, of a status a client can
//     send, or weak), a trusted-proxy check, and the tests of certificate
//     data the point depends on (gates). Branches start from what their
//     test establishes and are met after; a branch that leaves adds its
//     test's negation to what follows.
//  3. values (eval.go, cond.go, keyrefs.go) gives each atom its value:
//     the request and its containers, a key read (classified by keys.go
//     from a literal, a constant, or a setting), a verification status,
//     the peer's address, a parsed certificate, a digest, a DN cut apart,
//     what a certificate value selects from a mapping (PERMISSIONS[dn]
//     is as trusted as dn); and each test what it establishes when true
//     and when false.
//  4. callSite (call.go) makes each call in order: a read, a login, an ORM
//     look-up (sinks), a certificate verified, a status normalized, a DN
//     parsed. A function of the repository is followed (inline.go): of
//     the checked module, walked at the call with the caller's facts, so
//     that its sinks are reported there; of another module, walked
//     quietly with the call's arguments, and what it establishes where it
//     returns, what it returns and whether it cuts certificate strings
//     apart become the call's own. A function the repository does not
//     define is judged by its name (and the user's settings).
//  5. sinks (sinks.go) judge the data reaching an identity decision, a
//     grant of access, or an attribute of the request or of request.user
//     handed on, with the facts
//     that hold there; an if whose test of certificate data has a branch
//     that denies or grants is a decision too. report.go words the six
//     rules' findings, once per rule and place.
//  6. verdicts (verdicts.go) weigh the findings against the repository: a
//     helper's stand only if another module calls it without checking
//     first; a function every caller of which checks first, a middleware
//     listed after one that checks every request, and views behind such
//     a middleware are marked to be lowered one level, which Finish does
//     (only Finish may change a level). What a decorator, a view's
//     dispatch or a middleware guarantees, and what holds at each call of
//     a function, are learned by quiet walks, once per program
//     (summaries.go).
//
// # What the model cannot decide
//
// Before the model, a file was judged alone, and what another module's
// function checks or which key a setting names were unknowns: every
// combination of their states (a world) was judged and Finish kept the
// findings of the repository's actual world. The model decides both now:
// a function of another module is walked, and a setting is looked up. One
// unknown is left: a setting that several settings modules define (a
// project's base, production and test settings). A key read at such a
// setting may be each of their values: the read's origin keeps one key
// per definition, and each is judged (keyrefs.go, sinks.go). A function
// the model does not hold (a library's, or a module it did not read) is
// judged by its name.
package mtls
