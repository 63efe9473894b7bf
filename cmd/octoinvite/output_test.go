package main

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/octoinvite/octoinvite"
	"github.com/octoinvite/octoinvite/internal/servertest"
)

// hostile holds what a user may put in a text the administrator's CLI prints: a window title, a
// screen clear, a clipboard write (OSC 52), an escape in its 8-bit form (C1), a right-to-left
// override and a line separator.
const hostile = "ci\x1b]0;pwned\x07\x1b[2J\x1b]52;c;cm0gLXJmIH4=\x07\u009b31m\u202eevil\u2028x"

// safe is how the CLI prints it.
const safe = "ci?]0;pwned??[2J?]52;c;cm0gLXJmIH4=??31m?evil?x"

func TestPrintable(t *testing.T) {
	if got := printable(hostile); got != safe {
		t.Errorf("got %q, want %q", got, safe)
	}
	for _, s := range []string{"Développeurs", "運用チーム", "O'Brien", "a b"} {
		if got := printable(s); got != s {
			t.Errorf("printable(%q): got %q, want it unchanged", s, got)
		}
	}
}

// TestCLI_UserTextIsPrintedSafely puts terminal escapes in a key's purpose through the real
// server and checks every command that prints it, and an error message that quotes it.
func TestCLI_UserTextIsPrintedSafely(t *testing.T) {
	env := servertest.Start(t)
	vars := cliEnv(env)
	user, key := env.CreateUser(t, "jane")
	janeVars := map[string]string{"OCTOPUS_URL": env.URL, "OCTOPUS_API_KEY": key, "TZ": "Asia/Tokyo"}

	created := mustRun(t, janeVars, "apikey", "create", "--purpose", hostile)
	listed := mustRun(t, janeVars, "apikey", "list")
	events := mustRun(t, vars, "event", "list", "--user", user.ID)
	for name, out := range map[string]string{"apikey create": created, "apikey list": listed, "event list": events} {
		if strings.ContainsAny(out, "\x1b\x07\u009b\u202e\u2028") {
			t.Errorf("%s printed a control character: %q", name, out)
		}
		if !strings.Contains(out, safe) {
			t.Errorf("%s: got %q, want the purpose as %q", name, out, safe)
		}
	}
	keys, err := env.DB.FindAPIKeys(context.Background(), user.ID, octoinvite.Range{Take: 10})
	if err != nil || !slices.ContainsFunc(keys.Items, func(k *octoinvite.APIKey) bool { return k.Purpose == hostile }) {
		t.Errorf("the store holds %+v, %v; want the purpose as it was sent", keys.Items, err)
	}

	stdout, _, err := runCLI(t, vars, "invitation", "get", "Invitations-1\x1b]0;pwned\x07")
	assertFailure(t, stdout, err, "The resource 'Invitations-1?]0;pwned?' was not found. (404 Not Found)")
}
