package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/octoinvite/octoinvite/client"
)

// The exit codes of the CLI, which scripts tell apart. Octopus's own CLI exits with 1 on any
// failure and with 3 when it has no server or API key to work with; octoinvite keeps those two,
// and gives a usage error and a resource not found codes of their own.
const (
	// exitFailure: the server refused the request (400, 401, 403, 409...), could not be reached,
	// or a deletion was not confirmed.
	exitFailure = 1
	// exitUsage: the command line is wrong: an unknown command or flag, a missing or extra
	// argument, an invalid flag value, a name that matches several resources, or a deletion
	// without --yes where no terminal can confirm it.
	exitUsage = 2
	// exitConfig: no server or API key to work with, or a server address that is not a URL.
	exitConfig = 3
	// exitNotFound: what the command names does not exist (the server answered 404, or no
	// resource has that ID or name).
	exitNotFound = 4
)

// exitCodes is the paragraph of octoinvite --help that documents the exit codes.
const exitCodes = `Exit codes: 0 success; 1 the server refused the request or could not be reached; 2 a usage
error (unknown command or flag, missing argument, invalid value, ambiguous name, deletion without
--yes and no terminal); 3 no server or API key configured; 4 not found (no such ID or name).`

// exitCode returns the code the process exits with after err.
func exitCode(err error) int {
	var usage *usageError
	var config *configError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &usage):
		return exitUsage
	case errors.As(err, &config):
		return exitConfig
	case errors.Is(err, client.ErrNotFound):
		return exitNotFound
	}
	return exitFailure
}

// usageError is a mistake in the command line.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// usagef returns a usageError with the message.
func usagef(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

// configError is a missing or invalid server address or API key.
type configError struct{ err error }

func (e *configError) Error() string { return e.err.Error() }
func (e *configError) Unwrap() error { return e.err }

// execute runs the command line set on root. An error that ends the command before any command
// runs (an unknown command or flag, a wrong number of arguments: cobra's own checks) is a
// usageError; errors of the commands themselves keep their type.
func execute(ctx context.Context, root *cobra.Command) error {
	ran := false
	var mark func(*cobra.Command)
	mark = func(cmd *cobra.Command) {
		if runE := cmd.RunE; runE != nil {
			cmd.RunE = func(cmd *cobra.Command, args []string) error {
				ran = true
				return runE(cmd, args)
			}
		}
		for _, sub := range cmd.Commands() {
			mark(sub)
		}
	}
	mark(root)
	err := root.ExecuteContext(ctx)
	if err != nil && !ran {
		return &usageError{err}
	}
	return err
}
