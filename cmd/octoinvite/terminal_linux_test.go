package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/octoinvite/octoinvite/internal/servertest"
)

// openTerminal opens a pseudo-terminal, as a terminal emulator does: the command runs on the
// terminal's side (tty), the test plays the person at the keyboard and screen (screen).
func openTerminal(t *testing.T) (screen, tty *os.File) {
	t.Helper()
	screen, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { screen.Close() })
	if err := unix.IoctlSetPointerInt(int(screen.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(screen.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	tty, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tty.Close() })
	return screen, tty
}

// runOnTerminal runs the command line with its standard output on a terminal and returns what
// the terminal showed, its line ends as the program wrote them.
func runOnTerminal(t *testing.T, vars map[string]string, args ...string) (string, error) {
	t.Helper()
	screen, tty := openTerminal(t)
	shown := make(chan string)
	go func() {
		b, _ := io.ReadAll(screen) // ends with EIO once tty is closed
		shown <- strings.ReplaceAll(string(b), "\r\n", "\n")
	}()
	err := runIO(args, strings.NewReader(""), tty, io.Discard, vars)
	tty.Close()
	return <-shown, err
}

func TestCLIJSONOnTerminal(t *testing.T) {
	env := servertest.Start(t)
	vars := cliEnv(env)
	body := fetch(t, env, "/api/users/me")
	var indented bytes.Buffer
	if err := json.Indent(&indented, []byte(body), "", "  "); err != nil {
		t.Fatal(err)
	}

	out, err := runOnTerminal(t, vars, "whoami", "-o", "json")
	if err != nil {
		t.Fatal(err)
	}
	assertOutput(t, out, indented.String()+"\n")
	if !strings.HasPrefix(out, "{\n  \"Id\": \"Users-1\",\n") {
		t.Errorf("got %q, want JSON indented by two spaces", out)
	}

	out, err = runOnTerminal(t, vars, "whoami", "-o", "json", "--compact")
	if err != nil {
		t.Fatal(err)
	}
	assertOutput(t, out, body+"\n")

	out, err = runOnTerminal(t, vars, "space", "list", "-o", "json")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out, "[\n  {\n    \"Id\": \"Spaces-1\",\n") {
		t.Errorf("got %q, want the array of spaces indented", out)
	}
}

// TestCLIConfirmOnTerminal deletes a team after the person at the terminal types its name, and
// keeps it when they type another.
func TestCLIConfirmOnTerminal(t *testing.T) {
	env := servertest.Start(t)
	vars := cliEnv(env)
	env.CreateTeam(t, "Developers", ptr("Spaces-1"))

	deleteTyping := func(typed string) (stdout, stderr string, err error) {
		keyboard, tty := openTerminal(t)
		if _, err := io.WriteString(keyboard, typed+"\n"); err != nil {
			t.Fatal(err)
		}
		var out, errOut bytes.Buffer
		err = runIO([]string{"team", "delete", "developers", "--space", "Default"}, tty, &out, &errOut, vars)
		return out.String(), errOut.String(), err
	}

	stdout, stderr, err := deleteTyping("Dev")
	assertFailure(t, stdout, err, "not deleted: the name typed is not 'Developers'")
	assertExit(t, err, exitFailure)
	const prompt = "You are about to delete the team 'Developers' (Teams-1). Its members stay users; invitations into it keep their other teams. " +
		"This cannot be undone.\nTo confirm, type the team's name: "
	assertOutput(t, stderr, prompt)
	assertMembers(t, env, "Teams-1", "")

	stdout, stderr, err = deleteTyping("Developers")
	if err != nil {
		t.Fatal(err)
	}
	assertOutput(t, stdout, "Deleted the team 'Developers' (Teams-1).\n")
	assertOutput(t, stderr, prompt)
	if _, err := env.DB.FindTeamByID(t.Context(), "Teams-1"); err == nil {
		t.Errorf("the store still holds the team")
	}
}

// TestCLIConfirmSpaceDeletion says what goes with a space before the person confirms.
func TestCLIConfirmSpaceDeletion(t *testing.T) {
	env := servertest.Start(t)
	vars := cliEnv(env)
	env.CreateSpace(t, "Operations")
	env.CreateTeam(t, "On call", ptr("Spaces-2"))
	env.CreateTeam(t, "Leads", ptr("Spaces-2"))
	mustRun(t, vars, "invite", "--space", "Operations", "--team", "Leads")

	keyboard, tty := openTerminal(t)
	if _, err := io.WriteString(keyboard, "Operations\n"); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if err := runIO([]string{"space", "delete", "Spaces-2"}, tty, &out, &errOut, vars); err != nil {
		t.Fatal(err)
	}
	assertOutput(t, errOut.String(), "You are about to delete the space 'Operations' (Spaces-2). Its 2 teams and every invitation (1 pending) "+
		"are deleted with it. This cannot be undone.\nTo confirm, type the space's name: ")
	assertOutput(t, out.String(), "Deleted the space 'Operations' (Spaces-2).\n")
}
