package main

import (
	"io"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/octoinvite/octoinvite"
	"github.com/octoinvite/octoinvite/client"
)

func newTeamCommand(stdout io.Writer, getenv func(string) string) *cobra.Command {
	o := newAPIOptions(stdout, getenv)
	cmd := group(&cobra.Command{
		Use:   "team",
		Short: "Create and list teams",
		Example: `  octoinvite team create Developers --space Spaces-1
  octoinvite team list --space Spaces-1`,
	})
	o.addFlags(cmd)

	var spaceID, description string
	create := &cobra.Command{
		Use:   "create NAME [--space ID]",
		Short: "Create a team",
		Long:  "Create a team in a space, or, without --space, a system team that belongs to no space.",
		Example: `  octoinvite team create Developers --space Spaces-1
  octoinvite team create "Release managers" --space Spaces-2 --description "Approve releases" --output json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := o.client(cmd)
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
			return o.print(func(w io.Writer) {
				fields(w,
					[2]string{"Team", team.ID},
					[2]string{"Name", team.Name},
					[2]string{"Space", spaceOf(team.SpaceID)},
					[2]string{"Description", orNone(team.Description)},
				)
			})
		},
	}
	create.Flags().StringVar(&spaceID, "space", "", "the space of the team, such as Spaces-1")
	create.Flags().StringVar(&description, "description", "", "what the team is for")

	var listSpace, partialName string
	var noSystem bool
	list := &cobra.Command{
		Use:   "list [--space ID]",
		Short: "List teams",
		Long: `List every team, system teams first: with --space the teams of that space, otherwise the teams of
every space. System teams are listed too unless --no-system is given.`,
		Example: `  octoinvite team list
  octoinvite team list --space Spaces-1 --name dev --output json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := o.client(cmd)
			if err != nil {
				return err
			}
			filter := octoinvite.TeamFilter{PartialName: partialName, IncludeSystem: !noSystem, Range: octoinvite.Range{Take: octoinvite.MaxTake}}
			var col *client.Collection[*octoinvite.Team]
			if listSpace != "" {
				col, err = c.ListTeamsInSpace(cmd.Context(), listSpace, filter)
			} else {
				col, err = c.ListTeams(cmd.Context(), filter)
			}
			if err != nil {
				return apiError(err)
			}
			return o.print(func(w io.Writer) {
				rows := [][]string{}
				for _, t := range col.Items {
					rows = append(rows, []string{t.ID, t.Name, spaceOf(t.SpaceID), strconv.Itoa(len(t.MemberUserIDs))})
				}
				table(w, []string{"ID", "NAME", "SPACE", "MEMBERS"}, rows)
			})
		},
	}
	list.Flags().StringVar(&listSpace, "space", "", "list the teams of this space, such as Spaces-1")
	list.Flags().StringVar(&partialName, "name", "", "list only teams whose name contains this text")
	list.Flags().BoolVar(&noSystem, "no-system", false, "leave out the system teams")

	cmd.AddCommand(create, list)
	return cmd
}
