package main

import (
	"io"
	"iter"

	"github.com/spf13/cobra"

	"github.com/octoinvite/octoinvite"
	"github.com/octoinvite/octoinvite/client"
)

func newUserCommand(stdout io.Writer, getenv func(string) string) *cobra.Command {
	o := newAPIOptions(stdout, getenv)
	cmd := group(&cobra.Command{
		Use:   "user",
		Short: "List, show, change, disable and delete users",
		Long: `List, show, change, disable and delete users. A user is named by its ID (Users-2) or its username
(jane). Reading other users needs the UserView permission; changing them, UserEdit.`,
		Example: `  octoinvite user list
  octoinvite user get jane`,
	})
	o.addFlags(cmd)

	var filter string
	list := &cobra.Command{
		Use:   "list [--filter TEXT]",
		Short: "List users",
		Long: `List every user, in the order they registered. --filter keeps those whose username, display name
or email address contains the text. With --take or --skip, one page of them.`,
		Example: `  octoinvite user list
  octoinvite user list --filter example.com --output json
  octoinvite user list --output basic   # their usernames, one a line`,
		Args: cobra.NoArgs,
	}
	page := addPageFlags(list, "users")
	list.RunE = func(cmd *cobra.Command, _ []string) error {
		c, err := o.client(cmd)
		if err != nil {
			return err
		}
		f := octoinvite.UserFilter{Filter: filter}
		return printList(cmd, o, page, func(r octoinvite.Range) (*client.Collection[*octoinvite.User], error) {
			f.Range = r
			return c.ListUsers(cmd.Context(), f)
		}, func() iter.Seq2[*octoinvite.User, error] {
			return c.AllUsers(cmd.Context(), f)
		}, columns[*octoinvite.User]{
			header: []string{"ID", "USERNAME", "DISPLAY NAME", "EMAIL", "ACTIVE"},
			row: func(u *octoinvite.User) []string {
				return []string{u.ID, u.Username, u.DisplayName, u.EmailAddress, yesNo(u.IsActive)}
			},
			basic: func(u *octoinvite.User) string { return u.Username },
		})
	}
	list.Flags().StringVar(&filter, "filter", "", "list only users whose username, display name or email address contains this text")

	get := &cobra.Command{
		Use:   "get USER",
		Short: "Show a user",
		Long:  "Show a user, named by ID or username.",
		Example: `  octoinvite user get jane
  octoinvite user get Users-2 --output json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := o.client(cmd)
			if err != nil {
				return err
			}
			user, err := resolver{cmd.Context(), c}.user(args[0])
			if err != nil {
				return err
			}
			return o.printUser(cmd, c, user)
		},
	}

	cmd.AddCommand(list, get)
	return cmd
}

// printUser prints a user: with --output json, as the server sends it.
func (o *apiOptions) printUser(cmd *cobra.Command, c *client.Client, user *octoinvite.User) error {
	if o.Output == outputJSON {
		if _, err := c.FindUserByID(cmd.Context(), user.ID); err != nil {
			return apiError(err)
		}
		return o.printJSON(o.last.body)
	}
	return o.print(user.Username, func(w io.Writer) {
		fields(w,
			[2]string{"User", user.ID},
			[2]string{"Username", user.Username},
			[2]string{"Display name", user.DisplayName},
			[2]string{"Email", orNone(user.EmailAddress)},
			[2]string{"Active", yesNo(user.IsActive)},
		)
	})
}

// yesNo reads a boolean as yes or no.
func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
