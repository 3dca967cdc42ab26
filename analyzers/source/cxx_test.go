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
		{"access specifier", "struct S {\npublic:\n  int x;\n};\n", true},
		{"C++ standard header", "#include <cstdint>\nint f(void);\n", true},
		{"using namespace", "using namespace std;\n", true},
		// C headers, C++ only behind __cplusplus guards
		{"extern C guard", "#ifdef __cplusplus\nextern \"C\" {\n#endif\nint f(void);\n#ifdef __cplusplus\n}\n#endif\n", false},
		{"C++ helpers behind a guard", "#if defined(__cplusplus) && __cplusplus >= 201103L\nnamespace py {\ntemplate <class T> T id(T x) { return x; }\n}\n#else\nint id(int);\n#endif\nint g(void);\n", false},
		{"nested guard", "#ifdef __cplusplus\n#if X\nnamespace a {\n#endif\n#endif\n", false},
		{"plain C", "#include <stdint.h>\nstruct pt { int x : 3; };\nint namespace_count;\nint template_id(int public_key);\n", false},
		{"C label", "void f(void) {\n  goto done;\ndone:\n  return;\n}\n", false},
		{"guard closed, then C++", "#ifdef __cplusplus\nextern \"C\" {\n#endif\n#ifdef __cplusplus\n}\n#endif\nnamespace x {\n}\n", true},
	} {
		if got := LooksCxx([]byte(tc.src)); got != tc.want {
			t.Errorf("%s: LooksCxx = %v, want %v", tc.name, got, tc.want)
		}
	}
}
