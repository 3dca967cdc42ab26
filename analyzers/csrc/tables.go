package csrc

// A sinkSpec says where a call sends bytes out of the process: which
// argument holds the buffer and which the byte count.
type sinkSpec struct {
	buf, n int
	// factor, when not -1, is a second count argument multiplied with n
	// (fwrite's size and nmemb).
	factor int
	// outParam means the call is a sink only when its first argument
	// (the destination) is a parameter or a global: memcpy and memmove.
	outParam bool
	// verb says what happens to the bytes, for messages.
	verb string
	// python marks a call that copies the bytes into a Python object.
	python bool
}

// sinks are the built-in sinks; the `sinks` setting adds more.
var sinks = map[string]sinkSpec{
	"write":                         {buf: 1, n: 2, factor: -1, verb: "written to a file descriptor by write()"},
	"send":                          {buf: 1, n: 2, factor: -1, verb: "sent by send()"},
	"sendto":                        {buf: 1, n: 2, factor: -1, verb: "sent by sendto()"},
	"fwrite":                        {buf: 0, n: 1, factor: 2, verb: "written to a file by fwrite()"},
	"memcpy":                        {buf: 1, n: 2, factor: -1, outParam: true, verb: "copied out by memcpy()"},
	"memmove":                       {buf: 1, n: 2, factor: -1, outParam: true, verb: "copied out by memmove()"},
	"PyBytes_FromStringAndSize":     {buf: 0, n: 1, factor: -1, verb: "copied into a bytes object by PyBytes_FromStringAndSize()", python: true},
	"PyByteArray_FromStringAndSize": {buf: 0, n: 1, factor: -1, verb: "copied into a bytearray by PyByteArray_FromStringAndSize()", python: true},
	"PyUnicode_FromStringAndSize":   {buf: 0, n: 1, factor: -1, verb: "decoded into a str by PyUnicode_FromStringAndSize()", python: true},
	"PyMemoryView_FromMemory":       {buf: 0, n: 1, factor: -1, verb: "exposed by PyMemoryView_FromMemory()", python: true},
}

// buildValue is the CPython call whose format units y#, s# and z# take a
// buffer and its length.
const buildValue = "Py_BuildValue"

// writeKind says how a writer fills its destination.
type writeKind uint8

const (
	// exact writers fill exactly the count argument's bytes.
	exact writeKind = iota
	// stringWriters write a NUL-terminated string, not the rest.
	stringWriter
	// counted writers fill as many bytes as they return.
	counted
)

// A writerSpec describes a known function that writes a buffer argument.
type writerSpec struct {
	kind writeKind
	dst  int
	// n is the count argument (-1: none), factor a second count multiplied
	// with it (fread), src the source argument of a copy (-1: none).
	n, factor, src int
	// what describes a string writer's output, for messages.
	what string
}

// countOuts are the counted writers that store their count through a
// pointer argument, by its index, and return whether they succeeded
// (OpenSSL's SSL_read_ex(ssl, buf, num, &readbytes)). Given anything but
// a local's address there, a call is an unknown callee's.
var countOuts = map[string]int{"SSL_read_ex": 3, "SSL_peek_ex": 3, "BIO_read_ex": 3, "SSL_read_early_data": 3}

