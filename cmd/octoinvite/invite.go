package main

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/octoinvite/octoinvite"
	"github.com/octoinvite/octoinvite/client"
)

func newInviteCommand(stdout io.Writer, getenv func(string) string) *cobra.Command {
	o := newAPIOptions(stdout, getenv)
	var spaceArg string
	var teams []string
	var expiresIn time.Duration
	var maxUses int
	var emails []string
	cmd := &cobra.Command{
		Use:   "invite [--space SPACE] [--team TEAM ...] [--email ADDRESS ...] [--expires-in DURATION] [--max-uses N]",
		Short: "Invite someone to register, into teams",
		Long: `Create an invitation and print its code, when it expires (in local time) and the link the
invitee opens in a browser to register. Whoever registers with the code joins the teams.

With --space the invitation belongs to that space and may name its teams and the system teams
(Everyone, Octopus Administrators); without it, the teams of the default space and the system
teams, as Octopus's routes without a space do. Spaces and teams are named by ID or by name. An invitation without --team is created, as the API allows,
with a warning: whoever registers with it joins no team.

The code lasts the server's default lifetime (48 hours unless configured) unless --expires-in
asks for another, up to the server's maximum. With --max-uses, several people can register
with the same code, such as a link shared with a whole team; the last use closes it.

With --email the server emails the invitation to the address (it must be configured with
--smtp-url), and whoever registers with it registers that address. Each --email creates an
invitation of its own, to the same teams: the command prints a table of them, and says which
addresses were refused and why (it then exits with 1). "invitation get" shows whether each
email was sent.`,
		Example: `  export OCTOPUS_URL=https://octopus.example.com OCTOPUS_API_KEY=API-...
  octoinvite invite --space Default --team Developers --team Testers
  octoinvite invite --space Spaces-1 --team Teams-1 --expires-in 168h --max-uses 10
  octoinvite invite --team "Octopus Administrators" --output json
  octoinvite invite --space Default --team Developers --email jane@example.com --email joe@example.com`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			expires, err := expiryOf(cmd, expiresIn)
			if err != nil {
				return err
			}
			if cmd.Flags().Changed("max-uses") && maxUses < 1 {
				return usagef("invalid --max-uses %d: it must be at least 1", maxUses)
			}
			c, err := o.client(cmd)
			if err != nil {
				return err
			}
			r := resolver{cmd.Context(), c}
			spaceID, err := r.spaceID(spaceArg)
			if err != nil {
				return err
			}
			teamSpace := spaceID
			if teamSpace == "" && len(teams) > 0 {
				// Without a space the server invites into the default space, as Octopus does, so
				// team names are looked for there.
				if def, err := c.FindDefaultSpace(cmd.Context()); err == nil {
					teamSpace = def.ID
				} else if !errors.Is(err, client.ErrNotFound) {
					return apiError(err)
				}
			}
			teamIDs, err := r.teamIDs(teamSpace, teams)
			if err != nil {
				return err
			}
			inv := &octoinvite.Invitation{AddToTeamIDs: teamIDs, MaxUses: maxUses, Expires: octoinvite.NewTime(expires)}
			if spaceID != "" {
				inv.SpaceID = &spaceID
			}
			if len(emails) > 1 {
				return inviteMany(cmd, o, c, inv, emails, location(getenv))
			}
			if len(emails) == 1 {
				inv.EmailAddress = emails[0]
			}
			if err := c.CreateInvitation(cmd.Context(), inv); err != nil {
				return apiError(err)
			}
			if len(inv.AddToTeamIDs) == 0 {
				note(cmd, "warning: %s adds its users to no team: whoever registers with it joins none but Everyone (name teams with --team)", inv.ID)
			}
			return o.print(inv.ID, func(w io.Writer) { printInvitation(cmd.Context(), w, c, inv, location(getenv)) })
		},
	}
	o.addFlags(cmd)
	cmd.Flags().StringVar(&spaceArg, "space", "", "the space of the invitation and its teams, by ID or name, such as Default")
	cmd.Flags().StringSliceVar(&teams, "team", nil, "a team the invitee joins, by ID or name; repeat the flag, or separate them with commas")
	addExpiresInFlag(cmd, &expiresIn)
	cmd.Flags().IntVar(&maxUses, "max-uses", 0, "how many people may register with the code; default 1")
	cmd.Flags().StringArrayVar(&emails, "email", nil, "email the invitation to this address; repeat the flag to invite several people, one invitation each")
	return cmd
}

