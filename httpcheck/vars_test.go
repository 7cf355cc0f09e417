package httpcheck

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tidwall/gjson"
)

func jsonResult(raw string) gjson.Result { return gjson.Parse(raw) }

func testVars() vars {
	v := vars{}
	v.set("id", jsonResult(`"n 1"`))
	v.set("num", jsonResult(`42`))
	v.set("obj", jsonResult(`{"a": [1, 2]}`))
	v.set("flag", jsonResult(`false`))
	return v
}

func TestExpand(t *testing.T) {
	tests := []struct {
		in, want, wantErr string
	}{
		{"/notes/${id}", "/notes/n 1", ""},
		{"/notes/${id}/n/${num}?x=${flag}", "/notes/n 1/n/42?x=false", ""},
		{"${obj}", `{"a": [1, 2]}`, ""},
		{"no variables, $id, ${ id }, $${num}", "no variables, $id, ${ id }, $42", ""},
		{"/notes/${nope}/${id}", "", "uses ${nope}, which no earlier step captured"},
	}
	for _, tc := range tests {
		got, err := testVars().expand(tc.in)
		if tc.wantErr != "" {
			if err == nil || err.Error() != tc.wantErr {
				t.Errorf("expand(%q) error %v, want %q", tc.in, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("expand(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestExpandJSON(t *testing.T) {
	tests := []struct {
		name, in, want, wantErr string
	}{
		{"untouched without variables", `{"b": 12345678901234567890123, "a": "<x>"}`, `{"b": 12345678901234567890123, "a": "<x>"}`, ""},
		{"string leaves", `{"id": "${id}", "label": "note ${num}", "n": 1.50}`, `{"id":"n 1","label":"note 42","n":1.50}`, ""},
		{"whole leaf keeps the captured type", `{"num": "${num}", "obj": "${obj}", "flag": "${flag}"}`, `{"flag":false,"num":42,"obj":{"a":[1,2]}}`, ""},
		{"nested arrays", `[["${id}"], {"x": ["${num}"]}]`, `[["n 1"],{"x":[42]}]`, ""},
		{"keys are not substituted", `{"${id}": 1}`, `{"${id}":1}`, ""},
		{"no html escaping", `{"q": "<${id}>&"}`, `{"q":"<n 1>&"}`, ""},
		{"unknown variable", `{"a": ["${nope}"]}`, "", "uses ${nope}, which no earlier step captured"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := testVars().expandJSON(json.RawMessage(tc.in))
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, string(got)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