// writers are the functions whose effect on a buffer argument is known.
var writers = map[string]writerSpec{
	"memset":              {kind: exact, dst: 0, n: 2, factor: -1, src: -1},
	"explicit_bzero":      {kind: exact, dst: 0, n: 1, factor: -1, src: -1},
	"bzero":               {kind: exact, dst: 0, n: 1, factor: -1, src: -1},
	"memset_s":            {kind: exact, dst: 0, n: 3, factor: -1, src: -1},
	"memcpy":              {kind: exact, dst: 0, n: 2, factor: -1, src: 1},
	"memmove":             {kind: exact, dst: 0, n: 2, factor: -1, src: 1},
	"bcopy":               {kind: exact, dst: 1, n: 2, factor: -1, src: 0},
	"strncpy":             {kind: exact, dst: 0, n: 2, factor: -1, src: -1},
	"strcpy":              {kind: stringWriter, dst: 0, n: -1, factor: -1, src: 1, what: "strlen(%s)+1"},
	"stpcpy":              {kind: stringWriter, dst: 0, n: -1, factor: -1, src: 1, what: "strlen(%s)+1"},
	"strcat":              {kind: stringWriter, dst: 0, n: -1, factor: -1, src: -1, what: "a string and its NUL"},
	"strncat":             {kind: stringWriter, dst: 0, n: -1, factor: -1, src: -1, what: "a string and its NUL"},
	"strlcpy":             {kind: stringWriter, dst: 0, n: -1, factor: -1, src: 1, what: "at most strlen(%s)+1"},
	"strlcat":             {kind: stringWriter, dst: 0, n: -1, factor: -1, src: -1, what: "a string and its NUL"},
	"sprintf":             {kind: stringWriter, dst: 0, n: -1, factor: -1, src: -1, what: "its formatted string and NUL"},
	"snprintf":            {kind: stringWriter, dst: 0, n: -1, factor: -1, src: -1, what: "its formatted string and NUL"},
	"vsprintf":            {kind: stringWriter, dst: 0, n: -1, factor: -1, src: -1, what: "its formatted string and NUL"},
	"vsnprintf":           {kind: stringWriter, dst: 0, n: -1, factor: -1, src: -1, what: "its formatted string and NUL"},
	"PyOS_snprintf":       {kind: stringWriter, dst: 0, n: -1, factor: -1, src: -1, what: "its formatted string and NUL"},
	"PyOS_vsnprintf":      {kind: stringWriter, dst: 0, n: -1, factor: -1, src: -1, what: "its formatted string and NUL"},
	"strftime":            {kind: stringWriter, dst: 0, n: -1, factor: -1, src: -1, what: "its formatted string and NUL"},
	"fgets":               {kind: stringWriter, dst: 0, n: -1, factor: -1, src: -1, what: "a line and its NUL"},
	"gets":                {kind: stringWriter, dst: 0, n: -1, factor: -1, src: -1, what: "a line and its NUL"},
	"getcwd":              {kind: stringWriter, dst: 0, n: -1, factor: -1, src: -1, what: "a path and its NUL"},
	"realpath":            {kind: stringWriter, dst: 1, n: -1, factor: -1, src: -1, what: "a path and its NUL"},
	"gethostname":         {kind: stringWriter, dst: 0, n: -1, factor: -1, src: -1, what: "a host name and its NUL"},
	"inet_ntop":           {kind: stringWriter, dst: 2, n: -1, factor: -1, src: -1, what: "an address string and its NUL"},
	"BIO_gets":            {kind: stringWriter, dst: 1, n: -1, factor: -1, src: -1, what: "a line and its NUL"},
	"read":                {kind: counted, dst: 1, n: 2, factor: -1, src: -1},
	"pread":               {kind: counted, dst: 1, n: 2, factor: -1, src: -1},
	"pread64":             {kind: counted, dst: 1, n: 2, factor: -1, src: -1},
	"gzread":              {kind: counted, dst: 1, n: 2, factor: -1, src: -1},
	"mq_receive":          {kind: counted, dst: 1, n: 2, factor: -1, src: -1},
	"recv":                {kind: counted, dst: 1, n: 2, factor: -1, src: -1},
	"recvfrom":            {kind: counted, dst: 1, n: 2, factor: -1, src: -1},
	"readlink":            {kind: counted, dst: 1, n: 2, factor: -1, src: -1},
	"fread":               {kind: counted, dst: 0, n: 1, factor: 2, src: -1},
	"BIO_read":            {kind: counted, dst: 1, n: 2, factor: -1, src: -1},
	"SSL_read":            {kind: counted, dst: 1, n: 2, factor: -1, src: -1},
	"SSL_peek":            {kind: counted, dst: 1, n: 2, factor: -1, src: -1},
	"SSL_read_ex":         {kind: counted, dst: 1, n: 2, factor: -1, src: -1},
	"SSL_peek_ex":         {kind: counted, dst: 1, n: 2, factor: -1, src: -1},
	"BIO_read_ex":         {kind: counted, dst: 1, n: 2, factor: -1, src: -1},
	"SSL_read_early_data": {kind: counted, dst: 1, n: 2, factor: -1, src: -1},
}

