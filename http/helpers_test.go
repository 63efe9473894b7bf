package http_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/octoinvite/octoinvite/internal/servertest"
)

// placement is where a request carries its API key.
type placement int

const (
	inHeader placement = iota
	inQuery
	inNuGetHeader
)

func (p placement) String() string {
	return [...]string{"Header", "Query", "NuGetHeader"}[p]
}

var placements = []placement{inHeader, inQuery, inNuGetHeader}

// request describes one call to the API.
type request struct {
	method string
	path   string
	key    string
	in     placement
	body   string // sent as is; "" sends no body
	header map[string]string
	// noRedirect returns a redirect as it came, instead of following it.
	noRedirect bool
}

// response is what came back.
type response struct {
	status int
	header http.Header
	body   string
}

// send performs the request against the server and returns the response.
func send(t *testing.T, env *servertest.Env, req request) response {
	t.Helper()
	path := req.path
	if req.key != "" && req.in == inQuery {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		path += sep + "apikey=" + req.key
	}
	var body io.Reader
	if req.body != "" {
		body = strings.NewReader(req.body)
	}
	r, err := http.NewRequest(req.method, env.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if req.body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	if req.key != "" {
		switch req.in {
		case inHeader:
			r.Header.Set("X-Octopus-ApiKey", req.key)
		case inNuGetHeader:
			r.Header.Set("X-NuGet-ApiKey", req.key)
		}
	}
	for k, v := range req.header {
		r.Header.Set(k, v)
	}
	client := http.DefaultClient
	if req.noRedirect {
		client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	resp, err := client.Do(r)
	if err != nil {
		t.Fatalf("%s %s: %v", req.method, req.path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// admin sends the request with the administrator's key in the header.
func admin(t *testing.T, env *servertest.Env, method, path, body string) response {
	t.Helper()
	return send(t, env, request{method: method, path: path, key: servertest.AdminKey, body: body})
}

// wantJSON fails unless the response has the status and a JSON body equal to want (compared as
// JSON values, so key order and spacing do not matter).
func (r response) wantJSON(t *testing.T, status int, want string) {
	t.Helper()
	if r.status != status {
		t.Errorf("got status %d, want %d (body %s)", r.status, status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("got Content-Type %q, want application/json; charset=utf-8", ct)
	}
	if !jsonEqual(t, r.body, want) {
		t.Errorf("got body\n%s\nwant\n%s", r.body, compact(t, want))
	}
}

func jsonEqual(t *testing.T, a, b string) bool {
	t.Helper()
	var va, vb any
	if err := json.Unmarshal([]byte(a), &va); err != nil {
		t.Errorf("body is not JSON: %v: %s", err, a)
		return false
	}
	if err := json.Unmarshal([]byte(b), &vb); err != nil {
		t.Fatalf("want is not JSON: %v: %s", err, b)
	}
	ja, _ := json.Marshal(va)
	jb, _ := json.Marshal(vb)
	return bytes.Equal(ja, jb)
}

func compact(t *testing.T, s string) string {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Compact(&buf, []byte(s)); err != nil {
		return s
	}
	return buf.String()
}

// decode reads the response body into v.
func (r response) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(r.body), v); err != nil {
		t.Fatalf("decoding %s: %v", r.body, err)
	}
}

// countingReader is a predictable source of randomness: it yields 0, 1, 2, ... (mod 256), so
// that two readers started alike yield the same codes.
type countingReader struct{ next byte }

func (r *countingReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = r.next
		r.next++
	}
	return len(p), nil
}
