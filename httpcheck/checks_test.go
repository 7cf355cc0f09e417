package httpcheck

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gradebox/grader/grader"
)

func jsonResponse(status int, body string) response {
	return response{
		Response: &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"application/json"}}},
		body:     []byte(body),
	}
}

func hdr(name, op, value string) grader.HeaderMatch {
	return grader.HeaderMatch{Name: name, Op: op, Value: value}
}

// withHeaders returns resp with headers added, given as name, value pairs.
func withHeaders(resp response, kv ...string) response {
	h := resp.Header.Clone()
	for i := 0; i+1 < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	r := *resp.Response
	r.Header = h
	resp.Response = &r
	return resp
}

func match(path, op, value string) grader.JSONMatch {
	return grader.JSONMatch{Path: path, Op: op, Value: json.RawMessage(value)}
}

func TestCheck(t *testing.T) {
	const note = `{"id":"7","num":42,"title":"hell","count":3,"ratio":0.5,"big":12345678901234567890,` +
		`"tags":["a","b"],"meta":{"a":1,"b":[true,null]},"done":false,"gone":null,"html":"<b>&"}`
	captured := vars{}
	captured.set("id", jsonResult(`"7"`))
	captured.set("num", jsonResult(`42`))
	tests := []struct {
		name string
		exp  grader.Expect
		resp response
		want string // "" means the response must pass
	}{
		{"status ok", grader.Expect{Status: 200}, jsonResponse(200, note), ""},
		{"status wrong", grader.Expect{Status: 404}, jsonResponse(200, `{"id":"7"}`),
			`expected status 404, got 200; body: {"id":"7"}`},
		{"status with empty body", grader.Expect{Status: 201}, jsonResponse(500, "  \n"),
			`expected status 201, got 500; body: (empty)`},
		{"status body trimmed", grader.Expect{Status: 200}, jsonResponse(500, strings.Repeat("é", 150)),
			`expected status 200, got 500; body: ` + strings.Repeat("é", 100) + "…"},
		{"header contains, any case", grader.Expect{Headers: map[string]string{"content-type": "JSON"}}, jsonResponse(200, note), ""},
		{"header wrong", grader.Expect{Headers: map[string]string{"Content-Type": "text/html"}}, jsonResponse(200, note),
			`expected header Content-Type to contain "text/html", got "application/json"`},
		{"header missing", grader.Expect{Headers: map[string]string{"X-Request-Id": "abc"}}, jsonResponse(200, note),
			`expected header X-Request-Id to contain "abc", but it is missing`},
		{"header first failure by name", grader.Expect{Headers: map[string]string{"X-B": "b", "X-A": "a"}}, jsonResponse(200, note),
			`expected header X-A to contain "a", but it is missing`},
		{"header substituted", grader.Expect{Headers: map[string]string{"Content-Type": "${nope}"}}, jsonResponse(200, note),
			`uses ${nope}, which no earlier step captured`},
		{"body contains", grader.Expect{BodyContains: `"title":"hell"`}, jsonResponse(200, note), ""},
		{"body contains substituted", grader.Expect{BodyContains: `"id":"${id}"`}, jsonResponse(200, note), ""},
		{"body lacks", grader.Expect{BodyContains: "hello"}, jsonResponse(200, `{"title":"hell"}`),
			`expected the body to contain "hello"; body: {"title":"hell"}`},

		{"equals string", grader.Expect{JSON: []grader.JSONMatch{match("title", "equals", `"hell"`)}}, jsonResponse(200, note), ""},
		{"equals is the default op", grader.Expect{JSON: []grader.JSONMatch{match("title", "", `"hello"`)}}, jsonResponse(200, note),
			`json "title": expected "hello", got "hell"`},
		{"equals numbers by value", grader.Expect{JSON: []grader.JSONMatch{match("count", "equals", `3.0`), match("ratio", "equals", `5e-1`), match("tags.#", "equals", `2`)}}, jsonResponse(200, note), ""},
		{"equals big integers exactly", grader.Expect{JSON: []grader.JSONMatch{match("big", "equals", `12345678901234567891`)}}, jsonResponse(200, note),
			`json "big": expected 12345678901234567891, got 12345678901234567890`},
		{"equals number is not a string", grader.Expect{JSON: []grader.JSONMatch{match("count", "equals", `"3"`)}}, jsonResponse(200, note),
			`json "count": expected "3", got 3`},
		{"equals object deeply, any key order", grader.Expect{JSON: []grader.JSONMatch{match("meta", "equals", `{"b":[true,null],"a":1.0}`)}}, jsonResponse(200, note), ""},
		{"equals object differs", grader.Expect{JSON: []grader.JSONMatch{match("meta", "equals", `{"a":1}`)}}, jsonResponse(200, note),
			`json "meta": expected {"a":1}, got {"a":1,"b":[true,null]}`},
		{"equals array order matters", grader.Expect{JSON: []grader.JSONMatch{match("tags", "equals", `["b","a"]`)}}, jsonResponse(200, note),
			`json "tags": expected ["b","a"], got ["a","b"]`},
		{"equals null", grader.Expect{JSON: []grader.JSONMatch{match("gone", "equals", `null`), match("done", "equals", `false`)}}, jsonResponse(200, note), ""},
		{"equals keeps html characters", grader.Expect{JSON: []grader.JSONMatch{match("html", "equals", `"<b>"`)}}, jsonResponse(200, note),
			`json "html": expected "<b>", got "<b>&"`},
		{"equals missing", grader.Expect{JSON: []grader.JSONMatch{match("nope", "equals", `1`)}}, jsonResponse(200, `{"a":1}`),
			`json "nope": expected 1, found none; body: {"a":1}`},
		{"equals substituted string", grader.Expect{JSON: []grader.JSONMatch{match("id", "equals", `"${id}"`)}}, jsonResponse(200, note), ""},
		{"equals substituted number stays a number", grader.Expect{JSON: []grader.JSONMatch{match("num", "equals", `"${num}"`), match("title", "ne", `"${num}"`)}}, jsonResponse(200, note), ""},
		{"equals substituted into text", grader.Expect{JSON: []grader.JSONMatch{match("title", "equals", `"note ${num}"`)}}, jsonResponse(200, note),
			`json "title": expected "note 42", got "hell"`},
		{"equals unknown variable", grader.Expect{JSON: []grader.JSONMatch{match("id", "equals", `{"x":["${nope}"]}`)}}, jsonResponse(200, note),
			`uses ${nope}, which no earlier step captured`},

		{"ne passes", grader.Expect{JSON: []grader.JSONMatch{match("title", "ne", `"hello"`), match("nope", "ne", `1`)}}, jsonResponse(200, note), ""},
		{"ne fails", grader.Expect{JSON: []grader.JSONMatch{match("count", "ne", `3`)}}, jsonResponse(200, note),
			`json "count": expected anything but 3, got 3`},
		{"exists", grader.Expect{JSON: []grader.JSONMatch{match("id", "exists", ``), match("gone", "exists", `true`)}}, jsonResponse(200, note), ""},
		{"exists fails", grader.Expect{JSON: []grader.JSONMatch{match("id", "exists", `true`)}}, jsonResponse(200, `{"ID":"7"}`),
			`json "id": expected a value, found none; body: {"ID":"7"}`},
		{"exists false means absent", grader.Expect{JSON: []grader.JSONMatch{match("id", "exists", `false`)}}, jsonResponse(200, note),
			`json "id": expected no value, got "7"`},
		{"absent", grader.Expect{JSON: []grader.JSONMatch{match("password", "absent", `true`)}}, jsonResponse(200, note), ""},
		{"absent fails", grader.Expect{JSON: []grader.JSONMatch{match("meta.a", "absent", ``)}}, jsonResponse(200, note),
			`json "meta.a": expected no value, got 1`},
		{"types", grader.Expect{JSON: []grader.JSONMatch{
			match("title", "type", `"string"`), match("count", "type", `"number"`), match("done", "type", `"bool"`),
			match("tags", "type", `"array"`), match("meta", "type", `"object"`), match("gone", "type", `"null"`),
		}}, jsonResponse(200, note), ""},
		{"type fails", grader.Expect{JSON: []grader.JSONMatch{match("id", "type", `"number"`)}}, jsonResponse(200, note),
			`json "id": expected a number, got "7"`},
		{"type array fails", grader.Expect{JSON: []grader.JSONMatch{match("meta", "type", `"array"`)}}, jsonResponse(200, note),
			`json "meta": expected an array, got {"a":1,"b":[true,null]}`},
		{"type missing", grader.Expect{JSON: []grader.JSONMatch{match("items", "type", `"array"`)}}, jsonResponse(200, `{}`),
			`json "items": expected an array, found none; body: {}`},
		{"gte lte pass", grader.Expect{JSON: []grader.JSONMatch{match("count", "gte", `3`), match("count", "lte", `3`), match("ratio", "gte", `0.25`), match("tags.#", "lte", `2`)}}, jsonResponse(200, note), ""},
		{"gte fails", grader.Expect{JSON: []grader.JSONMatch{match("items.#", "gte", `2`)}}, jsonResponse(200, `{"items":[1]}`),
			`json "items.#": expected >= 2, got 1`},
		{"lte fails", grader.Expect{JSON: []grader.JSONMatch{match("ratio", "lte", `0.25`)}}, jsonResponse(200, note),
			`json "ratio": expected <= 0.25, got 0.5`},
		{"gte on a string", grader.Expect{JSON: []grader.JSONMatch{match("id", "gte", `1`)}}, jsonResponse(200, note),
			`json "id": expected a number >= 1, got "7"`},
		{"gte on nothing", grader.Expect{JSON: []grader.JSONMatch{match("n", "gte", `1`)}}, jsonResponse(200, `{}`),
			`json "n": expected a number >= 1, found none; body: {}`},
		{"first failing match wins", grader.Expect{JSON: []grader.JSONMatch{match("count", "equals", `3`), match("title", "equals", `"x"`), match("id", "equals", `"y"`)}}, jsonResponse(200, note),
			`json "title": expected "x", got "hell"`},

		{"not JSON", grader.Expect{JSON: []grader.JSONMatch{match("a", "exists", ``)}},
			response{Response: &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"text/plain; charset=utf-8"}}}, body: []byte("plain words")},
			`the response is not JSON (Content-Type "text/plain; charset=utf-8"): plain words`},
		{"empty is not JSON", grader.Expect{JSON: []grader.JSONMatch{match("a", "exists", ``)}},
			response{Response: &http.Response{StatusCode: 204, Header: http.Header{}}},
			`the response is not JSON (no Content-Type): (empty)`},
		{"status is checked before JSON", grader.Expect{Status: 200, JSON: []grader.JSONMatch{match("a", "exists", ``)}},
			response{Response: &http.Response{StatusCode: 404, Header: http.Header{}}, body: []byte("404 page not found\n")},
			`expected status 200, got 404; body: 404 page not found`},
		{"truncated body is not checked as JSON", grader.Expect{Status: 200, JSON: []grader.JSONMatch{match("a", "exists", ``)}},
			response{Response: &http.Response{StatusCode: 200, Header: http.Header{}}, body: []byte(`{"a":1}`), truncated: true},
			`the response body is larger than 1 MiB, too large to check`},
		{"truncated body contains", grader.Expect{BodyContains: "zz"},
			response{Response: &http.Response{StatusCode: 200, Header: http.Header{}}, body: []byte(`aaaa`), truncated: true},
			`expected the first 1 MiB of the body to contain "zz"; body: aaaa`},

		{"header equals", grader.Expect{HeaderMatches: []grader.HeaderMatch{hdr("Location", "equals", "/notes/${id}")}}, withHeaders(jsonResponse(201, note), "Location", "/notes/7"), ""},
		{"header equals is exact", grader.Expect{HeaderMatches: []grader.HeaderMatch{hdr("Location", "equals", "/notes/7")}}, withHeaders(jsonResponse(201, note), "Location", "/Notes/7/"),
			`expected header Location to be "/notes/7", got "/Notes/7/"`},
		{"header equals missing", grader.Expect{HeaderMatches: []grader.HeaderMatch{hdr("Location", "equals", "/notes/7")}}, jsonResponse(201, note),
			`expected header Location to be "/notes/7", but it is missing`},
		{"header equals joins repeated values", grader.Expect{HeaderMatches: []grader.HeaderMatch{hdr("Vary", "equals", "Accept, Origin")}}, withHeaders(jsonResponse(200, note), "Vary", "Accept", "Vary", "Origin"), ""},
		{"header absent", grader.Expect{HeaderMatches: []grader.HeaderMatch{hdr("X-Powered-By", "absent", "")}}, jsonResponse(200, note), ""},
		{"header absent fails", grader.Expect{HeaderMatches: []grader.HeaderMatch{hdr("x-powered-by", "absent", "")}}, withHeaders(jsonResponse(200, note), "X-Powered-By", "Express"),
			`expected no header x-powered-by, got "Express"`},
		{"header exists", grader.Expect{HeaderMatches: []grader.HeaderMatch{hdr("Content-Type", "exists", "")}}, jsonResponse(200, note), ""},
		{"header exists fails", grader.Expect{HeaderMatches: []grader.HeaderMatch{hdr("ETag", "exists", "")}}, jsonResponse(200, note),
			`expected a header ETag, but it is missing`},
		{"header matches", grader.Expect{HeaderMatches: []grader.HeaderMatch{hdr("ETag", "matches", `^"[0-9a-f]{8}"$`)}}, withHeaders(jsonResponse(200, note), "ETag", `"0badcafe"`), ""},
		{"header matches fails", grader.Expect{HeaderMatches: []grader.HeaderMatch{hdr("ETag", "matches", `^"[0-9a-f]{8}"$`)}}, withHeaders(jsonResponse(200, note), "ETag", `W/"x"`),
			`expected header ETag to match the pattern ^"[0-9a-f]{8}"$, got "W/\"x\""`},
		{"header matches a capture literally", grader.Expect{HeaderMatches: []grader.HeaderMatch{hdr("Location", "matches", `^/notes/${id}$`)}}, withHeaders(jsonResponse(201, note), "Location", "/notes/7"), ""},
		{"header contains after the by-name checks", grader.Expect{Headers: map[string]string{"Content-Type": "json"}, HeaderMatches: []grader.HeaderMatch{hdr("X-A", "exists", "")}}, jsonResponse(200, note),
			`expected a header X-A, but it is missing`},
		{"body matches", grader.Expect{BodyMatches: `"title":"h[a-z]+"`}, jsonResponse(200, note), ""},
		{"body matches fails", grader.Expect{BodyMatches: `^\{"id":"${id}"\}$`}, jsonResponse(200, `{"id":"7","x":1}`),
			`expected the body to match the pattern ^\{"id":"7"\}$; body: {"id":"7","x":1}`},
		{"body matches a bad pattern", grader.Expect{BodyMatches: `(`}, jsonResponse(200, note),
			"invalid pattern \"(\" in the test: error parsing regexp: missing closing ): `(`"},

		{"json matches a string", grader.Expect{JSON: []grader.JSONMatch{match("title", "matches", `"^h[a-z]{3}$"`), match("id", "matches", `"^[0-9]+$"`)}}, jsonResponse(200, note), ""},
		{"json matches a number by its text", grader.Expect{JSON: []grader.JSONMatch{match("num", "matches", `"^4[0-9]$"`)}}, jsonResponse(200, note), ""},
		{"json matches fails", grader.Expect{JSON: []grader.JSONMatch{match("title", "matches", `"^[A-Z]"`)}}, jsonResponse(200, note),
			`json "title": expected a value matching the pattern ^[A-Z], got "hell"`},
		{"json matches missing", grader.Expect{JSON: []grader.JSONMatch{match("code", "matches", `"^[a-z]{5}$"`)}}, jsonResponse(200, `{}`),
			`json "code": expected a value matching the pattern ^[a-z]{5}$, found none; body: {}`},
		{"length exact", grader.Expect{JSON: []grader.JSONMatch{match("tags", "length", `2`), match("title", "length", `4`), match("html", "length", `4`)}}, jsonResponse(200, note), ""},
		{"length counts characters, not bytes", grader.Expect{JSON: []grader.JSONMatch{match("s", "length", `3`)}}, jsonResponse(200, `{"s":"été"}`), ""},
		{"length bounds", grader.Expect{JSON: []grader.JSONMatch{match("tags", "length", `{"gte":1}`), match("title", "length", `{"gte":1,"lte":4}`), match("s", "length", `{"lte":0}`)}}, jsonResponse(200, `{"tags":[1],"title":"hell","s":""}`), ""},
		{"length of an array fails", grader.Expect{JSON: []grader.JSONMatch{match("items", "length", `{"gte":1}`)}}, jsonResponse(200, `{"items":[]}`),
			`json "items": expected an array of length >= 1, got 0 elements: []`},
		{"length of a string fails", grader.Expect{JSON: []grader.JSONMatch{match("code", "length", `{"gte":5,"lte":8}`)}}, jsonResponse(200, `{"code":"a"}`),
			`json "code": expected a string of length 5 to 8, got 1 character: "a"`},
		{"length exact fails", grader.Expect{JSON: []grader.JSONMatch{match("tags", "length", `3`)}}, jsonResponse(200, note),
			`json "tags": expected an array of length 3, got 2 elements: ["a","b"]`},
		{"length of a number", grader.Expect{JSON: []grader.JSONMatch{match("count", "length", `{"lte":3}`)}}, jsonResponse(200, note),
			`json "count": expected a string or an array of length <= 3, got 3`},
		{"length missing", grader.Expect{JSON: []grader.JSONMatch{match("items", "length", `2`)}}, jsonResponse(200, `{}`),
			`json "items": expected a string or an array of length 2, found none; body: {}`},
		{"status after redirects", grader.Expect{Status: 200}, response{Response: &http.Response{StatusCode: 404, Header: http.Header{}}, body: []byte("no"), redirectedTo: "/gone"},
			`expected status 200, got 404 (after following redirects to /gone); body: no`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := check(tc.exp, tc.resp, captured)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("message (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCaptureAll(t *testing.T) {
	body := `{"id":"7","n":3,"obj":{"a":[1,2]},"items":[{"id":"x"}],"t":true}`
	tests := []struct {
		name     string
		captures map[string]string
		resp     response
		want     vars
		wantMsg  string
	}{
		{"values by kind", map[string]string{"id": "id", "n": "n", "obj": "obj", "first": "items.0.id", "count": "items.#", "t": "t"}, jsonResponse(200, body), vars{
			"id":    {text: "7", raw: `"7"`, isString: true},
			"n":     {text: "3", raw: "3"},
			"obj":   {text: `{"a":[1,2]}`, raw: `{"a":[1,2]}`},
			"first": {text: "x", raw: `"x"`, isString: true},
			"count": {text: "1", raw: "1"},
			"t":     {text: "true", raw: "true"},
		}, ""},
		{"missing path", map[string]string{"note_id": "data.id"}, jsonResponse(200, body), vars{},
			`json "data.id": expected a value (to use as ${note_id}), found none; body: ` + body},
		{"not JSON", map[string]string{"id": "id"}, response{Response: &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"text/html"}}}, body: []byte("<p>hi</p>")}, vars{},
			`the response is not JSON (Content-Type "text/html"): <p>hi</p>`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := vars{}
			msg := captureAll(tc.captures, tc.resp, v)
			if diff := cmp.Diff(tc.wantMsg, msg); diff != "" {
				t.Errorf("message (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.want, v, cmp.AllowUnexported(capture{})); diff != "" {
				t.Errorf("captures (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNumbersEqual(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"3", "3", true},
		{"3", "3.0", true},
		{"1000", "1e3", true},
		{"-0", "0", true},
		{"0.1", "0.10", true},
		{"3", "4", false},
		{"9007199254740993", "9007199254740992", false},
		{"1e999999999", "1", false},
	}
	for _, tc := range tests {
		if got := numbersEqual(json.Number(tc.a), json.Number(tc.b)); got != tc.want {
			t.Errorf("numbersEqual(%s, %s) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestExcerptCutsBetweenWords(t *testing.T) {
	tests := []struct {
		s    string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"the service answered nothing useful", 24, "the service answered…"},
		{"the service answered\nnothing useful", 24, "the service answered…"},
		{`{"id":"7","title":"a long title"}`, 18, `{"id":"7",…`},
		{strings.Repeat("x", 60) + " tail", 50, strings.Repeat("x", 50) + "…"}, // one long token
		{"mot été à la plage", 9, "mot été…"},
	}
	for _, tc := range tests {
		if got := excerpt(tc.s, tc.n); got != tc.want {
			t.Errorf("excerpt(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
		}
	}
}