// readers only read their buffer arguments (or do nothing to them).
var readers = map[string]bool{
	"strlen": true, "strnlen": true, "wcslen": true, "strcmp": true, "strncmp": true,
	"strcasecmp": true, "strncasecmp": true, "memcmp": true, "CRYPTO_memcmp": true,
	"timingsafe_bcmp": true, "strchr": true, "strrchr": true, "strstr": true, "memchr": true,
	"printf": true, "fprintf": true, "dprintf": true, "puts": true, "fputs": true, "perror": true,
	"free": true, "PyMem_Free": true, "PyMem_RawFree": true, "PyObject_Free": true,
	"Py_DECREF": true, "Py_XDECREF": true, "Py_INCREF": true, "Py_XINCREF": true, "Py_CLEAR": true,
	"atoi": true, "atol": true, "strtol": true, "strtoul": true, "strtoll": true, "strtoull": true,
	"assert": true,
}

// allocators return an uninitialized heap block of the size in their
// first argument.
var allocators = map[string]bool{
	"malloc": true, "PyMem_Malloc": true, "PyMem_RawMalloc": true, "PyObject_Malloc": true,
	"OPENSSL_malloc": true, "alloca": true,
}

// zeroAllocators return a zero-filled heap block.
var zeroAllocators = map[string]bool{
	"calloc": true, "PyMem_Calloc": true, "PyMem_RawCalloc": true, "PyObject_Calloc": true,
	"OPENSSL_zalloc": true,
}

// bytesFactories create a Python bytes-like object whose buffer is left
// uninitialized when their first argument is NULL; the value is the
// function that shrinks it.
var bytesFactories = map[string]string{
	"PyBytes_FromStringAndSize":     "_PyBytes_Resize",
	"PyByteArray_FromStringAndSize": "PyByteArray_Resize",
}

// resizers shrink a bytes-like object to the bytes actually written.
var resizers = map[string]bool{"_PyBytes_Resize": true, "PyByteArray_Resize": true}

// dataAccessors return the buffer of a bytes-like object.
var dataAccessors = map[string]bool{
	"PyBytes_AS_STRING": true, "PyBytes_AsString": true,
	"PyByteArray_AS_STRING": true, "PyByteArray_AsString": true,
}

// stringLengths return the length of the string in their first argument:
// sending that many bytes of a buffer a string writer filled is safe.
var stringLengths = map[string]bool{"strlen": true, "strnlen": true}

// primitive sizes and alignments on LP64 (Linux and macOS, 64-bit).
var primitives = map[string]int64{
	"char": 1, "signed char": 1, "unsigned char": 1, "_Bool": 1, "bool": 1,
	"short": 2, "short int": 2, "signed short": 2, "unsigned short": 2, "unsigned short int": 2,
	"int": 4, "signed": 4, "signed int": 4, "unsigned": 4, "unsigned int": 4,
	"long": 8, "long int": 8, "signed long": 8, "unsigned long": 8, "unsigned long int": 8,
	"long long": 8, "long long int": 8, "unsigned long long": 8, "unsigned long long int": 8,
	"float": 4, "double": 8, "long double": 16,
	"int8_t": 1, "uint8_t": 1, "int16_t": 2, "uint16_t": 2, "int32_t": 4, "uint32_t": 4,
	"int64_t": 8, "uint64_t": 8, "u8": 1, "u16": 2, "u32": 4, "u64": 8, "s8": 1, "s16": 2,
	"s32": 4, "s64": 8, "size_t": 8, "ssize_t": 8, "ptrdiff_t": 8, "intptr_t": 8, "uintptr_t": 8,
	"off_t": 8, "time_t": 8, "pid_t": 4, "uid_t": 4, "gid_t": 4, "socklen_t": 4, "in_addr_t": 4,
	"in_port_t": 2, "sa_family_t": 2, "wchar_t": 4, "char16_t": 2, "char32_t": 4,
	"Py_ssize_t": 8, "Py_hash_t": 8, "Py_UCS1": 1, "Py_UCS2": 2, "Py_UCS4": 4,
	"BYTE": 1, "WORD": 2, "DWORD": 4,
}
