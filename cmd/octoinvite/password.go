package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
)

// newSetPasswordCommand returns `user set-password`, which sets a password read from standard
// input, so that it shows in no process list and no shell history.
func newSetPasswordCommand(o *apiOptions, stdout io.Writer) *cobra.Command {
	var passwordStdin, currentStdin bool
	cmd := &cobra.Command{
		Use:   "set-password [USER] --password-stdin",
		Short: "Set a user's password, read from standard input",
		Long: `Set the password of a user (default: you), named by ID or username, read from the first line of
standard input, so that it shows in no process list and no shell history. The user can then sign
in to the portal with it, and create API keys.

Setting your own password needs your current one if you have one: with --current-password-stdin
the first line of standard input is the current password and the second the new one. An
administrator sets anyone's password without theirs. The user's sessions end (but the one that
asked, if it did with a session); their API keys keep working.

This is how the first administrator gets a password when the server was started without
OCTOINVITE_ADMIN_PASSWORD: with the API key printed at first start.`,
		Example: `  printf '%s\n' "$NEW_PASSWORD" | octoinvite user set-password --password-stdin
  printf '%s\n' "$NEW_PASSWORD" | octoinvite user set-password jane --password-stdin
  printf '%s\n%s\n' "$PASSWORD" "$NEW_PASSWORD" | octoinvite user set-password --current-password-stdin`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !passwordStdin && !currentStdin {
				return usagef("give the new password on standard input, with --password-stdin (or --current-password-stdin)")
			}
			in := bufio.NewReader(io.LimitReader(cmd.InOrStdin(), 4096))
			line := func(what string) (string, error) {
				s, err := in.ReadString('\n')
				if err != nil && !errors.Is(err, io.EOF) {
					return "", err
				}
				if s = strings.TrimRight(s, "\r\n"); s == "" {
					return "", usagef("standard input holds no %s", what)
				}
				return s, nil
			}
			var current string
			var err error
			if currentStdin {
				if current, err = line("current password on its first line"); err != nil {
					return err
				}
			}
			password, err := line("new password")
			if err != nil {
				return err
			}
			c, err := o.client(cmd)
			if err != nil {
				return err
			}
			var userID string
			if len(args) == 1 {
				user, err := resolver{cmd.Context(), c}.user(args[0])
				if err != nil {
					return err
				}
				userID = user.ID
			} else {
				me, err := c.Me(cmd.Context())
				if err != nil {
					return apiError(err)
				}
				userID = me.ID
			}
			if err := c.SetUserPassword(cmd.Context(), userID, password, current); err != nil {
				return apiError(err)
			}
			_, err = fmt.Fprintf(stdout, "The password of %s was set. The user's other sessions have ended; their API keys keep working.\n", userID)
			return err
		},
	}
	cmd.Flags().BoolVar(&passwordStdin, "password-stdin", false, "read the new password from the first line of standard input")
	cmd.Flags().BoolVar(&currentStdin, "current-password-stdin", false, "read the current password from the first line of standard input, and the new one from the second")
	return cmd
}