// inviteMany creates one invitation like template for each address, in order, and prints them:
// a table, or with --output json an array of the resources as the server sent them. Addresses
// refused are reported on standard error, and make the command fail once the others are made.
func inviteMany(cmd *cobra.Command, o *apiOptions, c *client.Client, template *octoinvite.Invitation, addresses []string, loc *time.Location) error {
	var created []*octoinvite.Invitation
	var bodies [][]byte
	var refused []string
	for _, address := range addresses {
		inv := *template
		inv.AddToTeamIDs = append([]string{}, template.AddToTeamIDs...)
		inv.EmailAddress = address
		if err := c.CreateInvitation(cmd.Context(), &inv); err != nil {
			note(cmd, "%s: %s", printable(address), apiError(err))
			refused = append(refused, address)
			continue
		}
		created = append(created, &inv)
		bodies = append(bodies, append([]byte{}, o.last.body...))
	}
	if len(created) > 0 && len(template.AddToTeamIDs) == 0 {
		note(cmd, "warning: these invitations add their users to no team: whoever registers with them joins none but Everyone (name teams with --team)")
	}
	var err error
	switch o.Output {
	case outputJSON:
		err = o.printJSON(append(append([]byte("["), bytes.Join(bodies, []byte(","))...), ']'))
	case outputBasic:
		var buf bytes.Buffer
		for _, inv := range created {
			fmt.Fprintln(&buf, inv.ID)
		}
		_, err = o.stdout.Write(buf.Bytes())
	default:
		rows := [][]string{}
		for _, inv := range created {
			rows = append(rows, []string{inv.ID, inv.EmailAddress, deliveryState(inv.Delivery), inv.Expires.In(loc).Format("2006-01-02 15:04 MST")})
		}
		var buf bytes.Buffer
		table(&buf, []string{"ID", "EMAIL", "DELIVERY", "EXPIRES"}, rows)
		_, err = o.stdout.Write(buf.Bytes())
	}
	if err != nil {
		return err
	}
	if len(refused) > 0 {
		return fmt.Errorf("%d of %d invitations created; refused: %s", len(created), len(addresses), printable(strings.Join(refused, ", ")))
	}
	return nil
}

// deliveryState is the state of an invitation's email, "-" for none.
func deliveryState(d *octoinvite.Delivery) string {
	if d == nil {
		return "-"
	}
	return d.State
}

// deliveryOf says where an invitation's email stands, for a person: "Sent 2026-11-26 10:00:01
// CET", "Queued (attempt 2 failed: 421 busy; next 2026-11-26 10:02:00 CET)", "Failed after 3
// attempts: 550 no such user".
func deliveryOf(d *octoinvite.Delivery, loc *time.Location) string {
	switch {
	case d.State == octoinvite.DeliverySent && d.SentOn != nil:
		return "Sent " + d.SentOn.In(loc).Format(timeLayout)
	case d.State == octoinvite.DeliveryQueued && d.LastError != "":
		s := fmt.Sprintf("Queued (attempt %d failed: %s", d.Attempts, d.LastError)
		if d.NextAttemptOn != nil {
			s += "; next " + d.NextAttemptOn.In(loc).Format(timeLayout)
		}
		return s + ")"
	case d.State == octoinvite.DeliveryFailed:
		return fmt.Sprintf("Failed after %d attempts: %s", d.Attempts, d.LastError)
	case d.State == octoinvite.DeliveryCancelled:
		return "Cancelled: " + d.LastError
	}
	return d.State
}

