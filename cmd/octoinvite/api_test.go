package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/octoinvite/octoinvite/internal/servertest"
)

// cliEnv returns the environment of a shell set up for the test server: OCTOPUS_URL,
// OCTOPUS_API_KEY and a time zone other than UTC, so that local times show.
func cliEnv(env *servertest.Env) map[string]string {
	return map[string]string{"OCTOPUS_URL": env.URL, "OCTOPUS_API_KEY": servertest.AdminKey, "TZ": "Asia/Tokyo"}
}

// runCLI runs the command line with the environment vars, and standard input that is not a
// terminal and holds nothing, and returns what it printed.
func runCLI(t *testing.T, vars map[string]string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = runIO(args, strings.NewReader(""), &out, &errOut, vars)
	return out.String(), errOut.String(), err
}

// runIO runs the command line as run does, with stdin as standard input.
func runIO(args []string, stdin io.Reader, stdout, stderr io.Writer, vars map[string]string) error {
	root := newRootCommand(stdout, stderr, func(name string) string { return vars[name] })
	root.SetIn(stdin)
	root.SetArgs(args)
	return execute(context.Background(), root)
}

// mustRun runs the command line and fails the test if it fails.
func mustRun(t *testing.T, vars map[string]string, args ...string) string {
	t.Helper()
	stdout, stderr, err := runCLI(t, vars, args...)
	if err != nil {
		t.Fatalf("%s: got error %v (stderr %q), want none", strings.Join(args, " "), err, stderr)
	}
	return stdout
}

// itemsAt returns the items of the page the server answers to GET path, as a JSON array: what
// a list prints with --output json.
func itemsAt(t *testing.T, env *servertest.Env, path string) string {
	t.Helper()
	doc, err := itemsOf([][]byte{[]byte(fetch(t, env, path))})
	if err != nil {
		t.Fatal(err)
	}
	return string(doc)
}

