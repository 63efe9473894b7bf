package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/octoinvite/octoinvite/internal/servertest"
)

// hostile holds what a text may hold that a terminal acts on: a window title, a screen clear, a
// clipboard write (OSC 52), an escape in its 8-bit form (C1), a carriage return that overwrites
// the line, a right-to-left override and a line separator.
const hostile = "\x1b]0;pwned\x07\x1b[2J\x1b]52;c;cm0gLXJmIH4=\x07\u009b31m\rfake\u202eevil\u2028x"

// safe is how the CLI prints it.
const safe = "?]0;pwned??[2J?]52;c;cm0gLXJmIH4=??31m?fake?evil?x"

func TestPrintable(t *testing.T) {
	if got := printable(hostile); got != safe {
		t.Errorf("got %q, want %q", got, safe)
	}
	for _, s := range []string{"Développeurs", "運用チーム", "O'Brien", "a b", "😀"} {
		if got := printable(s); got != s {
			t.Errorf("printable(%q): got %q, want it unchanged", s, got)
		}
	}
}

// TestCLI_UserTextIsPrintedSafely stores descriptions with the line breaks, tabs and carriage
// returns the API accepts in them, and checks how the CLI prints them.
func TestCLI_UserTextIsPrintedSafely(t *testing.T) {
	env := servertest.Start(t)
	vars := cliEnv(env)
	out := mustRun(t, vars, "space", "create", "Operations", "--description", "Runs things\rOwned by mallory\n\tfor real")
	assertOutput(t, out, "Space:        Spaces-2\nName:         Operations\nSlug:         operations\nDescription:  Runs things?Owned by mallory??for real\n")
	out = mustRun(t, vars, "team", "create", "On call", "--space", "Spaces-2", "--description", "Wakes\rSleeps")
	assertOutput(t, out, "Team:         Teams-1\nName:         On call\nSpace:        Spaces-2\nDescription:  Wakes?Sleeps\nMembers:      (none)\n")
}

// TestCLI_ServerTextIsPrintedSafely drives the CLI against a server whose every answer carries
// terminal controls in its texts (a server other than this one, or a database written before
// such text was refused): names, a display name, a key's purpose, event messages and error
// messages. The test puts a marker in each text through the real server, and a proxy in front
// of it replaces the marker with the controls, JSON-escaped, in each answer.
func TestCLI_ServerTextIsPrintedSafely(t *testing.T) {
	env := servertest.Start(t)
	target, _ := url.Parse(env.URL)
	quoted, _ := json.Marshal(hostile) // the controls escaped as \u001b and so on
	jsonHostile := bytes.Trim(quoted, `"`)
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ModifyResponse = func(resp *http.Response) error {
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			return err
		}
		b = bytes.ReplaceAll(b, []byte("MARK"), jsonHostile)
		resp.Body = io.NopCloser(bytes.NewReader(b))
		resp.ContentLength = int64(len(b))
		resp.Header.Set("Content-Length", strconv.Itoa(len(b)))
		return nil
	}
	hostileServer := httptest.NewServer(proxy)
	defer hostileServer.Close()
	direct := cliEnv(env)
	vars := map[string]string{"OCTOPUS_URL": hostileServer.URL, "OCTOPUS_API_KEY": servertest.AdminKey, "TZ": "Asia/Tokyo"}

	mustRun(t, direct, "team", "create", "Developers MARK", "--space", "Spaces-1")
	mustRun(t, direct, "space", "create", "Operations MARK")
	mustRun(t, direct, "apikey", "create", "--purpose", "ci MARK")
	mustRun(t, direct, "user", "update", "admin", "--display-name", "Admin MARK")
	mustRun(t, direct, "team", "add-member", "Teams-1", "admin")
	runs := map[string][]string{
		"user list":       {"user", "list"},
		"user get":        {"user", "get", "Users-1"},
		"team get":        {"team", "get", "Teams-1"},
		"space list json": {"space", "list", "-o", "json"},
		"team list basic": {"team", "list", "-o", "basic"},
		"team list":       {"team", "list"},
		"space list":      {"space", "list"},
		"apikey list":     {"apikey", "list"},
		"event list":      {"event", "list"},
		"team create":     {"team", "create", "Testers MARK", "--space", "Spaces-1"},
		"apikey create":   {"apikey", "create", "--purpose", "deploy MARK"},
	}
	for name, args := range runs {
		out := mustRun(t, vars, args...)
		if strings.ContainsAny(out, "\x1b\x07\r\u009b\u202e\u2028") {
			t.Errorf("%s printed a control character: %q", name, out)
		}
		want := " " + safe
		if strings.HasSuffix(name, " json") { // the same text, its controls escaped as JSON reads them
			want = ` \u001b]0;pwned\u0007\u001b[2J\u001b]52;c;cm0gLXJmIH4=\u0007\u009b31m\rfake\u202eevil\u2028x`
		}
		if !strings.Contains(out, want) {
			t.Errorf("%s: got %q, want the text with %q", name, out, want)
		}
	}
	stdout, _, err := runCLI(t, vars, "team", "create", "Developers MARK", "--space", "Spaces-1")
	want := "There was a problem with your request. A team with the name 'Developers " + safe + "' already exists in this space. (409 Conflict)"
	if err == nil || err.Error() != want || stdout != "" {
		t.Errorf("got %q, %v; want the server's message made printable: %q", stdout, err, want)
	}
}

// TestWriteJSON checks that JSON output keeps the server's document, on one line or indented,
// with every character a terminal would act on escaped.
func TestWriteJSON(t *testing.T) {
	quoted, _ := json.Marshal(hostile)
	// The server may send bidirectional controls, C1 controls and line separators unescaped.
	doc := []byte("{\"Name\": " + string(quoted) + ", \"Raw\": \"a\u202eb\u0085c\u2028d\", \"N\": 1}")
	for _, indent := range []bool{false, true} {
		var out bytes.Buffer
		if err := writeJSON(&out, doc, indent); err != nil {
			t.Fatal(err)
		}
		if strings.ContainsAny(out.String(), "\x1b\x07\r\u009b\u202e\u2028\u0085") {
			t.Errorf("indent %v: got %q, want no control character", indent, out.String())
		}
		var got, want map[string]any
		if err := json.Unmarshal(out.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		_ = json.Unmarshal(doc, &want)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("indent %v: got %v, want the same document %v", indent, got, want)
		}
	}
	var out bytes.Buffer
	_ = writeJSON(&out, []byte(`{"A": [1, 2], "B": "x"}`), true)
	assertOutput(t, out.String(), "{\n  \"A\": [\n    1,\n    2\n  ],\n  \"B\": \"x\"\n}\n")
}
