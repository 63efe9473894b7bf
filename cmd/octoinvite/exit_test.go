package main

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/octoinvite/octoinvite/internal/servertest"
)

// TestCLIExitCodes checks the exit code of each kind of failure.
func TestCLIExitCodes(t *testing.T) {
	env := servertest.Start(t)
	vars := cliEnv(env)
	_, janeKey := env.CreateUser(t, "jane")
	env.CreateSpace(t, "Operations")
	env.CreateTeam(t, "Developers", ptr("Spaces-1"))
	env.CreateTeam(t, "Developers", ptr("Spaces-2"))
	asJane := map[string]string{"OCTOPUS_URL": env.URL, "OCTOPUS_API_KEY": janeKey}
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()

	for _, tc := range []struct {
		name string
		vars map[string]string
		args []string
		want int
	}{
		{"OK", vars, []string{"team", "list"}, 0},
		{"help", vars, []string{"team", "--help"}, 0},
		{"unknown flag", vars, []string{"team", "list", "--bogus"}, exitUsage},
		{"unknown shorthand flag", vars, []string{"user", "list", "-z"}, exitUsage},
		{"bad flag value", vars, []string{"user", "list", "--take", "many"}, exitUsage},
		{"missing argument", vars, []string{"team", "get"}, exitUsage},
		{"extra argument", vars, []string{"space", "list", "extra"}, exitUsage},
		{"unknown command", vars, []string{"frobnicate"}, exitUsage},
		{"unknown subcommand", vars, []string{"team", "frobnicate"}, exitUsage},
		{"invalid --take", vars, []string{"user", "list", "--take", "0"}, exitUsage},
		{"invalid --output", vars, []string{"user", "list", "-o", "yaml"}, exitUsage},
		{"invalid --expires-in", vars, []string{"invite", "--expires-in", "-1h"}, exitUsage},
		{"ambiguous name", vars, []string{"team", "get", "Developers"}, exitUsage},
		{"delete without a terminal", vars, []string{"team", "delete", "Teams-1"}, exitUsage},
		{"no server", map[string]string{"OCTOPUS_API_KEY": servertest.AdminKey}, []string{"whoami"}, exitConfig},
		{"no API key", map[string]string{"OCTOPUS_URL": env.URL}, []string{"whoami"}, exitConfig},
		{"bad server address", map[string]string{"OCTOPUS_URL": "octopus", "OCTOPUS_API_KEY": servertest.AdminKey}, []string{"whoami"}, exitConfig},
		{"not found by the server", vars, []string{"invitation", "get", "Invitations-9"}, exitNotFound},
		{"no such name", vars, []string{"space", "get", "Nowhere"}, exitNotFound},
		{"forbidden", asJane, []string{"user", "list"}, exitFailure},
		{"unauthorized", map[string]string{"OCTOPUS_URL": env.URL, "OCTOPUS_API_KEY": "API-WRONG0000000000000000000"}, []string{"whoami"}, exitFailure},
		{"invalid", vars, []string{"team", "delete", "Everyone", "--yes"}, exitFailure},
		{"conflict", vars, []string{"space", "create", "default"}, exitFailure},
		{"server down", map[string]string{"OCTOPUS_URL": down.URL, "OCTOPUS_API_KEY": servertest.AdminKey}, []string{"whoami"}, exitFailure},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := runCLI(t, tc.vars, tc.args...)
			assertExit(t, err, tc.want)
		})
	}
}

// TestCLIExitCodes_Process runs the command as a process and reads the exit codes the shell sees.
func TestCLIExitCodes_Process(t *testing.T) {
	env := servertest.Start(t)
	for _, tc := range []struct {
		args       []string
		want       int
		wantStderr string
	}{
		{[]string{"whoami", "-o", "basic"}, 0, ""},
		{[]string{"whoami", "--bogus"}, exitUsage, "octoinvite: unknown flag: --bogus\n"},
		{[]string{"space", "get", "Nowhere"}, exitNotFound, "octoinvite: no space has the ID or name 'Nowhere'\n"},
		{[]string{"space", "create", "Default"}, exitFailure,
			"octoinvite: There was a problem with your request. A space with the name 'Default' or the slug 'default' already exists. (409 Conflict)\n"},
		{[]string{"invitation", "get", "Invitations-1\x1b[31m\u009b\u202ex"}, exitNotFound,
			"octoinvite: The resource 'Invitations-1?[31m??x' was not found. (404 Not Found)\n"},
		{[]string{"serve", "--invitation-lifetime", "10s"}, exitUsage, "octoinvite: invalid --invitation-lifetime 10s: it must be at least 1m\n"},
		{[]string{"serve", "--log-format", "xml"}, exitUsage, "octoinvite: invalid --log-format \"xml\": use text or json\n"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			cmd := exec.Command(os.Args[0], tc.args...)
			cmd.Env = append(os.Environ(), "OCTOINVITE_TEST_MAIN=1", "OCTOPUS_URL="+env.URL, "OCTOPUS_API_KEY="+servertest.AdminKey)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err := cmd.Run()
			got := 0
			var exit *exec.ExitError
			if errors.As(err, &exit) {
				got = exit.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if got != tc.want || stderr.String() != tc.wantStderr {
				t.Errorf("got exit code %d and %q on standard error, want %d and %q", got, stderr.String(), tc.want, tc.wantStderr)
			}
		})
	}
	cmd := exec.Command(os.Args[0], "--help")
	cmd.Env = append(os.Environ(), "OCTOINVITE_TEST_MAIN=1")
	out, err := cmd.Output()
	if err != nil || !strings.Contains(string(out), exitCodes) {
		t.Errorf("octoinvite --help: got %v and\n%s\nwant the exit codes documented", err, out)
	}
}