// fetch returns the body the server answers to GET path, as the administrator.
func fetch(t *testing.T, env *servertest.Env, path string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", env.URL+path, nil)
	req.Header.Set("X-Octopus-ApiKey", servertest.AdminKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func assertOutput(t *testing.T, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("got output\n%s\nwant\n%s", got, want)
	}
}

func TestCLIInvite(t *testing.T) {
	env := servertest.Start(t)
	vars := cliEnv(env)
	env.CreateTeam(t, "Developers", ptr("Spaces-1"))

	t.Run("OK text", func(t *testing.T) {
		out := mustRun(t, vars, "invite", "--space", "Spaces-1", "--team", "Teams-1", "--team", "teams-everyone")
		inv, err := env.DB.FindInvitationByID(context.Background(), "Invitations-1")
		if err != nil {
			t.Fatalf("the store has no invitation: %v", err)
		}
		if got := strings.Join(inv.AddToTeamIDs, ","); got != "Teams-1,teams-everyone" || inv.SpaceID == nil || *inv.SpaceID != "Spaces-1" {
			t.Errorf("the store holds teams %s in %v, want Teams-1,teams-everyone in Spaces-1", got, inv.SpaceID)
		}
		assertOutput(t, out, `Invitation:  Invitations-1
Code:        `+inv.InvitationCode+`
Expires:     2026-11-28 19:00:00 JST
State:       Pending
Uses:        0/1
Space:       Spaces-1
Teams:       Developers (Teams-1), Everyone (teams-everyone)
Changed:     2026-11-26 19:00:00 JST by admin
Link:        `+env.URL+`/app/register?invitation=`+inv.InvitationCode+`
`)
	})
	t.Run("OK json", func(t *testing.T) {
		out := mustRun(t, vars, "invite", "--team", "teams-everyone,teams-administrators", "--output", "json")
		inv, err := env.DB.FindInvitationByID(context.Background(), "Invitations-2")
		if err != nil {
			t.Fatalf("the store has no invitation: %v", err)
		}
		assertOutput(t, out, `{"Id":"Invitations-2","AddToTeamIds":["teams-everyone","teams-administrators"],"InvitationCode":"`+inv.InvitationCode+
			`","Expires":"2026-11-28T10:00:00.000+00:00","SpaceId":"Spaces-1","LastModifiedOn":"2026-11-26T10:00:00.000+00:00","LastModifiedBy":"admin",`+
			`"State":"Pending","MaxUses":1,"Uses":0,"Links":{"Register":"`+env.URL+`/app/register?invitation=`+inv.InvitationCode+
			`","Self":"/api/Spaces-1/users/invitations/Invitations-2"}}`+"\n")
	})
	t.Run("OK no teams", func(t *testing.T) {
		out, stderr, err := runCLI(t, vars, "invite", "--space", "Spaces-1")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out, "Teams:       (none)\n") {
			t.Errorf("got %q, want the teams shown as (none)", out)
		}
		id := strings.TrimSpace(strings.TrimPrefix(strings.SplitN(out, "\n", 2)[0], "Invitation:"))
		if inv, err := env.DB.FindInvitationByID(context.Background(), id); err != nil || len(inv.AddToTeamIDs) != 0 {
			t.Errorf("the store holds %+v, %v; want the invitation, with no team", inv, err)
		}
		assertOutput(t, stderr, "octoinvite: warning: "+id+" adds its users to no team: whoever registers with it joins none but Everyone (name teams with --team)\n")
		if _, stderr, _ := runCLI(t, vars, "invite", "--space", "Spaces-1", "--team", "Teams-1"); stderr != "" {
			t.Errorf("got %q on standard error for an invitation with a team, want nothing", stderr)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		// Without --space the invitation is for the default space, Spaces-1: a team of another
		// space is refused, saying which space it belongs to.
		other := env.CreateSpace(t, "Elsewhere")
		team := env.CreateTeam(t, "Nearby", &other.ID)
		stdout, _, err := runCLI(t, vars, "invite", "--team", team.ID)
		assertFailure(t, stdout, err, "the team '"+team.ID+"' (Nearby) belongs to the space "+other.ID+", not to the space Spaces-1")
		assertExit(t, err, exitFailure)
	})

	t.Run("get OK text", func(t *testing.T) {
		inv, _ := env.DB.FindInvitationByID(context.Background(), "Invitations-1")
		for _, args := range [][]string{{"invitation", "get", "Invitations-1"}, {"invitation", "get", "invitations-1", "--space", "Spaces-1"}} {
			out := mustRun(t, vars, args...)
			if want := "Code:        " + inv.InvitationCode + "\n"; !strings.Contains(out, want) || !strings.HasPrefix(out, "Invitation:  Invitations-1\n") {
				t.Errorf("%v: got %q, want Invitations-1 with its code", args, out)
			}
		}
	})
	t.Run("get OK json", func(t *testing.T) {
		out := mustRun(t, vars, "invitation", "get", "Invitations-1", "--space", "Spaces-1", "-o", "json")
		assertOutput(t, out, fetch(t, env, "/api/Spaces-1/users/invitations/Invitations-1")+"\n")
	})
	t.Run("get ErrNotFound other space", func(t *testing.T) {
		env.CreateSpace(t, "Operations")
		stdout, _, err := runCLI(t, vars, "invitation", "get", "Invitations-1", "--space", "Spaces-2")
		assertFailure(t, stdout, err, "The resource 'Invitations-1' was not found. (404 Not Found)")
	})
	t.Run("get needs an ID", func(t *testing.T) {
		stdout, _, err := runCLI(t, vars, "invitation", "get")
		assertFailure(t, stdout, err, "accepts 1 arg(s), received 0")
	})
}

// assertFailure checks that a command failed with the one-line message and printed nothing.
func assertFailure(t *testing.T, stdout string, err error, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %q", want)
	}
	if err.Error() != want {
		t.Errorf("got error %q, want %q", err, want)
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("got a message of several lines, want one")
	}
	if stdout != "" {
		t.Errorf("got output %q, want none", stdout)
	}
}

