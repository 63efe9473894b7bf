package main

import (
	"fmt"
	"io"
	"iter"

	"github.com/spf13/cobra"

	"github.com/octoinvite/octoinvite"
	"github.com/octoinvite/octoinvite/client"
)

func newSpaceCommand(stdout io.Writer, getenv func(string) string) *cobra.Command {
	o := newAPIOptions(stdout, getenv)
	cmd := group(&cobra.Command{
		Use:   "space",
		Short: "Create, list, show, change and delete spaces",
		Long: `Create, list, show, change and delete spaces. A space is named by its ID (Spaces-2) or its name
(Operations), as in Octopus's CLI.`,
		Example: `  octoinvite space create Operations
  octoinvite space list
  octoinvite space get Operations`,
	})
	o.addFlags(cmd)

	var description string
	create := &cobra.Command{
		Use:   "create NAME",
		Short: "Create a space",
		Long:  "Create a space. Its slug is made from its name; the administrators team manages it.",
		Example: `  octoinvite space create Operations
  octoinvite space create "Customer support" --description "Tickets and on-call" --output json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := o.client(cmd)
			if err != nil {
				return err
			}
			space := &octoinvite.Space{Name: args[0], Description: description}
			if err := c.CreateSpace(cmd.Context(), space); err != nil {
				return apiError(err)
			}
			return o.print(space.Name, func(w io.Writer) { printSpace(w, space) })
		},
	}
	create.Flags().StringVar(&description, "description", "", "what the space is for")

	var partialName string
	list := &cobra.Command{
		Use:   "list [--name TEXT] [--take N] [--skip N]",
		Short: "List spaces",
		Long: `List every space, in the order they were created; the default space is marked. With --take or
--skip, one page of them.`,
		Example: `  octoinvite space list
  octoinvite space list --name ops --output json
  octoinvite space list --output basic   # their names, one a line`,
		Args: cobra.NoArgs,
	}
	page := addPageFlags(list, "spaces")
	list.RunE = func(cmd *cobra.Command, _ []string) error {
		c, err := o.client(cmd)
		if err != nil {
			return err
		}
		filter := octoinvite.SpaceFilter{PartialName: partialName}
		return printList(cmd, o, page, func(r octoinvite.Range) (*client.Collection[*octoinvite.Space], error) {
			filter.Range = r
			return c.ListSpaces(cmd.Context(), filter)
		}, func() iter.Seq2[*octoinvite.Space, error] {
			return c.AllSpaces(cmd.Context(), filter)
		}, columns[*octoinvite.Space]{
			header: []string{"ID", "NAME", "SLUG", "DEFAULT"},
			row: func(s *octoinvite.Space) []string {
				def := ""
				if s.IsDefault {
					def = "yes"
				}
				return []string{s.ID, s.Name, s.Slug, def}
			},
			basic: func(s *octoinvite.Space) string { return s.Name },
		})
	}
	list.Flags().StringVar(&partialName, "name", "", "list only spaces whose name contains this text")

	get := &cobra.Command{
		Use:   "get SPACE",
		Short: "Show a space",
		Long:  "Show a space, named by its ID or its name.",
		Example: `  octoinvite space get Default
  octoinvite space get Spaces-2 --output json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, space, err := clientAnd(cmd, o, args[0], resolver.space)
			if err == nil && o.Output == outputJSON {
				// The space as the server sends it, whichever request found it.
				space, err = c.FindSpaceByID(cmd.Context(), space.ID)
			}
			if err != nil {
				return apiError(err)
			}
			return o.print(space.Name, func(w io.Writer) { printSpace(w, space) })
		},
	}

	var update spaceChanges
	updateCmd := &cobra.Command{
		Use:   "update SPACE [--name NAME] [--description TEXT] [--default] [--task-queue running|stopped] [--manager-team TEAM ...]",
		Short: "Change a space",
		Long: `Change a space's name, description, managers, whether it is the default space and whether its task
queue runs. What no flag names stays as it is. --manager-team replaces the teams that manage the
space: name each by ID or name, among the space's teams and the system teams.`,
		Example: `  octoinvite space update Operations --description "Runs production"
  octoinvite space update Operations --name Production --default
  octoinvite space update Production --manager-team "Octopus Administrators" --manager-team Leads`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !update.any(cmd) {
				return usagef("nothing to change: give --name, --description, --default, --task-queue or --manager-team")
			}
			if err := update.check(); err != nil {
				return err
			}
			c, err := o.client(cmd)
			if err != nil {
				return err
			}
			r := resolver{cmd.Context(), c}
			space, err := r.space(args[0])
			if err != nil {
				return err
			}
			if err := update.apply(cmd, r, space); err != nil {
				return err
			}
			if err := c.UpdateSpace(cmd.Context(), space); err != nil {
				return apiError(err)
			}
			return o.print(space.Name, func(w io.Writer) { printSpace(w, space) })
		},
	}
	update.addFlags(updateCmd)

	var yes bool
	deleteCmd := &cobra.Command{
		Use:   "delete SPACE [--yes]",
		Short: "Delete a space, with its teams and invitations",
		Long: `Delete a space, with its teams and its invitations: nobody can register with them any more. As
Octopus's CLI does, it stops the space's task queue first (Octopus deletes only a space whose
queue is stopped). It asks you to type the space's name to confirm, unless --yes is given;
where standard input is not a terminal, it refuses without --yes. Deleting the default space
leaves the installation without one until another space is made the default (space update
--default).`,
		Example: `  octoinvite space delete Operations
  octoinvite space delete Spaces-2 --yes`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, space, err := clientAnd(cmd, o, args[0], resolver.space)
			if err != nil {
				return err
			}
			d := deletion{kind: "space", name: space.Name, id: space.ID, consequence: "Its teams and invitations are deleted with it."}
			if !yes {
				d.consequence = spaceContents(cmd, c, space.ID)
			}
			if err := confirm(cmd, yes, d); err != nil {
				return err
			}
			if !space.TaskQueueStopped {
				space.TaskQueueStopped = true
				if err := c.UpdateSpace(cmd.Context(), space); err != nil {
					return apiError(err)
				}
			}
			if err := c.DeleteSpace(cmd.Context(), space.ID); err != nil {
				return apiError(err)
			}
			return o.deleted(d)
		},
	}
	addYesFlag(deleteCmd, &yes)

	cmd.AddCommand(create, list, get, updateCmd, deleteCmd)
	return cmd
}

