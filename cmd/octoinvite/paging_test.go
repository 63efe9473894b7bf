package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/octoinvite/octoinvite/internal/servertest"
)

// TestCLIListsPage lists more teams than fit on one of the server's pages: every list follows
// the pages' Page.Next links rather than asking for everything at once, and --take and --skip
// show one page.
func TestCLIListsPage(t *testing.T) {
	env := servertest.Start(t)
	var names []string
	for i := 1; i <= 35; i++ {
		names = append(names, fmt.Sprintf("Team %02d", i))
		env.CreateTeam(t, names[i-1], ptr("Spaces-1"))
	}
	// A proxy in front of the server notes the query of every request for teams.
	target, _ := url.Parse(env.URL)
	var mu sync.Mutex
	var queries []string
	proxy := httputil.NewSingleHostReverseProxy(target)
	recording := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(strings.ToLower(r.URL.Path), "/teams") {
			mu.Lock()
			queries = append(queries, r.URL.RawQuery)
			mu.Unlock()
		}
		proxy.ServeHTTP(w, r)
	}))
	defer recording.Close()
	vars := map[string]string{"OCTOPUS_URL": recording.URL, "OCTOPUS_API_KEY": servertest.AdminKey}
	requests := func() []string {
		mu.Lock()
		defer mu.Unlock()
		q := queries
		queries = nil
		return q
	}

	t.Run("every page", func(t *testing.T) {
		requests()
		out := mustRun(t, vars, "team", "list", "--space", "Default", "--no-system", "-o", "basic")
		assertOutput(t, out, strings.Join(names, "\n")+"\n")
		got := requests()
		if len(got) != 2 || strings.Contains(strings.Join(got, " "), "2147483647") {
			t.Errorf("got the requests %q, want two pages of the server's size", got)
		}
		text := mustRun(t, vars, "team", "list", "--space", "Default", "--no-system")
		if lines := strings.Count(text, "\n"); lines != 36 || !strings.HasSuffix(text, "Team 35  Spaces-1  0\n") {
			t.Errorf("got %d lines\n%s\nwant the header and 35 teams", lines, text)
		}
	})
	t.Run("every page json", func(t *testing.T) {
		out := mustRun(t, vars, "team", "list", "--space", "Default", "--no-system", "-o", "json")
		assertOutput(t, out, itemsAt(t, env, "/api/Spaces-1/teams?includeSystem=false&take=100")+"\n")
	})
	t.Run("one page", func(t *testing.T) {
		requests()
		out := mustRun(t, vars, "team", "list", "--space", "Default", "--no-system", "--take", "10", "--skip", "20")
		if !strings.HasSuffix(out, "Team 30  Spaces-1  0\n(teams 21 to 30 of 35; --skip 30 for the next page)\n") || strings.Count(out, "\n") != 12 {
			t.Errorf("got\n%s\nwant teams 21 to 30 and a note", out)
		}
		if got := requests(); len(got) != 1 || !strings.Contains(got[0], "skip=20") || !strings.Contains(got[0], "take=10") {
			t.Errorf("got the requests %q, want one for the page", got)
		}
		out = mustRun(t, vars, "team", "list", "--space", "Default", "--no-system", "--skip", "30")
		if strings.Count(out, "\n") != 6 || strings.Contains(out, "next page") {
			t.Errorf("got\n%s\nwant the last 5 teams, without a note", out)
		}
	})
	t.Run("one page json", func(t *testing.T) {
		out := mustRun(t, vars, "team", "list", "--space", "Default", "--no-system", "--take", "10", "--skip", "20", "-o", "json")
		assertOutput(t, out, fetch(t, env, "/api/Spaces-1/teams?skip=20&take=10&includeSystem=false")+"\n")
	})
	t.Run("invalid", func(t *testing.T) {
		for args, want := range map[string]string{
			"--take 0":  "invalid --take 0: it must be at least 1",
			"--skip -1": "invalid --skip -1: it must be 0 or more",
		} {
			stdout, _, err := runCLI(t, vars, append([]string{"team", "list"}, strings.Fields(args)...)...)
			assertFailure(t, stdout, err, want)
			assertExit(t, err, exitUsage)
		}
	})
}

// apiKeyLine matches an API key alone on its line.
var apiKeyLine = regexp.MustCompile(`^API-[A-Z0-9]+\n$`)