func newInvitationCommand(stdout io.Writer, getenv func(string) string) *cobra.Command {
	o := newAPIOptions(stdout, getenv)
	cmd := group(&cobra.Command{
		Use:   "invitation",
		Short: "Read, list, revoke, regenerate and resend invitations",
		Example: `  octoinvite invitation list --state Pending
  octoinvite invitation get Invitations-1
  octoinvite invitation revoke Invitations-1
  octoinvite invitation regenerate Invitations-2
  octoinvite invitation resend Invitations-3`,
	})
	o.addFlags(cmd)

	var spaceArg string
	get := &cobra.Command{
		Use:   "get ID [--space SPACE]",
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
			spaceID, err := resolver{cmd.Context(), c}.spaceID(spaceArg)
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
			return o.print(inv.ID, func(w io.Writer) { printInvitation(cmd.Context(), w, c, inv, location(getenv)) })
		},
	}
	get.Flags().StringVar(&spaceArg, "space", "", "the space the invitation belongs to, by ID or name, such as Default")

	var listSpace string
	var states, listTeams []string
	list := &cobra.Command{
		Use:   "list [--space SPACE] [--state STATE ...] [--team TEAM ...]",
		Short: "List invitations, newest first",
		Long: `List invitations, newest first: with --space those of that space, otherwise every one. --state
keeps those in the given states (Pending, Redeemed, Expired, Revoked), --team those that add
users to one of the given teams (by ID or name). Expiry times are in local time. With --take or
--skip, one page of them.`,
		Example: `  octoinvite invitation list
  octoinvite invitation list --state Pending --space Default
  octoinvite invitation list --state Expired,Revoked --team Developers --output json`,
		Args: cobra.NoArgs,
	}
	page := addPageFlags(list, "invitations")
	list.RunE = func(cmd *cobra.Command, _ []string) error {
		c, err := o.client(cmd)
		if err != nil {
			return err
		}
		r := resolver{cmd.Context(), c}
		spaceID, err := r.spaceID(listSpace)
		if err != nil {
			return err
		}
		filter := octoinvite.InvitationFilter{States: states}
		if spaceID != "" {
			filter.SpaceID = &spaceID
		}
		if len(listTeams) > 0 {
			if filter.TeamIDs, err = r.teamIDs(spaceID, listTeams); err != nil {
				return err
			}
		}
		loc := location(getenv)
		teams := &teamNames{ctx: cmd.Context(), c: c, spaceID: spaceID}
		return printList(cmd, o, page, func(r octoinvite.Range) (*client.Collection[*octoinvite.Invitation], error) {
			filter.Range = r
			return c.ListInvitations(cmd.Context(), filter)
		}, func() iter.Seq2[*octoinvite.Invitation, error] {
			return c.AllInvitations(cmd.Context(), filter)
		}, columns[*octoinvite.Invitation]{
			header: []string{"ID", "STATE", "USES", "EXPIRES", "SPACE", "TEAMS"},
			// Invitations sent by email show to whom, and where the email stands.
			extra: func(items []*octoinvite.Invitation) ([]string, func(*octoinvite.Invitation) []string) {
				if !slices.ContainsFunc(items, func(inv *octoinvite.Invitation) bool { return inv.EmailAddress != "" }) {
					return nil, nil
				}
				return []string{"EMAIL", "DELIVERY"}, func(inv *octoinvite.Invitation) []string {
					return []string{orNone(inv.EmailAddress), deliveryState(inv.Delivery)}
				}
			},
			row: func(inv *octoinvite.Invitation) []string {
				return []string{inv.ID, inv.State, usesOf(inv), inv.Expires.In(loc).Format("2006-01-02 15:04 MST"),
					spaceOf(inv.SpaceID), orNone(teams.names(inv.AddToTeamIDs))}
			},
			basic: func(inv *octoinvite.Invitation) string { return inv.ID },
		})
	}
	list.Flags().StringVar(&listSpace, "space", "", "list the invitations of this space, by ID or name, such as Default")
	list.Flags().StringSliceVar(&states, "state", nil, "list only invitations in this state; repeat the flag, or separate states with commas")
	list.Flags().StringSliceVar(&listTeams, "team", nil, "list only invitations into this team, by ID or name; repeat the flag, or separate them with commas")

	revoke := &cobra.Command{
		Use:   "revoke ID",
		Short: "Withdraw an invitation, so that its code no longer works",
		Long: `Withdraw an invitation: its code stops working at once, and the invitee's page says the invitation
was withdrawn. Revoking a revoked invitation changes nothing, and says when and by whom it was
revoked; a used-up one cannot be revoked.`,
		Example: `  octoinvite invitation revoke Invitations-1`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := o.client(cmd)
			if err != nil {
				return err
			}
			inv, revoked, err := c.RevokeInvitation(cmd.Context(), args[0], "")
			if err != nil {
				return apiError(err)
			}
			if !revoked {
				note(cmd, "%s was already revoked on %s: nothing changed", inv.ID, whenBy(inv.RevokedOn, inv.RevokedBy, location(getenv)))
			}
			return o.print(inv.ID, func(w io.Writer) { printInvitation(cmd.Context(), w, c, inv, location(getenv)) })
		},
	}
	var regenerateExpiresIn time.Duration
	regenerate := &cobra.Command{
		Use:   "regenerate ID [--expires-in DURATION]",
		Short: "Give an invitation a new code and a new expiry",
		Long: `Give a pending or expired invitation a new code, valid for the server's default lifetime from now
unless --expires-in asks for another (up to the server's maximum), and print it with its new link.
The old code stops working at once. Uses already made still count. A revoked or used-up
invitation cannot be regenerated: create a new one.`,
		Example: `  octoinvite invitation regenerate Invitations-2
  octoinvite invitation regenerate Invitations-2 --expires-in 168h`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			expires, err := expiryOf(cmd, regenerateExpiresIn)
			if err != nil {
				return err
			}
			c, err := o.client(cmd)
			if err != nil {
				return err
			}
			inv, err := c.RegenerateInvitation(cmd.Context(), args[0], "", expires)
			if err != nil {
				return apiError(err)
			}
			return o.print(inv.ID, func(w io.Writer) { printInvitation(cmd.Context(), w, c, inv, location(getenv)) })
		},
	}
	addExpiresInFlag(regenerate, &regenerateExpiresIn)
	resend := &cobra.Command{
		Use:   "resend ID",
		Short: "Email an invitation again",
		Long: `Email a pending invitation again to the address it was sent to, with the same code and link, as
a new message. It can be asked for once a minute per invitation. An expired invitation is
regenerated instead ("invitation regenerate"), which emails the new code.`,
		Example: `  octoinvite invitation resend Invitations-3`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := o.client(cmd)
			if err != nil {
				return err
			}
			inv, err := c.ResendInvitation(cmd.Context(), args[0], "")
			if err != nil {
				return apiError(err)
			}
			return o.print(inv.ID, func(w io.Writer) { printInvitation(cmd.Context(), w, c, inv, location(getenv)) })
		},
	}
	cmd.AddCommand(get, list, revoke, regenerate, resend)
	return cmd
}

