// Command octoinvite runs the invitation server and drives it from the shell.
//
//	octoinvite serve                 run the server on the embedded SQLite store
//	octoinvite --help                list every command
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
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
		fmt.Fprintln(os.Stderr, "octoinvite: "+err.Error())
		os.Exit(1)
	}
}

// run executes the command line args, writing to stdout and stderr, with getenv as the
// environment. It returns the error that ends the command, already worded for the user.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	root := newRootCommand(stdout, stderr, getenv)
	root.SetArgs(args)
	return root.ExecuteContext(ctx)
}

func newRootCommand(stdout, stderr io.Writer, getenv func(string) string) *cobra.Command {
	root := &cobra.Command{
		Use:           "octoinvite",
		Short:         "An Octopus Deploy compatible server for user invitations",
		Long:          "octoinvite serves the invitation part of Octopus Deploy's REST API: administrators invite people\nto register, bound to teams in a space, and invitees redeem the code within its lifetime.",
		Version:       version(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(newServeCommand(stdout, stderr, getenv))
	root.AddCommand(newInviteCommand(stdout, getenv), newInvitationCommand(stdout, getenv),
		newTeamCommand(stdout, getenv), newSpaceCommand(stdout, getenv), newWhoamiCommand(stdout, getenv),
		newAPIKeyCommand(stdout, getenv), newEventCommand(stdout, getenv), newVersionCommand(stdout))
	return root
}

func newVersionCommand(stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version of octoinvite",
		Long: `Print the version of octoinvite: the module version it was built as, or, for a build from a
checkout, its commit. The server reports the same version in its root document (GET /api).`,
		Example: `  octoinvite version`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintln(stdout, "octoinvite "+version())
			return err
		},
	}
}

// version returns the module version the binary was built from, or its VCS revision for a
// build from a checkout.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "0.0.0-dev"
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return strings.TrimPrefix(v, "v")
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			return "0.0.0-dev+" + s.Value[:12]
		}
	}
	return "0.0.0-dev"
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