// TestCLIOutputBasic prints names, usernames or IDs, one a line, for each kind.
func TestCLIOutputBasic(t *testing.T) {
	env := servertest.Start(t)
	vars := cliEnv(env)
	env.CreateUser(t, "jane")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"space", "create", "Operations"}, "Operations\n"},
		{[]string{"space", "list"}, "Default\nOperations\n"},
		{[]string{"space", "get", "Spaces-2"}, "Operations\n"},
		{[]string{"team", "create", "On call", "--space", "Operations"}, "On call\n"},
		{[]string{"team", "list", "--space", "Operations"}, "Octopus Administrators\nEveryone\nOn call\n"},
		{[]string{"team", "add-member", "On call", "jane"}, "On call\n"},
		{[]string{"user", "list"}, "admin\njane\n"},
		{[]string{"user", "get", "Users-2"}, "jane\n"},
		{[]string{"user", "disable", "jane"}, "jane\n"},
		{[]string{"whoami"}, "admin\n"},
		{[]string{"invite", "--space", "Operations", "--team", "On call"}, "Invitations-1\n"},
		{[]string{"invitation", "list"}, "Invitations-1\n"},
		{[]string{"invitation", "revoke", "Invitations-1"}, "Invitations-1\n"},
		{[]string{"apikey", "list"}, "APIKeys-1\n"},
		{[]string{"apikey", "create", "--purpose", "CI"}, "KEY\n"}, // the key itself, shown this once
		{[]string{"team", "delete", "On call", "--yes"}, ""},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			out := mustRun(t, vars, append(tc.args, "-o", "basic")...)
			if tc.want == "KEY\n" {
				if !apiKeyLine.MatchString(out) {
					t.Fatalf("got %q, want an API key", out)
				}
				mustRun(t, map[string]string{"OCTOPUS_URL": env.URL, "OCTOPUS_API_KEY": strings.TrimSpace(out)}, "whoami")
				return
			}
			assertOutput(t, out, tc.want)
		})
	}
}

// TestCLIInvitationTeamNames: invitation get and list name the teams, with one request for the
// teams whatever the number of invitations, and none for JSON or basic output; when the teams
// cannot be read, the IDs stand in for their names.
func TestCLIInvitationTeamNames(t *testing.T) {
	env := servertest.Start(t)
	env.CreateTeam(t, "Developers", ptr("Spaces-1"))
	env.CreateTeam(t, "Testers", ptr("Spaces-1"))
	vars := cliEnv(env)
	mustRun(t, vars, "space", "create", "Operations")
	env.CreateTeam(t, "On call", ptr("Spaces-2"))
	for range 35 { // two of the server's pages
		mustRun(t, vars, "invite", "--space", "Default", "--team", "Developers,Testers,Everyone")
	}
	mustRun(t, vars, "invite", "--space", "Operations", "--team", "On call")
	mustRun(t, vars, "invite", "--space", "Operations")

	target, _ := url.Parse(env.URL)
	var mu sync.Mutex
	var teamRequests []string
	failTeams := false
	proxy := httputil.NewSingleHostReverseProxy(target)
	recording := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(strings.ToLower(r.URL.Path), "/teams") {
			mu.Lock()
			teamRequests = append(teamRequests, r.URL.Path)
			fail := failTeams
			mu.Unlock()
			if fail {
				http.Error(w, `{"ErrorMessage":"down"}`, http.StatusServiceUnavailable)
				return
			}
		}
		proxy.ServeHTTP(w, r)
	}))
	defer recording.Close()
	vars = map[string]string{"OCTOPUS_URL": recording.URL, "OCTOPUS_API_KEY": servertest.AdminKey, "TZ": "Asia/Tokyo"}
	requests := func() []string {
		mu.Lock()
		defer mu.Unlock()
		r := teamRequests
		teamRequests = nil
		return r
	}

	out := mustRun(t, vars, "invitation", "list")
	lines := strings.Split(out, "\n")
	if len(lines) != 39 || !strings.HasSuffix(lines[1], "  Spaces-2  (none)") || !strings.HasSuffix(lines[2], "  Spaces-2  On call") ||
		!strings.HasSuffix(lines[3], "  Spaces-1  Developers, Testers, Everyone") || !strings.HasSuffix(lines[37], "  Spaces-1  Developers, Testers, Everyone") {
		t.Errorf("invitation list: got\n%s\nwant 37 invitations with their teams' names", out)
	}
	if got := requests(); fmt.Sprint(got) != "[/api/teams/all]" {
		t.Errorf("invitation list: got the requests for teams %q, want one for every team", got)
	}
	mustRun(t, vars, "invitation", "list", "--space", "Operations")
	if got := requests(); fmt.Sprint(got) != "[/api/Spaces-2/teams/all]" {
		t.Errorf("invitation list --space: got the requests for teams %q, want one for the space's teams", got)
	}
	mustRun(t, vars, "invitation", "list", "-o", "json")
	mustRun(t, vars, "invitation", "list", "-o", "basic")
	mustRun(t, vars, "invitation", "get", "Invitations-1", "-o", "json")
	if got := requests(); len(got) != 0 {
		t.Errorf("JSON and basic output: got the requests for teams %q, want none", got)
	}

	out = mustRun(t, vars, "invitation", "get", "Invitations-1")
	if !strings.Contains(out, "\nTeams:       Developers (Teams-1), Testers (Teams-2), Everyone (teams-everyone)\n") {
		t.Errorf("invitation get: got\n%s\nwant the teams by name and ID", out)
	}
	if got := requests(); fmt.Sprint(got) != "[/api/Spaces-1/teams/all]" {
		t.Errorf("invitation get: got the requests for teams %q, want one for the space's teams", got)
	}

	mu.Lock()
	failTeams = true
	mu.Unlock()
	out = mustRun(t, vars, "invitation", "get", "Invitations-36")
	if !strings.Contains(out, "\nTeams:       Teams-3\n") {
		t.Errorf("invitation get without the teams: got\n%s\nwant the team's ID", out)
	}
	out = mustRun(t, vars, "invitation", "list", "--take", "1", "--skip", "1")
	if !strings.Contains(out, "  Spaces-2  Teams-3\n") {
		t.Errorf("invitation list without the teams: got\n%s\nwant the team's ID", out)
	}
}