// addExpiresInFlag adds --expires-in, read by expiryOf, to cmd.
func addExpiresInFlag(cmd *cobra.Command, d *time.Duration) {
	cmd.Flags().DurationVar(d, "expires-in", 0, "how long the code lasts, such as 72h; default: the server's lifetime")
}

// expiryOf returns the expiry that --expires-in asks for, counted from now on this machine's
// clock; the zero time, which asks for the server's default lifetime, without the flag.
func expiryOf(cmd *cobra.Command, expiresIn time.Duration) (time.Time, error) {
	if !cmd.Flags().Changed("expires-in") {
		return time.Time{}, nil
	} else if expiresIn <= 0 {
		return time.Time{}, usagef("invalid --expires-in %s: it must be positive, such as 72h", expiresIn)
	}
	return time.Now().Add(expiresIn), nil
}

// usesOf reads "1/3" for an invitation used once of three times.
func usesOf(inv *octoinvite.Invitation) string {
	return strconv.Itoa(inv.Uses) + "/" + strconv.Itoa(inv.MaxUses)
}

// registerLink returns the link an invitee opens to register with the invitation's code: the
// server's own (its Register link, built on its public address), or, from a server too old to
// send one, the link built on the address the CLI reached it at.
func registerLink(c *client.Client, inv *octoinvite.Invitation) string {
	return cmp.Or(inv.Links["Register"], octoinvite.InvitationLink(c.BaseURL(), inv.InvitationCode))
}

