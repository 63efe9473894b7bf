package main

import (
	"bytes"
	"context"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/octoinvite/octoinvite"
	"github.com/octoinvite/octoinvite/client"
	"github.com/octoinvite/octoinvite/internal/servertest"
)

// TestREADME_CLIWalkthrough runs every command of the README's CLI walk-through, in order,
// against a real server, in the shells of the administrator and of the user they invite, and
// checks that each succeeds and that every output the README shows is what the command before
// it prints (invitation codes and times aside, which differ on each run). Examples shown as
// "$ command" are run too, and must fail with the message and exit code shown.
func TestREADME_CLIWalkthrough(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n## CLI walk-through\n")
	if !ok {
		t.Fatal("the README has no CLI walk-through")
	}
	if end := strings.Index(section, "\n## "); end >= 0 {
		section = section[:end]
	}

	env := servertest.Start(t)
	env.Clock.Set(time.Now().Truncate(time.Second)) // --expires-in counts from this machine's clock
	const password = "correct horse battery staple"
	admin := &walkShell{name: "administrator", vars: map[string]string{"TZ": "Europe/Paris"}, key: servertest.AdminKey}
	jane := &walkShell{name: "new user", vars: map[string]string{"TZ": "Europe/Paris", "PASSWORD": password}}
	registered := false
	sh := admin
	ran := 0

	for _, b := range fencedBlocks(section) {
		switch {
		case strings.Contains(b.before, "new user's shell"):
			sh = jane
			if !registered {
				// The invitee opens the link and registers, as the README says, before their shell.
				registerWithFirstInvitation(t, env, "jane", password)
				registered = true
			}
		case strings.Contains(b.before, "administrator's shell"):
			sh = admin
		}
		switch b.lang {
		case "sh":
			for _, line := range b.lines {
				if sh.runLine(t, env, line) {
					ran++
				}
			}
		case "text":
			if strings.HasPrefix(b.lines[0], "$ ") {
				ran += sh.runFailures(t, b.lines)
				continue
			}
			want := strings.Join(b.lines, "\n") + "\n"
			if got := maskVolatile(strings.ReplaceAll(sh.lastOut, env.URL, "http://127.0.0.1:8080")); got != maskVolatile(want) {
				t.Errorf("the README shows after %q\n%s\nbut it printed\n%s", sh.lastCmd, want, sh.lastOut)
			}
		}
	}
	if ran < 30 {
		t.Errorf("ran %d commands of the README, want the whole walk-through", ran)
	}
}

// walkShell is the shell of one person of the walk-through.
type walkShell struct {
	name string
	vars map[string]string
	// key is the API key that "export OCTOPUS_API_KEY=API-..." stands for in this shell: the
	// administrator's, or the last one apikey create printed.
	key              string
	lastCmd, lastOut string
	lastExit         int
}

var printedKey = regexp.MustCompile(`(?m)^Key:\s+(API-[A-Z0-9]+)$`)

// runLine runs one line of a shell block, and reports whether it ran a command of octoinvite.
func (sh *walkShell) runLine(t *testing.T, env *servertest.Env, line string) bool {
	t.Helper()
	words, stdin := shellWords(t, line, sh.vars)
	switch {
	case len(words) == 0, words[0] == "go": // a comment; go install, which this test stands for
		return false
	case words[0] == "export":
		name, value, _ := strings.Cut(words[1], "=")
		switch {
		case name == "OCTOPUS_URL" && value == "http://127.0.0.1:8080":
			value = env.URL
		case name == "OCTOPUS_API_KEY" && value == "API-...":
			value = sh.key
		default:
			t.Fatalf("the README exports %s: the walk-through test knows only OCTOPUS_URL and OCTOPUS_API_KEY", words[1])
		}
		sh.vars[name] = value
		return false
	case words[0] != "octoinvite":
		t.Fatalf("the README runs %q: the walk-through test runs only octoinvite", line)
	}
	var out, errOut bytes.Buffer
	err := runIO(words[1:], strings.NewReader(stdin), &out, &errOut, sh.vars)
	if err != nil {
		t.Fatalf("in the %s's shell, %s: %v (stderr %q)", sh.name, line, err, errOut.String())
	}
	sh.lastCmd, sh.lastOut = line, out.String()
	if m := printedKey.FindStringSubmatch(sh.lastOut); m != nil {
		sh.key = m[1]
	}
	return true
}

