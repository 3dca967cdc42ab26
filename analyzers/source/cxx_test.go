package source

import "testing"

func TestLooksCxx(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      bool
	}{
		{"namespace", "#pragma once\nnamespace double_conversion {\nint f();\n}\n", true},
		{"namespace, brace below", "namespace juliet_81\n{\nclass base;\n}\n", true},
		{"template", "template <typename T>\nT max(T a, T b);\n", true},
		{"class deriving", "class Bad : public Base\n{\n};\n", true},
		{"one access specifier", "struct S {\npublic:\n  int x;\n};\n", false},
		{"C++ standard header", "#include <cstdint>\nint f(void);\n", true},
		{"using namespace", "using namespace std;\n", true},
		// C headers, C++ only behind __cplusplus guards
		{"extern C guard", "#ifdef __cplusplus\nextern \"C\" {\n#endif\nint f(void);\n#ifdef __cplusplus\n}\n#endif\n", false},
		{"C++ helpers behind a guard", "#if defined(__cplusplus) && __cplusplus >= 201103L\nnamespace py {\ntemplate <class T> T id(T x) { return x; }\n}\n#else\nint id(int);\n#endif\nint g(void);\n", false},
		{"nested guard", "#ifdef __cplusplus\n#if X\nnamespace a {\n#endif\n#endif\n", false},
		{"plain C", "#include <stdint.h>\nstruct pt { int x : 3; };\nint namespace_count;\nint template_id(int public_key);\n", false},
		{"C label", "void f(void) {\n  goto done;\ndone:\n  return;\n}\n", false},
		{"guard closed, then C++", "#ifdef __cplusplus\nextern \"C\" {\n#endif\n#ifdef __cplusplus\n}\n#endif\nnamespace x {\n}\n", true},
		{"#if 0 example", "#if 0\nnamespace leak {\ntemplate <class T> void f();\n}\n#endif\nint g(void);\n", false},
		{"comment", "/*\nprivate: a note\ntemplate <T> in prose\n*/\n// namespace x {\nint g(void);\n", false},
		{"string", "static const char *s = \"namespace x {\";\nstatic const char *t = \"a\\\ntemplate <b>\";\n", false},
		{"one C label", "int f(void) {\n  goto public;\npublic:\n  return 0;\n}\n", false},
		{"identifier namespace", "int\nnamespace\n;\nstruct s {\n  int namespace;\n};\n", false},
		{"two weak signs", "class A {\npublic:\n  int x;\nprivate:\n  int y;\n};\n", true},
		{"#elif __cplusplus", "#if defined(_MSC_VER)\nint a;\n#elif defined(__cplusplus)\nnamespace x {\n}\n#endif\n", false},
		{"continued guard", "#if defined(X) && \\\n    defined(__cplusplus)\nnamespace x {\n}\n#endif\n", false},
		{"CRLF", "namespace conv {\r\nint f();\r\n}\r\n", true},
		{"class and access specifier", "class Foo {\npublic:\n  int x;\n};\n", true},
		{"#if(0)", "#if(0)\nnamespace x {\n}\n#endif\n", false},
	} {
		if got := LooksCxx([]byte(tc.src)); got != tc.want {
			t.Errorf("%s: LooksCxx = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// FuzzLooksCxx: any bytes are read without a panic (unterminated
// comments and strings, stray directives, continuations at the end).
func FuzzLooksCxx(f *testing.F) {
	for _, s := range []string{"namespace x {\n", "#if 0\n/* \"\\\n", "#endif\n#elif\n#else\n", "'\\", "a \\"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		LooksCxx(src)
	})
}