// spaceChanges are the flags of space update.
type spaceChanges struct {
	name, description, taskQueue string
	isDefault                    bool
	managerTeams                 []string
}

func (u *spaceChanges) addFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&u.name, "name", "", "the space's new name")
	f.StringVar(&u.description, "description", "", "what the space is for")
	f.BoolVar(&u.isDefault, "default", false, "make it the default space, where routes without a space act")
	f.StringVar(&u.taskQueue, "task-queue", "", "running, or stopped (as before deleting the space)")
	f.StringSliceVar(&u.managerTeams, "manager-team", nil, "a team that manages the space, by ID or name; repeat the flag, or separate them with commas")
}

// any reports whether a flag asks for a change.
func (u *spaceChanges) any(cmd *cobra.Command) bool {
	for _, name := range []string{"name", "description", "default", "task-queue", "manager-team"} {
		if cmd.Flags().Changed(name) {
			return true
		}
	}
	return false
}

// check refuses values that cannot be right before any request.
func (u *spaceChanges) check() error {
	if u.taskQueue != "" && u.taskQueue != "running" && u.taskQueue != "stopped" {
		return usagef("invalid --task-queue %q: use running or stopped", u.taskQueue)
	}
	return nil
}

// apply makes the changes the flags ask for to space.
func (u *spaceChanges) apply(cmd *cobra.Command, r resolver, space *octoinvite.Space) error {
	f := cmd.Flags()
	if f.Changed("name") {
		space.Name = u.name
	}
	if f.Changed("description") {
		space.Description = u.description
	}
	if f.Changed("default") {
		space.IsDefault = u.isDefault
	}
	if u.taskQueue != "" {
		space.TaskQueueStopped = u.taskQueue == "stopped"
	}
	if f.Changed("manager-team") {
		ids, err := r.teamIDs(space.ID, u.managerTeams)
		if err != nil {
			return err
		}
		space.SpaceManagersTeams = ids
	}
	return nil
}

// spaceContents says what goes with the space when it is deleted, counting its teams and the
// invitations still pending, so that the person confirming knows.
func spaceContents(cmd *cobra.Command, c *client.Client, spaceID string) string {
	teams, err := c.ListTeamsInSpace(cmd.Context(), spaceID, octoinvite.TeamFilter{Range: octoinvite.Range{Take: 1}})
	if err != nil {
		return "Its teams and invitations are deleted with it."
	}
	invitations, err := c.ListInvitations(cmd.Context(), octoinvite.InvitationFilter{SpaceID: &spaceID,
		States: []string{octoinvite.StatePending}, Range: octoinvite.Range{Take: 1}})
	if err != nil {
		return "Its teams and invitations are deleted with it."
	}
	return fmt.Sprintf("Its %s and every invitation (%d pending) are deleted with it.",
		count(teams.TotalResults, "team", "teams"), invitations.TotalResults)
}

// count reads "1 team" or "2 teams".
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// printSpace writes a space's fields.
func printSpace(w io.Writer, space *octoinvite.Space) {
	pairs := [][2]string{
		{"Space", space.ID},
		{"Name", space.Name},
		{"Slug", space.Slug},
		{"Description", orNone(space.Description)},
	}
	if space.IsDefault {
		pairs = append(pairs, [2]string{"Default", "yes"})
	}
	if space.TaskQueueStopped {
		pairs = append(pairs, [2]string{"Task queue", "stopped"})
	}
	fields(w, pairs...)
}