func TestCLISpaceAndTeam(t *testing.T) {
	env := servertest.Start(t)
	vars := cliEnv(env)

	t.Run("space create text", func(t *testing.T) {
		out := mustRun(t, vars, "space", "create", "Operations", "--description", "Runs things")
		assertOutput(t, out, "Space:        Spaces-2\nName:         Operations\nSlug:         operations\nDescription:  Runs things\n")
		if s, err := env.DB.FindSpaceByID(context.Background(), "Spaces-2"); err != nil || s.Description != "Runs things" {
			t.Errorf("the store holds %+v, %v; want Operations", s, err)
		}
	})
	t.Run("space create json", func(t *testing.T) {
		out := mustRun(t, vars, "space", "create", "Customer support", "-o", "json")
		assertOutput(t, out, `{"Id":"Spaces-3","Name":"Customer support","Slug":"customer-support","Description":"","IsDefault":false,`+
			`"TaskQueueStopped":false,"SpaceManagersTeams":[],"SpaceManagersTeamMembers":[],"Links":{"Logo":"/api/spaces/Spaces-3/logo","Search":"/api/spaces/Spaces-3/search{?keyword}","Self":"/api/spaces/Spaces-3","SpaceHome":"/api/Spaces-3","Web":"/app#/spaces/Spaces-3"}}`+"\n")
	})
	t.Run("space create ErrConflict", func(t *testing.T) {
		stdout, _, err := runCLI(t, vars, "space", "create", "Operations")
		assertFailure(t, stdout, err, "There was a problem with your request. A space with the name 'Operations' or the slug 'operations' already exists. (409 Conflict)")
	})
	t.Run("space list text", func(t *testing.T) {
		assertOutput(t, mustRun(t, vars, "space", "list"), `ID        NAME              SLUG              DEFAULT
Spaces-1  Default           default           yes
Spaces-2  Operations        operations
Spaces-3  Customer support  customer-support
`)
		assertOutput(t, mustRun(t, vars, "space", "list", "--name", "SUPP"), "ID        NAME              SLUG              DEFAULT\nSpaces-3  Customer support  customer-support\n")
	})
	t.Run("space list json", func(t *testing.T) {
		out := mustRun(t, vars, "space", "list", "--output", "json")
		assertOutput(t, out, itemsAt(t, env, "/api/spaces?take=2147483647")+"\n")
		if !strings.HasPrefix(out, `[{"Id":"Spaces-1",`) || strings.Count(out, `"Slug"`) != 3 {
			t.Errorf("got %s, want the array of 3 spaces", out)
		}
	})

	t.Run("team create text", func(t *testing.T) {
		out := mustRun(t, vars, "team", "create", "Developers", "--space", "Spaces-1")
		assertOutput(t, out, "Team:         Teams-1\nName:         Developers\nSpace:        Spaces-1\nDescription:  (none)\nMembers:      (none)\n")
		mustRun(t, vars, "team", "create", "On call", "--space", "Spaces-2", "--description", "Wakes up at night")
	})
	t.Run("team create json", func(t *testing.T) {
		out := mustRun(t, vars, "team", "create", "Auditors", "-o", "json")
		assertOutput(t, out, `{"Id":"Teams-3","Name":"Auditors","Description":"","MemberUserIds":[],"ExternalSecurityGroups":[],`+
			`"CanBeDeleted":true,"CanBeRenamed":true,"CanChangeRoles":true,"CanChangeMembers":true,"SpaceId":null,"Links":{"Self":"/api/teams/Teams-3"}}`+"\n")
	})
	t.Run("team create ErrConflict", func(t *testing.T) {
		stdout, _, err := runCLI(t, vars, "team", "create", "Developers", "--space", "Spaces-1")
		assertFailure(t, stdout, err, "There was a problem with your request. A team with the name 'Developers' already exists in this space. (409 Conflict)")
	})
	t.Run("team create ErrNotFound space", func(t *testing.T) {
		stdout, _, err := runCLI(t, vars, "team", "create", "Ghosts", "--space", "Spaces-9")
		assertFailure(t, stdout, err, "no space has the ID or name 'Spaces-9'")
	})
	t.Run("team list text", func(t *testing.T) {
		assertOutput(t, mustRun(t, vars, "team", "list"), `ID                    NAME                    SPACE     MEMBERS
teams-administrators  Octopus Administrators  (system)  1
teams-everyone        Everyone                (system)  1
Teams-1               Developers              Spaces-1  0
Teams-2               On call                 Spaces-2  0
Teams-3               Auditors                (system)  0
`)
		assertOutput(t, mustRun(t, vars, "team", "list", "--space", "Spaces-2", "--no-system"), `ID       NAME     SPACE     MEMBERS
Teams-2  On call  Spaces-2  0
`)
	})
	t.Run("team list json", func(t *testing.T) {
		out := mustRun(t, vars, "team", "list", "--space", "Spaces-1", "--name", "dev", "-o", "json")
		assertOutput(t, out, itemsAt(t, env, "/api/Spaces-1/teams?take=2147483647&partialName=dev&includeSystem=true")+"\n")
		if !strings.HasPrefix(out, `[{"Id":"Teams-1",`) || strings.Count(out, `"MemberUserIds"`) != 1 {
			t.Errorf("got %s, want one team", out)
		}
	})
}

