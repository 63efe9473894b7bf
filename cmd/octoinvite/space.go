package main

import (
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
			c, err := o.client(cmd)
			if err != nil {
				return err
			}
			space, err := resolver{cmd.Context(), c}.space(args[0])
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

	cmd.AddCommand(create, list, get)
	return cmd
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
