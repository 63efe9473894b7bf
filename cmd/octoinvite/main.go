// Command octoinvite runs the invitation server and drives it from the shell.
//
//	octoinvite serve                 run the server on the embedded SQLite store
//	octoinvite --help                list every command
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, printable("octoinvite: "+err.Error()))
		stop()
		os.Exit(exitCode(err))
	}
}

// run executes the command line args, writing to stdout and stderr, with getenv as the
// environment. It returns the error that ends the command, already worded for the user, whose
// exitCode is the process's exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	root := newRootCommand(stdout, stderr, getenv)
	root.SetArgs(args)
	return execute(ctx, root)
}

func newRootCommand(stdout, stderr io.Writer, getenv func(string) string) *cobra.Command {
	root := &cobra.Command{
		Use:   "octoinvite",
		Short: "An Octopus Deploy compatible server for user invitations",
		Long: "octoinvite serves the invitation part of Octopus Deploy's REST API: administrators invite people\nto register, bound to teams in a space, and invitees redeem the code within its lifetime.\n\n" +
			"The other commands drive a server (OCTOPUS_URL, OCTOPUS_API_KEY). They name spaces, teams and\nusers by ID or by name, and print text, JSON (--output json) or names only (--output basic).\n\n" + exitCodes,
		Version:       version(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(newServeCommand(stdout, stderr, getenv))
	root.AddCommand(newInviteCommand(stdout, getenv), newInvitationCommand(stdout, getenv),
		newTeamCommand(stdout, getenv), newSpaceCommand(stdout, getenv), newUserCommand(stdout, getenv), newWhoamiCommand(stdout, getenv),
		newAPIKeyCommand(stdout, getenv), newEventCommand(stdout, getenv), newVersionCommand(stdout))
	return root
}

func newVersionCommand(stdout io.Writer) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version of octoinvite",
		Long: `Print the version of octoinvite: the version of the module it was built from, and the commit, its
date and the Go version when the build recorded them. The server reports the same version in its
root document (GET /api).`,
		Example: `  octoinvite version
  octoinvite version --output json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			b := readBuild()
			switch output {
			case "json":
				enc := json.NewEncoder(stdout)
				return enc.Encode(b)
			case "text":
				var buf bytes.Buffer
				fmt.Fprintln(&buf, "octoinvite "+b.Version)
				pairs := [][2]string{}
				if b.Commit != "" {
					commit := b.Commit
					if b.Modified {
						commit += " (with changes not committed)"
					}
					pairs = append(pairs, [2]string{"Commit", commit})
				}
				if b.Date != "" {
					pairs = append(pairs, [2]string{"Date", b.Date})
				}
				pairs = append(pairs, [2]string{"Go", b.GoVersion})
				fields(&buf, pairs...)
				_, err := stdout.Write(buf.Bytes())
				return err
			}
			return usagef("invalid --output %q: use text or json", output)
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output format: text, or json")
	return cmd
}

// build is what the binary knows of how it was built.
type build struct {
	// Version is the version of the module the command belongs to: the one go install
	// ...@version or a go.mod requiring it chose, or the pseudo-version of a build stamped from a
	// checkout. A build that knows none reads 0.0.0-dev, with the commit as build metadata when
	// known, so that it stays a semantic version for the clients that parse the server's.
	Version string `json:"Version"`
	// Commit, Date (the commit's time) and Modified (uncommitted changes) are known when the
	// build was stamped from a checkout (go build's -buildvcs, on by default).
	Commit    string `json:"Commit,omitempty"`
	Date      string `json:"Date,omitempty"`
	Modified  bool   `json:"Modified,omitempty"`
	GoVersion string `json:"GoVersion"`
}

// version returns the version the binary reports: in the CLI, the root document and the log.
func version() string { return readBuild().Version }

func readBuild() build {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return build{Version: develVersion, GoVersion: runtime.Version()}
	}
	return describeBuild(info)
}

// develVersion is the version of a build that records none.
const develVersion = "0.0.0-dev"

// describeBuild reads the build's description from the build information of the binary.
func describeBuild(info *debug.BuildInfo) build {
	b := build{GoVersion: info.GoVersion}
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Commit = s.Value
		case "vcs.time":
			b.Date = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		}
	}
	if v := commandModule(info).Version; v != "" && v != "(devel)" {
		b.Version = strings.TrimPrefix(v, "v")
	} else if len(b.Commit) >= 12 {
		b.Version = develVersion + "+" + b.Commit[:12]
	} else {
		b.Version = develVersion
	}
	return b
}

// commandModule returns the module the command's package belongs to: the main module for a build
// of this module, or the dependency providing it for a build in another module (a go.mod "tool"
// line, for instance), as replaced if it is.
func commandModule(info *debug.BuildInfo) debug.Module {
	var found debug.Module
	for _, m := range append([]*debug.Module{&info.Main}, info.Deps...) {
		if (info.Path == m.Path || strings.HasPrefix(info.Path, m.Path+"/")) && len(m.Path) > len(found.Path) {
			found = *m
			if m.Replace != nil {
				found.Version = m.Replace.Version
			}
		}
	}
	return found
}

// envFallbacks sets each flag the command line left unset from its environment variable, so
// that flags win over the environment and a bad value is reported naming its variable.
func envFallbacks(flags *pflag.FlagSet, getenv func(string) string, vars map[string]string) error {
	for name, env := range vars {
		f := flags.Lookup(name)
		if f == nil || f.Changed {
			continue
		}
		if v := getenv(env); v != "" {
			if err := flags.Set(name, v); err != nil {
				return fmt.Errorf("invalid %s %q: %v", env, v, err)
			}
		}
	}
	return nil
}