func TestCLIWhoami(t *testing.T) {
	env := servertest.Start(t)
	vars := cliEnv(env)
	t.Run("OK text", func(t *testing.T) {
		assertOutput(t, mustRun(t, vars, "whoami"), "User:          Users-1\nUsername:      admin\nDisplay name:  Administrator\nEmail:         (none)\nServer:        "+env.URL+"\n")
	})
	t.Run("OK json", func(t *testing.T) {
		assertOutput(t, mustRun(t, vars, "whoami", "-o", "json"), `{"Id":"Users-1","Username":"admin","DisplayName":"Administrator","EmailAddress":"",`+
			`"IsActive":true,"IsService":false,"CanPasswordBeEdited":true,"IsRequestor":true,"Identities":[],`+
			`"Links":{"ApiKeys":"/api/users/Users-1/apikeys{/id}{?skip,take}","Avatar":"/api/users/Users-1/avatar","Permissions":"/api/users/Users-1/permissions","Self":"/api/users/Users-1","Spaces":"/api/users/Users-1/spaces"}}`+"\n")
	})
	t.Run("flags win over the environment", func(t *testing.T) {
		bad := map[string]string{"OCTOPUS_URL": "http://127.0.0.1:1", "OCTOPUS_API_KEY": "API-WRONG0000000000000000000"}
		out := mustRun(t, bad, "whoami", "--server", env.URL+"/", "--api-key", servertest.AdminKey)
		if !strings.HasPrefix(out, "User:          Users-1\n") {
			t.Errorf("got %q, want the administrator", out)
		}
	})
}

