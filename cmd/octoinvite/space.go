package main

import (
	"io"

	"github.com/spf13/cobra"

	"github.com/octoinvite/octoinvite"
)

func newSpaceCommand(stdout io.Writer, getenv func(string) string) *cobra.Command {
	o := newAPIOptions(stdout, getenv)
	cmd := group(&cobra.Command{
		Use:   "space",
		Short: "Create and list spaces",
		Example: `  octoinvite space create Operations
  octoinvite space list`,
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
			return o.print(func(w io.Writer) {
				fields(w,
					[2]string{"Space", space.ID},
					[2]string{"Name", space.Name},
					[2]string{"Slug", space.Slug},
					[2]string{"Description", orNone(space.Description)},
				)
			})
		},
	}
	create.Flags().StringVar(&description, "description", "", "what the space is for")

	var partialName string
	list := &cobra.Command{
		Use:   "list",
		Short: "List spaces",
		Long:  "List every space, in the order they were created; the default space is marked.",
		Example: `  octoinvite space list
  octoinvite space list --name ops --output json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := o.client(cmd)
			if err != nil {
				return err
			}
			col, err := c.ListSpaces(cmd.Context(), octoinvite.SpaceFilter{PartialName: partialName, Range: octoinvite.Range{Take: octoinvite.MaxTake}})
			if err != nil {
				return apiError(err)
			}
			return o.print(func(w io.Writer) {
				rows := [][]string{}
				for _, s := range col.Items {
					def := ""
					if s.IsDefault {
						def = "yes"
					}
					rows = append(rows, []string{s.ID, s.Name, s.Slug, def})
				}
				table(w, []string{"ID", "NAME", "SLUG", "DEFAULT"}, rows)
			})
		},
	}
	list.Flags().StringVar(&partialName, "name", "", "list only spaces whose name contains this text")

	cmd.AddCommand(create, list)
	return cmd
}
