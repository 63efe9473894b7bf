package main

import (
	"context"
	"io"
	"iter"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/octoinvite/octoinvite"
	"github.com/octoinvite/octoinvite/client"
)

func newTeamCommand(stdout io.Writer, getenv func(string) string) *cobra.Command {
	o := newAPIOptions(stdout, getenv)
	cmd := group(&cobra.Command{
		Use:   "team",
		Short: "Create, list, show and change teams and their members",
		Long: `Create, list, show and change teams and their members. A team is named by its ID (Teams-1) or its
name (Developers): with --space, among the teams of that space and the system teams, otherwise
among every team. Spaces and users too are named by ID or by name.`,
		Example: `  octoinvite team create Developers --space Default
  octoinvite team list --space Default
  octoinvite team get Developers --space Default`,
	})
	o.addFlags(cmd)
	var spaceArg string
	cmd.PersistentFlags().StringVar(&spaceArg, "space", "", "the space of the team, by ID or name, such as Default")

	var description string
	create := &cobra.Command{
		Use:   "create NAME [--space SPACE]",
		Short: "Create a team",
		Long:  "Create a team in a space, or, without --space, a system team that belongs to no space.",
		Example: `  octoinvite team create Developers --space Default
  octoinvite team create "Release managers" --space Spaces-2 --description "Approve releases" --output json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := o.client(cmd)
			if err != nil {
				return err
			}
			spaceID, err := resolver{cmd.Context(), c}.spaceID(spaceArg)
			if err != nil {
				return err
			}
			team := &octoinvite.Team{Name: args[0], Description: description}
			if spaceID != "" {
				team.SpaceID = &spaceID
			}
			if err := c.CreateTeam(cmd.Context(), team); err != nil {
				return apiError(err)
			}
			return o.print(team.Name, func(w io.Writer) { printTeam(w, team, nil) })
		},
	}
	create.Flags().StringVar(&description, "description", "", "what the team is for")

	var partialName string
	var noSystem bool
	list := &cobra.Command{
		Use:   "list [--space SPACE] [--name TEXT] [--no-system]",
		Short: "List teams",
		Long: `List every team, system teams first: with --space the teams of that space, otherwise the teams of
every space. System teams are listed too unless --no-system is given. MEMBERS counts each
team's members; team get names them. With --take or --skip, one page of them.`,
		Example: `  octoinvite team list
  octoinvite team list --space Default --name dev --output json
  octoinvite team list --space Default --output basic   # their names, one a line`,
		Args: cobra.NoArgs,
	}
	page := addPageFlags(list, "teams")
	list.RunE = func(cmd *cobra.Command, _ []string) error {
		c, err := o.client(cmd)
		if err != nil {
			return err
		}
		spaceID, err := resolver{cmd.Context(), c}.spaceID(spaceArg)
		if err != nil {
			return err
		}
		filter := octoinvite.TeamFilter{PartialName: partialName, IncludeSystem: !noSystem}
		return printList(cmd, o, page, func(r octoinvite.Range) (*client.Collection[*octoinvite.Team], error) {
			filter.Range = r
			if spaceID != "" {
				return c.ListTeamsInSpace(cmd.Context(), spaceID, filter)
			}
			return c.ListTeams(cmd.Context(), filter)
		}, func() iter.Seq2[*octoinvite.Team, error] {
			return c.AllTeams(cmd.Context(), spaceID, filter)
		}, columns[*octoinvite.Team]{
			header: []string{"ID", "NAME", "SPACE", "MEMBERS"},
			row: func(t *octoinvite.Team) []string {
				return []string{t.ID, t.Name, spaceOf(t.SpaceID), strconv.Itoa(len(t.MemberUserIDs))}
			},
			basic: func(t *octoinvite.Team) string { return t.Name },
		})
	}
	list.Flags().StringVar(&partialName, "name", "", "list only teams whose name contains this text")
	list.Flags().BoolVar(&noSystem, "no-system", false, "leave out the system teams")

	get := &cobra.Command{
		Use:   "get TEAM [--space SPACE]",
		Short: "Show a team and its members",
		Long:  "Show a team and its members, by username (with the UserView permission) and ID.",
		Example: `  octoinvite team get Developers --space Default
  octoinvite team get teams-administrators --output json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, team, err := clientAnd(cmd, o, args[0], teamIn(spaceArg))
			if err != nil {
				return err
			}
			return o.printTeam(cmd, c, team)
		},
	}

	var newName, newDescription string
	update := &cobra.Command{
		Use:   "update TEAM [--space SPACE] [--name NAME] [--description TEXT]",
		Short: "Rename a team or change its description",
		Long: `Rename a team or change its description; what no flag names stays as it is. Built-in teams
cannot be renamed. Members change with add-member and remove-member.`,
		Example: `  octoinvite team update Developers --space Default --name Engineers
  octoinvite team update Teams-1 --description "Build and run the product"`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !cmd.Flags().Changed("name") && !cmd.Flags().Changed("description") {
				return usagef("nothing to change: give --name or --description")
			}
			c, team, err := clientAnd(cmd, o, args[0], teamIn(spaceArg))
			if err != nil {
				return err
			}
			if cmd.Flags().Changed("name") {
				team.Name = newName
			}
			if cmd.Flags().Changed("description") {
				team.Description = newDescription
			}
			if err := c.UpdateTeam(cmd.Context(), team); err != nil {
				return apiError(err)
			}
			return o.printTeam(cmd, c, team)
		},
	}
	update.Flags().StringVar(&newName, "name", "", "the team's new name")
	update.Flags().StringVar(&newDescription, "description", "", "what the team is for")

	var yes bool
	deleteCmd := &cobra.Command{
		Use:   "delete TEAM [--space SPACE] [--yes]",
		Short: "Delete a team",
		Long: `Delete a team. Its members stay users; pending invitations into it keep their other teams. Built-in
teams cannot be deleted. It asks you to type the team's name to confirm, unless --yes is given;
where standard input is not a terminal, it refuses without --yes.`,
		Example: `  octoinvite team delete Developers --space Default
  octoinvite team delete Teams-1 --yes`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, team, err := clientAnd(cmd, o, args[0], teamIn(spaceArg))
			if err != nil {
				return err
			}
			d := deletion{kind: "team", name: team.Name, id: team.ID, consequence: "Its members stay users; invitations into it keep their other teams."}
			if err := confirm(cmd, yes, d); err != nil {
				return err
			}
			if err := c.DeleteTeam(cmd.Context(), team.ID); err != nil {
				return apiError(err)
			}
			return o.deleted(d)
		},
	}
	addYesFlag(deleteCmd, &yes)

	addMember := &cobra.Command{
		Use:   "add-member TEAM USER... [--space SPACE]",
		Short: "Make users members of a team",
		Long:  "Make users members of a team; users already members stay. Users are named by ID or username.",
		Example: `  octoinvite team add-member Developers jane --space Default
  octoinvite team add-member Teams-1 Users-2 Users-3`,
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.changeMembers(cmd, spaceArg, args, (*client.Client).AddTeamMembers)
		},
	}
	removeMember := &cobra.Command{
		Use:   "remove-member TEAM USER... [--space SPACE]",
		Short: "Take users out of a team",
		Long: `Take users out of a team; users not members are passed over. The last active administrator
cannot leave the team Octopus Administrators.`,
		Example: `  octoinvite team remove-member Developers jane --space Default
  octoinvite team remove-member Teams-1 Users-2 Users-3`,
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.changeMembers(cmd, spaceArg, args, (*client.Client).RemoveTeamMembers)
		},
	}

	cmd.AddCommand(create, list, get, update, deleteCmd, addMember, removeMember)
	return cmd
}

// changeMembers runs add-member or remove-member: args are the team and the users, and change
// the client's call that adds or removes them.
func (o *apiOptions) changeMembers(cmd *cobra.Command, spaceArg string, args []string,
	change func(*client.Client, context.Context, string, ...string) (*octoinvite.Team, error)) error {
	c, team, err := clientAnd(cmd, o, args[0], teamIn(spaceArg))
	if err != nil {
		return err
	}
	userIDs, err := resolver{cmd.Context(), c}.userIDs(args[1:])
	if err != nil {
		return err
	}
	if team, err = change(c, cmd.Context(), team.ID, userIDs...); err != nil {
		return apiError(err)
	}
	return o.printTeam(cmd, c, team)
}

// printTeam prints a team, its members by username when the caller may read users: with
// --output json, the team as the server sends it.
func (o *apiOptions) printTeam(cmd *cobra.Command, c *client.Client, team *octoinvite.Team) error {
	var err error
	if o.Output == outputJSON {
		if team, err = c.FindTeamByID(cmd.Context(), team.ID); err != nil {
			return apiError(err)
		}
		return o.printJSON(o.last.body)
	}
	var members []*octoinvite.User
	if o.Output == outputText || o.Output == outputTable {
		members = membersOf(cmd, c, team)
	}
	return o.print(team.Name, func(w io.Writer) { printTeam(w, team, members) })
}

// membersOf returns the team's members, when the caller may read them; nil otherwise, so that
// the members are shown by ID.
func membersOf(cmd *cobra.Command, c *client.Client, team *octoinvite.Team) []*octoinvite.User {
	if len(team.MemberUserIDs) == 0 {
		return nil
	}
	var users []*octoinvite.User
	for u, err := range c.AllUsers(cmd.Context(), octoinvite.UserFilter{IDs: team.MemberUserIDs}) {
		if err != nil {
			return nil
		}
		users = append(users, u)
	}
	return users
}

// printTeam writes a team's fields; its members by username and ID when members holds them,
// else by ID.
func printTeam(w io.Writer, team *octoinvite.Team, members []*octoinvite.User) {
	names := map[string]string{}
	for _, u := range members {
		names[strings.ToLower(u.ID)] = u.Username
	}
	shown := make([]string, 0, len(team.MemberUserIDs))
	for _, id := range team.MemberUserIDs {
		if name, ok := names[strings.ToLower(id)]; ok {
			shown = append(shown, name+" ("+id+")")
		} else {
			shown = append(shown, id)
		}
	}
	fields(w,
		[2]string{"Team", team.ID},
		[2]string{"Name", team.Name},
		[2]string{"Space", spaceOf(team.SpaceID)},
		[2]string{"Description", orNone(team.Description)},
		[2]string{"Members", orNone(strings.Join(shown, ", "))},
	)
}