func TestCLIFailures(t *testing.T) {
	env := servertest.Start(t)
	_, janeKey := env.CreateUser(t, "jane")
	down := httptest.NewServer(http.NotFoundHandler())
	downURL := down.URL
	down.Close()
	html := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = io.WriteString(w, "<html><h1>Bad gateway</h1></html>")
	}))
	defer html.Close()

	for _, tc := range []struct {
		name string
		vars map[string]string
		args []string
		want string
	}{
		{"no server", map[string]string{"OCTOPUS_API_KEY": servertest.AdminKey}, []string{"space", "list"},
			"no server: give --server or set OCTOPUS_URL, such as https://octopus.example.com"},
		{"no key", map[string]string{"OCTOPUS_URL": env.URL}, []string{"team", "list"}, "no API key: set OCTOPUS_API_KEY or give --api-key"},
		{"bad output", cliEnv(env), []string{"whoami", "-o", "yaml"}, `invalid --output "yaml": use text (or table), json or basic`},
		{"bad server", map[string]string{"OCTOPUS_URL": "octopus.example.com", "OCTOPUS_API_KEY": servertest.AdminKey}, []string{"whoami"},
			`client: the server address "octopus.example.com" must be an absolute http or https URL, such as https://octopus.example.com`},
		{"ErrUnauthorized", map[string]string{"OCTOPUS_URL": env.URL, "OCTOPUS_API_KEY": "API-WRONG0000000000000000000"}, []string{"whoami"},
			"You must be logged in to perform this action. Please provide a valid API key or log in again. (401 Unauthorized)"},
		{"ErrForbidden", map[string]string{"OCTOPUS_URL": env.URL, "OCTOPUS_API_KEY": janeKey}, []string{"invite", "--space", "Spaces-1"},
			"You do not have permission to perform this action. Please contact your Octopus administrator. Missing permission: UserInvite (403 Forbidden)"},
		{"not JSON", map[string]string{"OCTOPUS_URL": html.URL, "OCTOPUS_API_KEY": servertest.AdminKey}, []string{"space", "list"},
			`The server answered 502 Bad Gateway with text/html, not an Octopus error: "<html><h1>Bad gateway</h1></html>" (502 Bad Gateway)`},
		{"no command", cliEnv(env), []string{"team", "list", "extra"}, `unknown command "extra" for "octoinvite team list"`},
		{"unknown command", cliEnv(env), []string{"team", "erase", "Teams-1"}, `unknown command "erase" for "octoinvite team"; see octoinvite team --help`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, _, err := runCLI(t, tc.vars, tc.args...)
			assertFailure(t, stdout, err, tc.want)
		})
	}
	t.Run("server down", func(t *testing.T) {
		stdout, _, err := runCLI(t, map[string]string{"OCTOPUS_URL": downURL, "OCTOPUS_API_KEY": servertest.AdminKey}, "whoami")
		if err == nil || !strings.HasPrefix(err.Error(), "GET /api/: cannot reach the server at "+downURL+": ") || strings.Contains(err.Error(), "\n") {
			t.Errorf("got %v, want one line saying the server cannot be reached", err)
		}
		if stdout != "" {
			t.Errorf("got output %q, want none", stdout)
		}
	})
}

func TestCLIHelp(t *testing.T) {
	for _, args := range [][]string{
		{"invite"}, {"invitation"}, {"invitation", "get"}, {"invitation", "list"}, {"invitation", "revoke"},
		{"invitation", "regenerate"}, {"version"}, {"team"}, {"team", "create"}, {"team", "list"},
		{"space"}, {"space", "create"}, {"space", "list"}, {"whoami"}, {"serve"},
		{"space", "get"}, {"space", "update"}, {"space", "delete"}, {"team", "get"}, {"team", "update"}, {"team", "delete"},
		{"team", "add-member"}, {"team", "remove-member"}, {"user"}, {"user", "list"}, {"user", "get"}, {"user", "update"},
		{"user", "disable"}, {"user", "enable"}, {"user", "delete"}, {"apikey"}, {"apikey", "list"}, {"event", "list"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			out := mustRun(t, nil, append(args, "--help")...)
			_, examples, ok := strings.Cut(out, "\nExamples:\n")
			if !ok || !strings.Contains(strings.SplitN(examples, "\n\n", 2)[0], "octoinvite "+args[0]) {
				t.Errorf("got help\n%s\nwant an example of octoinvite %s", out, args[0])
			}
			if !strings.Contains(out, "Usage:\n  octoinvite "+strings.Join(args, " ")) {
				t.Errorf("got help\n%s\nwant the usage of %v", out, args)
			}
		})
	}
}

func ptr(s string) *string { return &s }