// runFailures runs the "$ command" lines of an example, each followed by the lines it prints on
// standard error; "$ echo $?" prints the exit code of the command before it.
func (sh *walkShell) runFailures(t *testing.T, lines []string) int {
	t.Helper()
	ran := 0
	for i := 0; i < len(lines); {
		line := strings.TrimPrefix(lines[i], "$ ")
		var want []string
		for i++; i < len(lines) && !strings.HasPrefix(lines[i], "$ "); i++ {
			want = append(want, lines[i])
		}
		got := ""
		if line == "echo $?" {
			got = strconv.Itoa(sh.lastExit)
		} else {
			words, _ := shellWords(t, line, sh.vars)
			var out, errOut bytes.Buffer
			err := runIO(words[1:], strings.NewReader(""), &out, &errOut, sh.vars)
			if err == nil {
				t.Errorf("%s: succeeded, want the failure the README shows", line)
				continue
			}
			got, sh.lastExit = printable("octoinvite: "+err.Error()), exitCode(err)
			ran++
		}
		if w := strings.Join(want, "\n"); got != w {
			t.Errorf("$ %s: the README shows\n%s\nbut it printed\n%s", line, w, got)
		}
	}
	return ran
}

// registerWithFirstInvitation registers the user with the code of Invitations-1, as the invitee
// does on the page the invitation's link opens.
func registerWithFirstInvitation(t *testing.T, env *servertest.Env, username, password string) {
	t.Helper()
	ctx := context.Background()
	inv, err := env.DB.FindInvitationByID(ctx, "Invitations-1")
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.New(env.URL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Register(ctx, &octoinvite.Registration{Username: username, DisplayName: username, Password: password,
		InvitationCode: inv.InvitationCode}); err != nil {
		t.Fatal(err)
	}
}

// fencedBlock is a fenced code block of a Markdown text, with the prose before it.
type fencedBlock struct {
	lang, before string
	lines        []string
}

// fencedBlocks returns the fenced code blocks of a Markdown text, in order.
func fencedBlocks(md string) []fencedBlock {
	var blocks []fencedBlock
	var prose strings.Builder
	var cur *fencedBlock
	for _, line := range strings.Split(md, "\n") {
		switch {
		case cur == nil && strings.HasPrefix(line, "```"):
			cur = &fencedBlock{lang: strings.TrimPrefix(line, "```"), before: prose.String()}
			prose.Reset()
		case cur != nil && line == "```":
			blocks = append(blocks, *cur)
			cur = nil
		case cur != nil:
			cur.lines = append(cur.lines, line)
		default:
			prose.WriteString(line + "\n")
		}
	}
	return blocks
}

// shellWords splits a line of a shell block into words as a POSIX shell does for the lines the
// README holds: quotes, $NAME in double quotes, comments, and one pipe from printf, whose output
// it returns as the standard input of the command.
func shellWords(t *testing.T, line string, vars map[string]string) (words []string, stdin string) {
	t.Helper()
	var word strings.Builder
	inWord := false
	end := func() {
		if inWord {
			words = append(words, word.String())
		}
		word.Reset()
		inWord = false
	}
	for i := 0; i < len(line); i++ {
		switch c := line[i]; {
		case c == ' ' || c == '\t':
			end()
		case c == '#' && !inWord:
			end()
			i = len(line)
		case c == '|':
			end()
			if len(words) < 2 || words[0] != "printf" {
				t.Fatalf("the README pipes %q: the walk-through test knows printf only", line)
			}
			stdin = strings.ReplaceAll(words[1], `\n`, "\n")
			for _, arg := range words[2:] {
				stdin = strings.Replace(stdin, "%s", arg, 1)
			}
			words = nil
		case c == '\'':
			j := strings.IndexByte(line[i+1:], '\'')
			word.WriteString(line[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case c == '"':
			j := strings.IndexByte(line[i+1:], '"')
			quoted := line[i+1 : i+1+j]
			word.WriteString(os.Expand(quoted, func(name string) string { return vars[name] }))
			i += j + 1
			inWord = true
		default:
			word.WriteByte(c)
			inWord = true
		}
	}
	end()
	return words, stdin
}

// volatile matches what differs on each run of the walk-through: invitation codes, and times.
var volatile = regexp.MustCompile(`(Code:\s+|invitation=)[A-Za-z0-9_-]+|\d{4}-\d\d-\d\d \d\d:\d\d(:\d\d)?`)

// maskVolatile replaces codes and times by placeholders of the same width, so that tables keep
// their columns.
func maskVolatile(s string) string {
	return volatile.ReplaceAllStringFunc(s, func(m string) string {
		if i := strings.LastIndexAny(m, " =") + 1; strings.HasPrefix(m, "Code:") || strings.HasPrefix(m, "invitation=") {
			return m[:i] + "CODE"
		}
		return strings.Repeat("T", len(m))
	})
}
