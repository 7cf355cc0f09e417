package grader

import "testing"

func TestStepRules(t *testing.T) {
	for _, m := range []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"} {
		if !IsStepMethod(m) {
			t.Errorf("IsStepMethod(%q) = false", m)
		}
	}
	for _, m := range []string{"", "get", "FETCH", "GE T"} {
		if IsStepMethod(m) {
			t.Errorf("IsStepMethod(%q) = true", m)
		}
	}
	for name, want := range map[string]bool{"X-Request-Id": true, "Content-Type": true, "": false, "X Id": false, "X: y": false, "X\x7f": false} {
		if got := IsHeaderName(name); got != want {
			t.Errorf("IsHeaderName(%q) = %v, want %v", name, got, want)
		}
	}
	for code, want := range map[int]bool{99: false, 100: true, 201: true, 599: true, 600: false} {
		if got := IsStatus(code); got != want {
			t.Errorf("IsStatus(%d) = %v, want %v", code, got, want)
		}
	}
	for op, want := range map[string]bool{"equals": true, "ne": true, "exists": true, "absent": true, "type": true, "gte": true, "lte": true, "matches": true, "length": true, "": false, "contains": false} {
		if got := IsMatchOp(op); got != want {
			t.Errorf("IsMatchOp(%q) = %v, want %v", op, got, want)
		}
	}
	for typ, want := range map[string]bool{"string": true, "number": true, "bool": true, "array": true, "object": true, "null": true, "int": false} {
		if got := IsJSONType(typ); got != want {
			t.Errorf("IsJSONType(%q) = %v, want %v", typ, got, want)
		}
	}
	for op, want := range map[string]bool{"contains": true, "equals": true, "matches": true, "exists": true, "absent": true, "ne": false, "": false} {
		if got := IsHeaderOp(op); got != want {
			t.Errorf("IsHeaderOp(%q) = %v, want %v", op, got, want)
		}
	}
	for p, want := range map[string]bool{`^[a-z]{5}$`: true, `^/notes/${id}$`: true, `${a}*`: true, `(`: false, `a**`: false, `[z-a]`: false} {
		if err := CheckPattern(p); (err == nil) != want {
			t.Errorf("CheckPattern(%q) = %v, want ok %v", p, err, want)
		}
	}
	StepMethods()[0] = "X"
	if !IsStepMethod("GET") {
		t.Error("StepMethods shares its slice")
	}
}