// printInvitation writes an invitation's fields, its teams by name and ID. Its code and link are
// shown while it can be redeemed; a revoked or redeemed invitation shows by whom and when instead.
func printInvitation(ctx context.Context, w io.Writer, c *client.Client, inv *octoinvite.Invitation, loc *time.Location) {
	teams := &teamNames{ctx: ctx, c: c}
	if inv.SpaceID != nil {
		teams.spaceID = *inv.SpaceID
	}
	pairs := [][2]string{{"Invitation", inv.ID}}
	if inv.State == octoinvite.StatePending {
		pairs = append(pairs, [2]string{"Code", inv.InvitationCode})
	}
	pairs = append(pairs,
		[2]string{"Expires", inv.Expires.In(loc).Format(timeLayout)},
		[2]string{"State", inv.State},
		[2]string{"Uses", usesOf(inv)},
	)
	if inv.RevokedOn != nil {
		pairs = append(pairs, [2]string{"Revoked", whenBy(inv.RevokedOn, inv.RevokedBy, loc)})
	}
	if inv.RedeemedOn != nil {
		label := "Redeemed"
		if inv.MaxUses > 1 {
			label = "Last redeemed"
		}
		pairs = append(pairs, [2]string{label, whenBy(inv.RedeemedOn, inv.RedeemedBy, loc)})
	}
	if inv.EmailAddress != "" {
		pairs = append(pairs, [2]string{"Email", inv.EmailAddress})
	}
	if inv.Delivery != nil {
		pairs = append(pairs, [2]string{"Delivery", deliveryOf(inv.Delivery, loc)})
	}
	pairs = append(pairs,
		[2]string{"Space", spaceOf(inv.SpaceID)},
		[2]string{"Teams", orNone(teams.withIDs(inv.AddToTeamIDs))},
		[2]string{"Changed", whenBy(&inv.LastModifiedOn, &inv.LastModifiedBy, loc)},
	)
	if inv.State == octoinvite.StatePending {
		pairs = append(pairs, [2]string{"Link", registerLink(c, inv)})
	}
	fields(w, pairs...)
}

// teamNames names teams for the text output, with one request for every team of the space and
// the system teams (every team when spaceID is empty), made when the first name is needed. A team
// it cannot name, as for a caller without the TeamView permission, is shown by its ID.
type teamNames struct {
	ctx     context.Context
	c       *client.Client
	spaceID string
	byID    map[string]string
}

// name returns the name of the team, or "" if it has none to show.
func (n *teamNames) name(id string) string {
	if n.byID == nil {
		n.byID = map[string]string{}
		if teams, err := n.c.GetAllTeams(n.ctx, n.spaceID); err == nil {
			for _, t := range teams {
				n.byID[t.ID] = t.Name
			}
		}
	}
	return n.byID[id]
}

// names reads "Developers, Everyone": each team's name, or its ID.
func (n *teamNames) names(ids []string) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = cmp.Or(n.name(id), id)
	}
	return strings.Join(out, ", ")
}

// withIDs reads "Developers (Teams-1), Everyone (teams-everyone)": each team's name and ID, or
// its ID alone.
func (n *teamNames) withIDs(ids []string) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id
		if name := n.name(id); name != "" {
			out[i] = name + " (" + id + ")"
		}
	}
	return strings.Join(out, ", ")
}

// whenBy reads "2026-11-28 19:00:00 JST by admin": the time, in loc, and who.
func whenBy(on *octoinvite.Time, by *string, loc *time.Location) string {
	s := "(unknown)"
	if on != nil {
		s = on.In(loc).Format(timeLayout)
	}
	if by != nil {
		s += " by " + *by
	}
	return s
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
