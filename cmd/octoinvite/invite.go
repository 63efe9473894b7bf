package main

import (
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/octoinvite/octoinvite"
	"github.com/octoinvite/octoinvite/client"
)

func newInviteCommand(stdout io.Writer, getenv func(string) string) *cobra.Command {
	o := newAPIOptions(stdout, getenv)
	var spaceID string
	var teams []string
	cmd := &cobra.Command{
		Use:   "invite [--space ID] [--team ID ...]",
		Short: "Invite someone to register, into teams",
		Long: `Create an invitation and print its code, when it expires (in local time) and the link the
invitee opens in a browser to register. Whoever registers with the code joins the teams.

With --space the invitation belongs to that space and may name its teams and the system teams
(teams-everyone, teams-administrators); without it, only system teams.`,
		Example: `  export OCTOPUS_URL=https://octopus.example.com OCTOPUS_API_KEY=API-...
  octoinvite invite --space Spaces-1 --team Teams-1 --team Teams-2
  octoinvite invite --team teams-administrators --output json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := o.client(cmd)
			if err != nil {
				return err
			}
			inv := &octoinvite.Invitation{AddToTeamIDs: append([]string{}, teams...)}
			if spaceID != "" {
				inv.SpaceID = &spaceID
			}
			if err := c.CreateInvitation(cmd.Context(), inv); err != nil {
				return apiError(err)
			}
			return o.print(func(w io.Writer) { printInvitation(w, c, inv, location(getenv)) })
		},
	}
	o.addFlags(cmd)
	cmd.Flags().StringVar(&spaceID, "space", "", "the space of the invitation and its teams, such as Spaces-1")
	cmd.Flags().StringSliceVar(&teams, "team", nil, "a team the invitee joins; repeat the flag, or separate IDs with commas")
	return cmd
}

func newInvitationCommand(stdout io.Writer, getenv func(string) string) *cobra.Command {
	o := newAPIOptions(stdout, getenv)
	cmd := group(&cobra.Command{
		Use:   "invitation",
		Short: "Read invitations",
		Example: `  octoinvite invitation get Invitations-1
  octoinvite invitation get Invitations-2 --space Spaces-2 --output json`,
	})
	o.addFlags(cmd)

	var spaceID string
	get := &cobra.Command{
		Use:   "get ID [--space ID]",
		Short: "Show an invitation, its code and its link",
		Long: `Show an invitation: its code, when it expires (in local time), its teams and the link the invitee
opens. With --space the invitation is looked up in that space, and one of another space is not found.`,
		Example: `  octoinvite invitation get Invitations-1
  octoinvite invitation get Invitations-2 --space Spaces-2 --output json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := o.client(cmd)
			if err != nil {
				return err
			}
			var inv *octoinvite.Invitation
			if spaceID != "" {
				inv, err = c.FindInvitationInSpace(cmd.Context(), spaceID, args[0])
			} else {
				inv, err = c.FindInvitationByID(cmd.Context(), args[0])
			}
			if err != nil {
				return apiError(err)
			}
			return o.print(func(w io.Writer) { printInvitation(w, c, inv, location(getenv)) })
		},
	}
	get.Flags().StringVar(&spaceID, "space", "", "the space the invitation belongs to, such as Spaces-1")
	cmd.AddCommand(get)
	return cmd
}

// RegisterPath is the page of the web app where an invitee registers with a code.
const RegisterPath = "/app/register"

// registerLink returns the link an invitee opens to register with the invitation's code.
func registerLink(c *client.Client, code string) string {
	return c.BaseURL() + RegisterPath + "?invitation=" + url.QueryEscape(code)
}

func printInvitation(w io.Writer, c *client.Client, inv *octoinvite.Invitation, loc *time.Location) {
	fields(w,
		[2]string{"Invitation", inv.ID},
		[2]string{"Code", inv.InvitationCode},
		[2]string{"Expires", inv.Expires.In(loc).Format("2006-01-02 15:04:05 MST")},
		[2]string{"Space", spaceOf(inv.SpaceID)},
		[2]string{"Teams", orNone(strings.Join(inv.AddToTeamIDs, ", "))},
		[2]string{"Created by", inv.LastModifiedBy},
		[2]string{"Link", registerLink(c, inv.InvitationCode)},
	)
}

// location returns the time zone named by TZ, as Go's own time.Local reads it, so that tests can
// set it through the environment they pass; time.Local when TZ is unset or unknown.
func location(getenv func(string) string) *time.Location {
	if tz := getenv("TZ"); tz != "" {
		if loc, err := time.LoadLocation(tz); err == nil {
			return loc
		}
	}
	return time.Local
}
