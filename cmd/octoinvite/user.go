package main

import (
	"io"
	"iter"
	"strings"

	"github.com/spf13/cobra"

	"github.com/octoinvite/octoinvite"
	"github.com/octoinvite/octoinvite/client"
)

func newUserCommand(stdout io.Writer, getenv func(string) string) *cobra.Command {
	o := newAPIOptions(stdout, getenv)
	cmd := group(&cobra.Command{
		Use:   "user",
		Short: "List, show, change, disable and delete users, and set passwords",
		Long: `List, show, change, disable and delete users, and set their passwords. A user is named by its ID (Users-2) or its username
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
			c, user, err := clientAnd(cmd, o, args[0], resolver.user)
			if err != nil {
				return err
			}
			return o.printUser(cmd, c, user)
		},
	}

	var username, displayName, email string
	update := &cobra.Command{
		Use:   "update USER [--display-name NAME] [--email ADDRESS] [--username NAME]",
		Short: "Change a user's display name, email address or username",
		Long: `Change a user's display name, email address or username; what no flag names stays as it is. Users
may change their own display name and email address; anything else needs the UserEdit
permission. An empty --email removes the address.`,
		Example: `  octoinvite user update jane --display-name "Jane Doe" --email jane@example.com
  octoinvite user update Users-2 --username jdoe`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f := cmd.Flags()
			if !f.Changed("display-name") && !f.Changed("email") && !f.Changed("username") {
				return usagef("nothing to change: give --display-name, --email or --username")
			}
			c, user, err := clientAnd(cmd, o, args[0], resolver.user)
			if err != nil {
				return err
			}
			if f.Changed("display-name") {
				user.DisplayName = displayName
			}
			if f.Changed("email") {
				user.EmailAddress = email
			}
			if f.Changed("username") {
				user.Username = username
			}
			if err := c.UpdateUser(cmd.Context(), user); err != nil {
				return apiError(err)
			}
			return o.printUser(cmd, c, user)
		},
	}
	update.Flags().StringVar(&displayName, "display-name", "", "the name shown for the user")
	update.Flags().StringVar(&email, "email", "", "the user's email address")
	update.Flags().StringVar(&username, "username", "", "the name the user signs in with")

	setActive := func(use, short, long, example string, active bool) *cobra.Command {
		return &cobra.Command{
			Use:     use + " USER",
			Short:   short,
			Long:    long,
			Example: example,
			Args:    cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				c, user, err := clientAnd(cmd, o, args[0], resolver.user)
				if err != nil {
					return err
				}
				if user, err = c.SetUserActive(cmd.Context(), user.ID, active); err != nil {
					return apiError(err)
				}
				return o.printUser(cmd, c, user)
			},
		}
	}
	disable := setActive("disable", "Deactivate a user: their API keys and sessions stop working at once",
		`Deactivate a user (IsActive false): their API keys and sessions stop working on the very next
request, and they cannot sign in, until the user is enabled again. Nothing else changes: they
stay in their teams. The last active administrator cannot be deactivated.`,
		"  octoinvite user disable jane\n  octoinvite user disable Users-2 --output json", false)
	enable := setActive("enable", "Activate a deactivated user again",
		"Activate a deactivated user again (IsActive true): they can sign in, and their API keys work again.",
		"  octoinvite user enable jane", true)

	var yes bool
	deleteCmd := &cobra.Command{
		Use:   "delete USER [--yes]",
		Short: "Delete a user",
		Long: `Delete a user: their API keys and sessions stop working at once, and they leave their teams. The
installation's administrator (Users-1) and the last active administrator cannot be deleted;
deactivate them instead. It asks you to type the username to confirm, unless --yes is given;
where standard input is not a terminal, it refuses without --yes.`,
		Example: `  octoinvite user delete jane
  octoinvite user delete Users-2 --yes`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, user, err := clientAnd(cmd, o, args[0], resolver.user)
			if err != nil {
				return err
			}
			d := deletion{kind: "user", name: user.Username, id: user.ID, consequence: "Their API keys stop working at once."}
			if err := confirm(cmd, yes, d); err != nil {
				return err
			}
			if err := c.DeleteUser(cmd.Context(), user.ID); err != nil {
				return apiError(err)
			}
			return o.deleted(d)
		},
	}
	addYesFlag(deleteCmd, &yes)

	cmd.AddCommand(list, get, update, disable, enable, deleteCmd, newSetPasswordCommand(o, stdout))
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
	teams := "(unknown)"
	if o.Output != outputBasic {
		if member, err := c.TeamMembership(cmd.Context(), user.ID, nil, true); err == nil {
			names := make([]string, len(member))
			for i, t := range member {
				names[i] = t.Name + " (" + t.ID + ")"
			}
			teams = orNone(strings.Join(names, ", "))
		}
	}
	return o.print(user.Username, func(w io.Writer) {
		fields(w,
			[2]string{"User", user.ID},
			[2]string{"Username", user.Username},
			[2]string{"Display name", user.DisplayName},
			[2]string{"Email", orNone(user.EmailAddress)},
			[2]string{"Active", yesNo(user.IsActive)},
			[2]string{"Teams", teams},
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
