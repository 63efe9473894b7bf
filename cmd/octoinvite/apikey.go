package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"iter"
	"strings"

	"github.com/spf13/cobra"

	"github.com/octoinvite/octoinvite"
	"github.com/octoinvite/octoinvite/client"
)

// apiKeyOptions are the flags of the apikey commands beyond those of every API command.
type apiKeyOptions struct {
	*apiOptions
	UserID        string
	Username      string
	PasswordStdin bool
}

// signedIn returns a client that calls the API with the API key or, given --username, with the
// session of a sign-in with the password read from the first line of stdin, and the ID of the
// user whose keys the command works on: --user, else the caller.
func (o *apiKeyOptions) signedIn(cmd *cobra.Command) (*client.Client, string, error) {
	if o.Username != "" && !o.PasswordStdin {
		return nil, "", usagef("--username needs --password-stdin, and the password on standard input")
	}
	o.passwordSignIn = o.Username != ""
	c, err := o.client(cmd)
	if err != nil {
		return nil, "", err
	}
	ctx := cmd.Context()
	if o.passwordSignIn {
		password, err := bufio.NewReader(io.LimitReader(cmd.InOrStdin(), 4096)).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, "", err
		}
		if _, err := c.Login(ctx, o.Username, strings.TrimRight(password, "\r\n")); err != nil {
			return nil, "", apiError(err)
		}
		// The session ends with the command.
		cmd.PostRunE = func(cmd *cobra.Command, _ []string) error {
			_ = c.Logout(context.WithoutCancel(cmd.Context()))
			return nil
		}
	}
	if o.UserID != "" {
		user, err := resolver{ctx, c}.user(o.UserID)
		if err != nil {
			return nil, "", err
		}
		return c, user.ID, nil
	}
	me, err := c.Me(ctx)
	if err != nil {
		return nil, "", apiError(err)
	}
	return c, me.ID, nil
}

func newAPIKeyCommand(stdout io.Writer, getenv func(string) string) *cobra.Command {
	o := &apiKeyOptions{apiOptions: newAPIOptions(stdout, getenv)}
	cmd := group(&cobra.Command{
		Use:   "apikey",
		Short: "Create, list and revoke API keys",
		Long: `Create, list and revoke your API keys, or, with --user and the permissions, another user's.

The commands call the server with your API key or, for your first key, with --username and your
password on standard input (--password-stdin), as you registered them.`,
		Example: `  printf '%s\n' "$PASSWORD" | octoinvite apikey create --purpose CI --username jane --password-stdin
  octoinvite apikey list
  octoinvite apikey revoke APIKeys-3`,
	})
	o.addFlags(cmd)
	f := cmd.PersistentFlags()
	f.StringVar(&o.UserID, "user", "", "the user whose keys to work on, by ID or username, such as jane; default: you")
	f.StringVar(&o.Username, "username", "", "sign in with this username instead of an API key")
	f.BoolVar(&o.PasswordStdin, "password-stdin", false, "read the password of --username from the first line of standard input")

	var purpose string
	create := &cobra.Command{
		Use:   "create --purpose TEXT",
		Short: "Create an API key and print it, this once",
		Long: `Create an API key and print it. The server keeps only its digest: the key is shown this once,
so store it somewhere safe (a password manager, your CI's secret store). With --output basic,
only the key is printed, for a script to keep.`,
		Example: `  printf '%s\n' "$PASSWORD" | octoinvite apikey create --purpose CI --username jane --password-stdin
  octoinvite apikey create --purpose "Deploy bot" --user deploy-bot --output json
  OCTOPUS_API_KEY=$(octoinvite apikey create --purpose CI --output basic)`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, userID, err := o.signedIn(cmd)
			if err != nil {
				return err
			}
			key, err := c.CreateAPIKey(cmd.Context(), userID, purpose)
			if err != nil {
				return apiError(err)
			}
			loc := location(getenv)
			// With --output basic, the key itself: what a script creating one keeps.
			return o.print(key.APIKey, func(w io.Writer) {
				fields(w,
					[2]string{"API key", key.ID},
					[2]string{"Purpose", key.Purpose},
					[2]string{"User", key.UserID},
					[2]string{"Created", key.Created.In(loc).Format(timeLayout)},
					[2]string{"Key", key.APIKey},
				)
				io.WriteString(w, "\nThe key is shown this once: keep it somewhere safe.\n")
			})
		},
	}
	create.Flags().StringVar(&purpose, "purpose", "", "what the key is for, such as CI (required)")

	list := &cobra.Command{
		Use:     "list",
		Short:   "List API keys, without their values",
		Example: "  octoinvite apikey list\n  octoinvite apikey list --user jane --output json",
		Args:    cobra.NoArgs,
	}
	page := addPageFlags(list, "API keys")
	list.RunE = func(cmd *cobra.Command, _ []string) error {
		c, userID, err := o.signedIn(cmd)
		if err != nil {
			return err
		}
		loc := location(getenv)
		return printList(cmd, o.apiOptions, page, func(r octoinvite.Range) (*client.Collection[*octoinvite.APIKey], error) {
			return c.ListAPIKeys(cmd.Context(), userID, r)
		}, func() iter.Seq2[*octoinvite.APIKey, error] {
			return c.AllAPIKeys(cmd.Context(), userID, octoinvite.Range{})
		}, columns[*octoinvite.APIKey]{
			header: []string{"ID", "CREATED", "PURPOSE"},
			row: func(k *octoinvite.APIKey) []string {
				return []string{k.ID, k.Created.In(loc).Format(timeLayout), k.Purpose}
			},
			basic: func(k *octoinvite.APIKey) string { return k.ID },
		})
	}

	revoke := &cobra.Command{
		Use:     "revoke ID",
		Short:   "Revoke an API key; it stops working at once",
		Example: "  octoinvite apikey revoke APIKeys-3\n  octoinvite apikey revoke APIKeys-9 --user jane",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, userID, err := o.signedIn(cmd)
			if err != nil {
				return err
			}
			if err := c.RevokeAPIKey(cmd.Context(), userID, args[0]); err != nil {
				return apiError(err)
			}
			if o.Output == outputJSON || o.Output == outputBasic {
				return nil
			}
			_, err = io.WriteString(o.stdout, printable("Revoked "+args[0]+" of "+userID+".")+"\n")
			return err
		},
	}
	cmd.AddCommand(create, list, revoke)
	return cmd
}
