package main

import (
	"strings"
	"testing"
	"time"

	"github.com/octoinvite/octoinvite/internal/servertest"
)

func TestCLIEventList(t *testing.T) {
	env := servertest.Start(t)
	vars := cliEnv(env)
	mustRun(t, vars, "invite", "--team", "teams-everyone")
	env.Clock.Advance(24 * time.Hour)
	mustRun(t, vars, "apikey", "create", "--purpose", "tab here")

	t.Run("OK text", func(t *testing.T) {
		assertOutput(t, mustRun(t, vars, "event", "list"),
			`ID        OCCURRED                 CATEGORY  USER    ADDRESS    MESSAGE
Events-3  2026-11-27 19:00:00 JST  Created   admin   127.0.0.1  API key APIKeys-2 was created for user Users-1 with the purpose 'tab here'
Events-2  2026-11-26 19:00:00 JST  Created   admin   127.0.0.1  Invitation Invitations-1 was created to add a user to teams-everyone in space Spaces-1
Events-1  2026-11-26 19:00:00 JST  Created   system  (none)     API key APIKeys-1 was created for user Users-1 with the purpose 'Administrator key from the server configuration'
`)
	})
	t.Run("OK filtered", func(t *testing.T) {
		out := mustRun(t, vars, "event", "list", "--regarding", "Invitations-1", "--user", "Users-1", "--until", "2026-11-26T10:00:00Z")
		if !strings.Contains(out, "Events-2") || strings.Count(out, "\n") != 2 {
			t.Errorf("got %q, want only Events-2", out)
		}
		out = mustRun(t, vars, "event", "list", "--since", "2026-11-27", "--take", "1")
		if !strings.Contains(out, "Events-3") || strings.Count(out, "\n") != 2 {
			t.Errorf("got %q, want only Events-3", out)
		}
		out = mustRun(t, vars, "event", "list", "--take", "2")
		if !strings.HasSuffix(out, "(2 of 3 events; use --take or --skip for more)\n") {
			t.Errorf("got %q, want a note that 2 of 3 events are shown", out)
		}
	})
	t.Run("OK json", func(t *testing.T) {
		out := mustRun(t, vars, "event", "list", "--take", "1", "--output", "json")
		if !strings.HasPrefix(out, `{"ItemType":"Event","TotalResults":3,`) {
			t.Errorf("got %q, want the server's collection", out)
		}
	})
	t.Run("ErrDate", func(t *testing.T) {
		_, _, err := runCLI(t, vars, "event", "list", "--since", "yesterday")
		if err == nil || err.Error() != `invalid --since "yesterday": use a date such as 2026-11-28 or 2026-11-28T10:00:00Z` {
			t.Errorf("got %v, want the invalid --since error", err)
		}
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		_, key := env.CreateUser(t, "jane")
		stdout, _, err := runCLI(t, map[string]string{"OCTOPUS_URL": env.URL, "OCTOPUS_API_KEY": key}, "event", "list")
		assertFailure(t, stdout, err, "You do not have permission to perform this action. Please contact your Octopus administrator. Missing permission: EventView (403 Forbidden)")
	})
}
