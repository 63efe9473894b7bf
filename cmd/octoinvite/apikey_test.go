package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/octoinvite/octoinvite"
	"github.com/octoinvite/octoinvite/internal/servertest"
)

// runWithStdin runs the command line with stdin as standard input.
func runWithStdin(t *testing.T, vars map[string]string, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	root := newRootCommand(&out, &errOut, func(name string) string { return vars[name] })
	root.SetIn(strings.NewReader(stdin))
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	return out.String(), err
}

func TestCLIAPIKey(t *testing.T) {
	env := servertest.Start(t)
	ctx := context.Background()
	inv := &octoinvite.Invitation{AddToTeamIDs: []string{}, LastModifiedBy: "admin"}
	if err := env.DB.CreateInvitation(ctx, inv); err != nil {
		t.Fatal(err)
	}
	if _, err := env.DB.Register(ctx, &octoinvite.Registration{Username: "jane", DisplayName: "Jane",
		Password: "correct horse battery", InvitationCode: inv.InvitationCode}); err != nil {
		t.Fatal(err)
	}
	noKey := map[string]string{"OCTOPUS_URL": env.URL, "TZ": "Asia/Tokyo"}

	t.Run("ErrUsernameWithoutPassword", func(t *testing.T) {
		_, err := runWithStdin(t, noKey, "", "apikey", "create", "--purpose", "CI", "--username", "jane")
		if err == nil || err.Error() != "--username needs --password-stdin, and the password on standard input" {
			t.Fatalf("got %v, want the --password-stdin error", err)
		}
	})
	t.Run("ErrWrongPassword", func(t *testing.T) {
		_, err := runWithStdin(t, noKey, "wrong horse battery\n", "apikey", "create", "--purpose", "CI", "--username", "jane", "--password-stdin")
		if err == nil || err.Error() != "Invalid username or password. (401 Unauthorized)" {
			t.Fatalf("got %v, want the server's refusal", err)
		}
	})
	t.Run("ErrNoKeyNoUsername", func(t *testing.T) {
		_, err := runWithStdin(t, noKey, "", "apikey", "list")
		if err == nil || err.Error() != "no API key: set OCTOPUS_API_KEY or give --api-key" {
			t.Fatalf("got %v, want the missing key error", err)
		}
	})

	out, err := runWithStdin(t, noKey, "correct horse battery\n", "apikey", "create", "--purpose", "CI", "--username", "jane", "--password-stdin")
	if err != nil {
		t.Fatalf("apikey create with a password: %v", err)
	}
	m := regexp.MustCompile(`Key:      (API-[A-Z0-9]+)\n`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("got output\n%s\nwant a key", out)
	}
	key := m[1]
	assertOutput(t, out, `API key:  APIKeys-2
Purpose:  CI
User:     Users-2
Created:  2026-11-26 19:00:00 JST
Key:      `+key+`

The key is shown this once: keep it somewhere safe.
`)
	withKey := map[string]string{"OCTOPUS_URL": env.URL, "OCTOPUS_API_KEY": key, "TZ": "Asia/Tokyo"}
	mustRun(t, withKey, "apikey", "create", "--purpose", "Deploy bot")
	assertOutput(t, mustRun(t, withKey, "apikey", "list"), `ID         CREATED                  PURPOSE
APIKeys-2  2026-11-26 19:00:00 JST  CI
APIKeys-3  2026-11-26 19:00:00 JST  Deploy bot
`)
	assertOutput(t, mustRun(t, cliEnv(env), "apikey", "list", "--user", "jane", "--output", "json"), itemsAt(t, env, "/api/users/Users-2/apikeys?skip=0&take=2147483647")+"\n")
	assertOutput(t, mustRun(t, withKey, "apikey", "revoke", "APIKeys-3"), "Revoked APIKeys-3 of Users-2.\n")
	if _, _, err := runCLI(t, withKey, "apikey", "revoke", "APIKeys-3"); err == nil || err.Error() != "The resource 'APIKeys-3' was not found. (404 Not Found)" {
		t.Fatalf("revoking twice: got %v, want not found", err)
	}
	assertOutput(t, mustRun(t, cliEnv(env), "apikey", "revoke", "APIKeys-2", "--user", "Users-2"), "Revoked APIKeys-2 of Users-2.\n")
	if _, _, err := runCLI(t, withKey, "whoami"); err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("whoami with the revoked key: got %v, want 401", err)
	}
}
