package ctypes

// fpAttributes are the attributes a program sets on a foreign function.
var fpAttributes = []string{"argtypes", "restype", "errcheck"}

// elemSizes are the sizes in bytes of the ctypes scalar types (LP64: long
// is 8 bytes, wchar_t 4) that make up arrays.
var elemSizes = map[string]int64{
	"c_char": 1, "c_byte": 1, "c_ubyte": 1, "c_int8": 1, "c_uint8": 1, "c_bool": 1,
	"c_short": 2, "c_ushort": 2, "c_int16": 2, "c_uint16": 2,
	"c_int": 4, "c_uint": 4, "c_int32": 4, "c_uint32": 4, "c_float": 4, "c_wchar": 4,
	"c_long": 8, "c_ulong": 8, "c_longlong": 8, "c_ulonglong": 8, "c_int64": 8, "c_uint64": 8,
	"c_size_t": 8, "c_ssize_t": 8, "c_double": 8, "c_void_p": 8, "c_char_p": 8, "c_wchar_p": 8,
	"c_longdouble": 16, "c_time_t": 8,
}

// charElems are the element types whose arrays hold bytes: .value stops at
// the first NUL of such an array.
var charElems = map[string]bool{"c_char": true}

// byteElems are the element types whose pointers carry binary data.
var byteElems = map[string]bool{"c_ubyte": true, "c_uint8": true, "c_byte": true, "c_int8": true}

// neutralCalls take a buffer without writing or reading its content.
var neutralCalls = map[string]bool{
	"len": true, "sizeof": true, "id": true, "type": true, "isinstance": true, "str": true,
	"repr": true, "hasattr": true, "alignment": true,
}

// numpySizes are the sizes in bytes of numpy's dtypes.
var numpySizes = map[string]int64{
	"uint8": 1, "int8": 1, "ubyte": 1, "byte": 1, "bool_": 1, "bool": 1, "uint16": 2, "int16": 2, "float16": 2,
	"uint32": 4, "int32": 4, "float32": 4, "single": 4, "uint64": 8, "int64": 8, "float64": 8, "double": 8,
	"float": 8, "int": 8, "intc": 4, "uintc": 4, "complex64": 8, "complex128": 16, "uintp": 8, "intp": 8,
}

// readCalls read a buffer's content.
var readCalls = map[string]bool{"bytes": true, "bytearray": true, "memoryview": true, "string_at": true, "wstring_at": true}

// responseSinks send their arguments to a client.
var responseSinks = map[string]bool{
	"HttpResponse": true, "JsonResponse": true, "Response": true, "StreamingHttpResponse": true,
	"FileResponse": true, "HttpResponseBadRequest": true, "HttpResponseForbidden": true,
	"HttpResponseNotFound": true, "HttpResponseServerError": true,
}

// sendMethods write their arguments to a peer or a response.
var sendMethods = map[string]bool{"send": true, "sendall": true, "sendto": true, "write": true, "writelines": true}

// cTypes are the ctypes scalar and pointer types, as C types (LP64).
var cTypes = map[string]ctype{
	"c_bool": intType(1), "c_char": intType(1), "c_byte": intType(1), "c_ubyte": intType(1),
	"c_int8": intType(1), "c_uint8": intType(1), "c_short": intType(2), "c_ushort": intType(2),
	"c_int16": intType(2), "c_uint16": intType(2), "c_int": intType(4), "c_uint": intType(4),
	"c_int32": intType(4), "c_uint32": intType(4), "c_long": intType(8), "c_ulong": intType(8),
	"c_longlong": intType(8), "c_ulonglong": intType(8), "c_int64": intType(8), "c_uint64": intType(8),
	"c_size_t": intType(8), "c_ssize_t": intType(8), "c_time_t": intType(8), "c_wchar": intType(4),
	"c_float": floatType(4), "c_double": floatType(8), "c_longdouble": floatType(16),
	"c_char_p": ptrType(pointeeChar), "c_wchar_p": ptrType(pointeeWide), "c_void_p": ptrType(pointeeVoid),
	"py_object": ptrType(pointeeOther), "HRESULT": intType(4),
	// ctypes.wintypes
	"BYTE": intType(1), "WORD": intType(2), "DWORD": intType(4), "UINT": intType(4), "INT": intType(4),
	"BOOL": intType(4), "LONG": intType(4), "ULONG": intType(4), "HANDLE": ptrType(pointeeVoid),
	"HMODULE": ptrType(pointeeVoid), "HWND": ptrType(pointeeVoid), "LPVOID": ptrType(pointeeVoid),
	"LPCVOID": ptrType(pointeeVoid), "LPSTR": ptrType(pointeeChar), "LPCSTR": ptrType(pointeeChar),
	"LPWSTR": ptrType(pointeeWide), "LPCWSTR": ptrType(pointeeWide),
}

// sizeTypes are the ctypes types of sizes.
var sizeTypes = map[string]bool{"c_size_t": true, "c_ssize_t": true}

// cScalars are C scalar types by normalized name (LP64: long is 8 bytes).
var cScalars = map[string]ctype{
	"char": intType(1), "signed char": intType(1), "unsigned char": intType(1), "_Bool": intType(1), "bool": intType(1),
	"short": intType(2), "unsigned short": intType(2),
	"int": intType(4), "unsigned": intType(4), "unsigned int": intType(4), "signed": intType(4),
	"long": intType(8), "unsigned long": intType(8), "long long": intType(8), "unsigned long long": intType(8),
	"float": floatType(4), "double": floatType(8), "long double": floatType(16),
	"int8_t": intType(1), "uint8_t": intType(1), "int16_t": intType(2), "uint16_t": intType(2),
	"int32_t": intType(4), "uint32_t": intType(4), "int64_t": intType(8), "uint64_t": intType(8),
	"u_int8_t": intType(1), "u_int16_t": intType(2), "u_int32_t": intType(4), "u_int64_t": intType(8),
	"u8": intType(1), "u16": intType(2), "u32": intType(4), "u64": intType(8),
	"size_t": intType(8), "ssize_t": intType(8), "ptrdiff_t": intType(8), "off_t": intType(8),
	"Py_ssize_t": intType(8), "time_t": intType(8), "wchar_t": intType(4), "socklen_t": intType(4),
	"pid_t": intType(4), "uid_t": intType(4), "gid_t": intType(4), "mode_t": intType(4),
	"guint8": intType(1), "guchar": intType(1), "gint": intType(4), "guint": intType(4), "gsize": intType(8),
	"gssize": intType(8), "BYTE": intType(1), "DWORD": intType(4), "BOOL": intType(4),
	"intptr_t": addrType(), "uintptr_t": addrType(), "Py_UCS4": intType(4), "Py_UCS1": intType(1),
}

// cPointees classify what a C pointer points at, by the pointee's name.
var cPointees = map[string]pointee{
	"char": pointeeChar, "signed char": pointeeChar, "const char": pointeeChar,
	"unsigned char": pointeeBytes, "uint8_t": pointeeBytes, "u_int8_t": pointeeBytes, "u8": pointeeBytes,
	"guint8": pointeeBytes, "guchar": pointeeBytes, "BYTE": pointeeBytes, "byte": pointeeBytes,
	"Py_UCS1": pointeeBytes, "int8_t": pointeeBytes, "void": pointeeVoid, "wchar_t": pointeeWide,
}

// lengthSuffixes turn a buffer parameter's name into its length's
// ("out" → "outlen", "out_len", "outsize"...).
var lengthSuffixes = []string{"len", "_len", "length", "_length", "size", "_size", "sz", "_sz", "max", "_max", "cap", "_cap", "_bytes", "bytes"}

// lengthPrefixes do the same in front ("out" → "n_out", "len_out").
var lengthPrefixes = []string{"n", "n_", "len_", "size_", "max_", "num_"}

// lengthNames are parameter names that are the length of the parameter
// just before them.
var lengthNames = map[string]bool{
	"len": true, "length": true, "size": true, "n": true, "count": true, "sz": true, "nbytes": true,
	"maxlen": true, "max_len": true, "bufsize": true, "buf_size": true, "buflen": true, "buf_len": true,
	"cap": true, "capacity": true, "bufsz": true, "max": true, "nmemb": true, "outlen": true, "out_len": true,
	"outsize": true, "out_size": true, "dstlen": true, "dst_len": true, "dstsize": true, "dst_size": true,
}

// intNames are variable names that hold a size rather than initial data
// when passed to create_string_buffer.
var intNames = []string{"size", "len", "length", "count", "num", "max", "cap", "capacity", "bytes", "width", "sz"}
