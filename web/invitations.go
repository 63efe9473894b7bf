package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/octoinvite/octoinvite"
)

// Paths of the administrators' invitation pages.
const (
	invitationsPath = "/app/configuration/users/invitations"
	invitePath      = "/app/configuration/users/invite"
)

// routeConfiguration registers the administrators' pages, under /app/configuration/.
func (h *Handler) routeConfiguration() {
	h.handle("GET /app/configuration/users/invitations", needs(octoinvite.PermissionUserInvite), h.invitations)
	h.handle("GET /app/configuration/users/invitations/{id}", needs(octoinvite.PermissionUserInvite), h.invitation)
	h.handle("GET /app/configuration/users/invitations/{id}/revoke", needs(octoinvite.PermissionUserInvite), h.revokeInvitationForm)
	h.handle("POST /app/configuration/users/invitations/{id}/revoke", needs(octoinvite.PermissionUserInvite), h.revokeInvitation)
	h.handle("GET /app/configuration/users/invitations/{id}/regenerate", needs(octoinvite.PermissionUserInvite), h.regenerateInvitationForm)
	h.handle("POST /app/configuration/users/invitations/{id}/regenerate", needs(octoinvite.PermissionUserInvite), h.regenerateInvitation)
	h.handle("POST /app/configuration/users/invitations/{id}/resend", needs(octoinvite.PermissionUserInvite), h.resendInvitation)
	h.handle("GET /app/configuration/users/invite", needs(octoinvite.PermissionUserInvite), h.inviteForm)
	h.handle("POST /app/configuration/users/invite", needs(octoinvite.PermissionUserInvite), h.invite)
	h.routeManagement()
}

// invitationRow is an invitation as the pages show it: with the names of its space and teams,
// who created it and who used it.
type invitationRow struct {
	Inv       *octoinvite.Invitation
	Space     string
	Teams     []string
	Creator   string
	Redeemers []string
	// Link is the address to send the invitee.
	Link string
}

// Left returns how many more times the invitation can be used.
func (row invitationRow) Left() int { return row.Inv.MaxUses - row.Inv.Uses }

// invitationRows describes the invitations: their space's and teams' names, and, from the
// audit log, who created each and who redeemed it.
func (h *Handler) invitationRows(p *page, invs []*octoinvite.Invitation) ([]invitationRow, error) {
	ctx := p.r.Context()
	rows := make([]invitationRow, len(invs))
	if len(invs) == 0 {
		return rows, nil
	}
	spaces, err := h.spaceNames(p)
	if err != nil {
		return nil, err
	}
	var teamIDs, invIDs []string
	for _, inv := range invs {
		teamIDs = append(teamIDs, inv.AddToTeamIDs...)
		invIDs = append(invIDs, inv.ID)
	}
	teams, err := h.cfg.Teams.FindTeams(ctx, octoinvite.TeamFilter{IDs: teamIDs, IncludeSystem: true, Range: octoinvite.Range{Take: octoinvite.MaxTake}})
	if err != nil {
		return nil, err
	}
	teamNames := map[string]string{}
	for _, t := range teams.Items {
		teamNames[t.ID] = t.Name
	}
	events, err := h.cfg.Events.FindEvents(ctx, octoinvite.EventFilter{Regarding: invIDs, Range: octoinvite.Range{Take: octoinvite.MaxTake}})
	if err != nil {
		return nil, err
	}
	base := h.cfg.Accounts.BaseURL(p.r)
	for i, inv := range invs {
		row := invitationRow{Inv: inv, Space: spaceName(spaces, inv.SpaceID), Link: octoinvite.InvitationLink(base, inv.InvitationCode)}
		for _, id := range inv.AddToTeamIDs {
			row.Teams = append(row.Teams, cmpOr(teamNames[id], id+" (deleted)"))
		}
		// Events come newest first: the creation is last, the redemptions before it.
		for _, e := range events.Items {
			related := e.RelatedDocumentIDs
			switch {
			case len(related) == 0 || related[0] != inv.ID:
			case e.Category == octoinvite.EventCreated:
				row.Creator = e.Username
			case e.Category == octoinvite.EventModified && len(related) == 2 && strings.HasPrefix(related[1], octoinvite.KindUser+"-") && related[1] == e.UserID:
				row.Redeemers = append(row.Redeemers, e.Username)
			}
		}
		slices.Reverse(row.Redeemers)
		rows[i] = row
	}
	return rows, nil
}

// cmpOr returns a, or b when a is empty.
func cmpOr(a, b string) string {
	if a == "" {
		return b
	}
	return a
}

// option is one choice of a select or a set of checkboxes.
type option struct {
	Value, Label string
	Selected     bool
	// Note says more about the choice, such as what joining a team gives.
	Note string
}

// invitationsPage is the data of the list of invitations.
type invitationsPage struct {
	base
	Rows                 []invitationRow
	States, Spaces, Team []option
	Paging               paging
	// Filtered is set when a filter is chosen.
	Filtered bool
}

// pageSize is the number of items on a page of a list.
const pageSize = 20

// paging describes a page of a list and links to its neighbours.
type paging struct {
	From, To, Total int
	Previous, Next  string
}

// newPaging returns the paging of a list of total items from skip, linking to the neighbour
// pages of path with the query q.
func newPaging(path string, q url.Values, skip, shown, total int) paging {
	pg := paging{From: skip + 1, To: skip + shown, Total: total}
	if shown == 0 {
		pg.From = 0
	}
	link := func(skip int) string {
		q := maps(q)
		q.Set("skip", strconv.Itoa(skip))
		if skip == 0 {
			q.Del("skip")
		}
		if s := q.Encode(); s != "" {
			return path + "?" + s
		}
		return path
	}
	if skip > 0 {
		pg.Previous = link(max(skip-pageSize, 0))
	}
	if skip+shown < total {
		pg.Next = link(skip + pageSize)
	}
	return pg
}

// maps returns a copy of the query's values.
func maps(q url.Values) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = append([]string(nil), v...)
	}
	return out
}

// skipOf reads the skip parameter of a list's page.
func skipOf(q url.Values) int {
	n, err := strconv.Atoi(q.Get("skip"))
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// invitations lists the invitations, newest first, filtered by state, space and team.
func (h *Handler) invitations(p *page) error {
	ctx := p.r.Context()
	q := p.r.URL.Query()
	filter := octoinvite.InvitationFilter{Range: octoinvite.Range{Skip: skipOf(q), Take: pageSize}}
	data := &invitationsPage{base: p.base("Invitations")}
	state := q.Get("state")
	data.States = []option{{Value: "", Label: "Any state", Selected: state == ""}}
	for _, s := range octoinvite.InvitationStates {
		data.States = append(data.States, option{Value: s, Label: stateName(s), Selected: s == state})
		if s == state {
			filter.States = []string{s}
		}
	}
	spaces, err := h.cfg.Spaces.FindSpaces(ctx, octoinvite.SpaceFilter{Range: octoinvite.Range{Take: octoinvite.MaxTake}})
	if err != nil {
		return err
	}
	spaceID := q.Get("space")
	data.Spaces = []option{{Value: "", Label: "Any space", Selected: spaceID == ""}}
	for _, s := range spaces.Items {
		data.Spaces = append(data.Spaces, option{Value: s.ID, Label: s.Name, Selected: s.ID == spaceID})
		if s.ID == spaceID {
			filter.SpaceID = &s.ID
		}
	}
	teams, err := h.cfg.Teams.FindTeams(ctx, octoinvite.TeamFilter{IncludeSystem: true, Range: octoinvite.Range{Take: octoinvite.MaxTake}})
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, s := range spaces.Items {
		names[s.ID] = s.Name
	}
	teamID := q.Get("team")
	data.Team = []option{{Value: "", Label: "Any team", Selected: teamID == ""}}
	for _, t := range teams.Items {
		label := t.Name + " (" + cmpOr(spaceName(names, t.SpaceID), "system team") + ")"
		data.Team = append(data.Team, option{Value: t.ID, Label: label, Selected: t.ID == teamID})
		if t.ID == teamID {
			filter.TeamIDs = []string{t.ID}
		}
	}
	data.Filtered = filter.States != nil || filter.SpaceID != nil || filter.TeamIDs != nil
	page, err := h.cfg.Invitations.FindInvitations(ctx, filter)
	if err != nil {
		return err
	}
	if data.Rows, err = h.invitationRows(p, page.Items); err != nil {
		return err
	}
	kept := url.Values{}
	for _, k := range []string{"state", "space", "team"} {
		if v := q.Get(k); v != "" {
			kept.Set(k, v)
		}
	}
	data.Paging = newPaging(invitationsPath, kept, filter.Range.Skip, len(page.Items), page.Total)
	p.render(http.StatusOK, "invitations", data)
	return nil
}

// stateName names an invitation's state for people.
func stateName(state string) string {
	switch state {
	case octoinvite.StatePending:
		return "Pending"
	case octoinvite.StateRedeemed:
		return "Used up"
	case octoinvite.StateExpired:
		return "Expired"
	case octoinvite.StateRevoked:
		return "Withdrawn"
	}
	return state
}

// invitationPage is the data of one invitation's page, and of the page that shows a new one.
type invitationPage struct {
	base
	Row invitationRow
	// Created is set on the page that answers the form that created or renewed the invitation.
	Created bool
}

// routeInvitation returns the invitation of the path.
func (h *Handler) routeInvitation(p *page) (*octoinvite.Invitation, error) {
	return h.cfg.Invitations.FindInvitationByID(p.r.Context(), p.r.PathValue("id"))
}

// invitationRow returns the row of one invitation.
func (h *Handler) invitationRow(p *page, inv *octoinvite.Invitation) (invitationRow, error) {
	rows, err := h.invitationRows(p, []*octoinvite.Invitation{inv})
	if err != nil {
		return invitationRow{}, err
	}
	return rows[0], nil
}

// invitation shows one invitation: its state, link, teams and history.
func (h *Handler) invitation(p *page) error {
	inv, err := h.routeInvitation(p)
	if err != nil {
		return err
	}
	row, err := h.invitationRow(p, inv)
	if err != nil {
		return err
	}
	p.render(http.StatusOK, "invitation", invitationPage{base: p.base("Invitation " + inv.ID), Row: row})
	return nil
}

// revokeInvitationForm asks to confirm withdrawing an invitation.
func (h *Handler) revokeInvitationForm(p *page) error {
	inv, err := h.routeInvitation(p)
	if err != nil {
		return err
	}
	p.render(http.StatusOK, "confirm", confirmPage{base: p.base("Withdraw an invitation"), Action: p.r.URL.Path,
		Button: "Withdraw the invitation", Cancel: invitationsPath + "/" + inv.ID, Danger: true,
		Question: "Withdraw the invitation " + inv.ID + "?",
		Details:  "Its link stops working at once: whoever opens it is told it was withdrawn. Accounts already created with it stay. This cannot be undone."})
	return nil
}

// revokeInvitation withdraws an invitation and leads back to its page.
func (h *Handler) revokeInvitation(p *page) error {
	inv, err := h.routeInvitation(p)
	if err != nil {
		return err
	}
	if _, _, err := h.cfg.Invitations.RevokeInvitation(p.r.Context(), inv.ID, p.user.Username); err != nil {
		return err
	}
	p.setNotice(notice{Kind: "success", Text: "The invitation " + inv.ID + " was withdrawn: its link no longer works."})
	p.redirect(invitationsPath + "/" + inv.ID)
	return nil
}

// regenerateInvitationForm asks to confirm giving an invitation a new link.
func (h *Handler) regenerateInvitationForm(p *page) error {
	inv, err := h.routeInvitation(p)
	if err != nil {
		return err
	}
	details := "The old link stops working at once. Uses already made still count."
	if inv.EmailAddress != "" {
		details += " The new link is emailed to " + inv.EmailAddress + "."
	}
	p.render(http.StatusOK, "confirm", confirmPage{base: p.base("Send a new link"), Action: p.r.URL.Path,
		Button: "Make a new link", Cancel: invitationsPath + "/" + inv.ID, Lifetimes: h.lifetimes(""),
		Question: "Give the invitation " + inv.ID + " a new link?", Details: details})
	return nil
}

// regenerateInvitation gives an invitation a new code and shows its new link.
func (h *Handler) regenerateInvitation(p *page) error {
	inv, err := h.routeInvitation(p)
	if err != nil {
		return err
	}
	var expires time.Time
	if d, err := time.ParseDuration(p.r.PostForm.Get("lifetime")); err == nil && d > 0 {
		expires = h.now().Add(d)
	}
	inv, err = h.cfg.Invitations.RegenerateInvitation(p.r.Context(), inv.ID, p.user.Username, expires)
	if err != nil {
		return err
	}
	row, err := h.invitationRow(p, inv)
	if err != nil {
		return err
	}
	p.render(http.StatusOK, "invitation", invitationPage{base: p.base("A new link for " + inv.ID), Row: row, Created: true})
	return nil
}

// invitePage is the data of the form that creates an invitation: first the space, then its
// teams, the lifetime and the uses.
type invitePage struct {
	base
	Spaces []option
	// Space is the chosen space; nil until chosen. System is set for an invitation to system
	// teams only.
	Space  *octoinvite.Space
	System bool
	Teams  []option
	// SystemTeams are the teams of every space.
	SystemTeams []option
	Lifetimes   []option
	MaxUses     *field
	MaxAllowed  int
	// Emails lists the addresses to send invitations to, when the server sends email.
	Emails   *field
	Problems []string
}

// noSpace is the value of the choice of no space: an invitation to system teams only.
const noSpace = "none"

// inviteForm asks for the space of a new invitation, then for its teams, lifetime and uses.
func (h *Handler) inviteForm(p *page) error {
	data, err := h.newInvite(p, p.r.URL.Query().Get("space"), nil)
	if err != nil {
		return err
	}
	p.render(http.StatusOK, "invite", data)
	return nil
}

func (h *Handler) newInvite(p *page, spaceID string, chosen []string) (*invitePage, error) {
	ctx := p.r.Context()
	data := &invitePage{base: p.base("Invite users"), MaxAllowed: h.cfg.InvitationMaxUses}
	data.MaxUses = &field{ID: "max-uses", Name: "max_uses", Label: "Number of people who can use it", Type: "number", Value: "1",
		Min: "1", Max: strconv.Itoa(h.cfg.InvitationMaxUses), Required: true,
		Hint: fmt.Sprintf("1 for one person; up to %d for a link several people can use.", h.cfg.InvitationMaxUses)}
	spaces, err := h.cfg.Spaces.FindSpaces(ctx, octoinvite.SpaceFilter{Range: octoinvite.Range{Take: octoinvite.MaxTake}})
	if err != nil {
		return nil, err
	}
	for _, s := range spaces.Items {
		data.Spaces = append(data.Spaces, option{Value: s.ID, Label: s.Name, Selected: s.ID == spaceID})
		if s.ID == spaceID {
			data.Space = s
		}
	}
	data.Spaces = append(data.Spaces, option{Value: noSpace, Label: "No space: system teams only", Selected: spaceID == noSpace})
	data.System = spaceID == noSpace
	if data.Space == nil && !data.System {
		return data, nil
	}
	filter := octoinvite.TeamFilter{IncludeSystem: true, SpaceIDs: []string{}, Range: octoinvite.Range{Take: octoinvite.MaxTake}}
	if data.Space != nil {
		filter.SpaceIDs = []string{data.Space.ID}
	}
	teams, err := h.cfg.Teams.FindTeams(ctx, filter)
	if err != nil {
		return nil, err
	}
	for _, t := range teams.Items {
		o := option{Value: t.ID, Label: t.Name, Selected: slices.Contains(chosen, t.ID)}
		switch t.ID {
		case octoinvite.EveryoneTeamID:
			// Everyone joins it anyway.
			continue
		case octoinvite.AdministratorsTeamID:
			o.Note = "Its members can do anything, including inviting others."
		}
		if t.IsSystem() {
			data.SystemTeams = append(data.SystemTeams, o)
		} else {
			data.Teams = append(data.Teams, o)
		}
	}
	data.Lifetimes = h.lifetimes(p.r.PostForm.Get("lifetime"))
	if h.sendsEmail() {
		data.Emails = &field{ID: "emails", Name: "emails", Label: "Email addresses", Type: "textarea", Autocomplete: "off",
			Hint: "One address a line: each person gets an invitation of their own by email, for one use. Leave it empty to send the link yourself."}
	}
	return data, nil
}

// sendsEmail reports whether the server sends email.
func (h *Handler) sendsEmail() bool { return h.cfg.EmailEnabled != nil && h.cfg.EmailEnabled() }

// emailAddresses reads the addresses of the invitation form: separated by lines, commas or
// semicolons, each once (compared without case). Those that are not addresses are returned
// apart, as typed.
func emailAddresses(s string) (addresses, bad []string) {
	seen := map[string]bool{}
	for _, a := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '\n' || r == '\r' }) {
		normal, err := octoinvite.NormalizeEmailAddress(a)
		switch {
		case strings.TrimSpace(a) == "":
		case err != nil:
			bad = append(bad, a)
		case !seen[strings.ToLower(normal)]:
			seen[strings.ToLower(normal)] = true
			addresses = append(addresses, normal)
		}
	}
	return addresses, bad
}

// lifetimes returns the choices of an invitation's lifetime within the server's bounds, the
// chosen one (or the default lifetime) selected.
func (h *Handler) lifetimes(chosen string) []option {
	var out []option
	seen := map[time.Duration]bool{}
	want, err := time.ParseDuration(chosen)
	if err != nil {
		want = h.cfg.InvitationLifetime
	}
	for _, d := range []time.Duration{time.Hour, 24 * time.Hour, h.cfg.InvitationLifetime, 7 * 24 * time.Hour, 14 * 24 * time.Hour, h.cfg.InvitationMaxLifetime} {
		if d > h.cfg.InvitationMaxLifetime || seen[d] {
			continue
		}
		seen[d] = true
		label := lifetimeWords(d)
		if d == h.cfg.InvitationLifetime {
			label += " (the usual)"
		}
		out = append(out, option{Value: d.String(), Label: label, Selected: d == want})
	}
	slices.SortFunc(out, func(a, b option) int {
		da, _ := time.ParseDuration(a.Value)
		db, _ := time.ParseDuration(b.Value)
		return int((da - db) / time.Minute)
	})
	return out
}

// lifetimeWords writes a lifetime as people say it: "2 days", "1 hour", "90 minutes".
func lifetimeWords(d time.Duration) string {
	switch {
	case d%(24*time.Hour) == 0:
		return plural(int(d/(24*time.Hour)), "day", "days")
	case d%time.Hour == 0:
		return plural(int(d/time.Hour), "hour", "hours")
	}
	return plural(int(d/time.Minute), "minute", "minutes")
}

// invite creates the invitation the form describes and shows its link.
func (h *Handler) invite(p *page) error {
	form := p.r.PostForm
	spaceID := form.Get("space")
	teams := form["team"]
	data, err := h.newInvite(p, spaceID, teams)
	if err != nil {
		return err
	}
	data.MaxUses.Value = form.Get("max_uses")
	if data.Space == nil && !data.System {
		data.Problems = []string{"Please choose the space of the invitation."}
		p.render(http.StatusBadRequest, "invite", data)
		return nil
	}
	inv := &octoinvite.Invitation{AddToTeamIDs: append([]string{}, teams...), LastModifiedBy: p.user.Username}
	if data.Space != nil {
		inv.SpaceID = &data.Space.ID
	}
	var problems []string
	if d, err := time.ParseDuration(form.Get("lifetime")); err != nil || d <= 0 {
		problems = append(problems, "Please choose how long the invitation lasts.")
	} else {
		inv.Expires = octoinvite.NewTime(h.now().Add(d))
	}
	if n, err := strconv.Atoi(strings.TrimSpace(form.Get("max_uses"))); err != nil {
		problems = append(problems, fmt.Sprintf("The number of people must be a whole number from 1 to %d.", h.cfg.InvitationMaxUses))
		data.MaxUses.Errors = problems[len(problems)-1:]
	} else {
		inv.MaxUses = max(n, -1)
		if n == 0 {
			inv.MaxUses = -1 // 0 would mean "the default" to the service: refuse it here.
		}
	}
	var addresses []string
	if data.Emails != nil {
		data.Emails.Value = form.Get("emails")
		var bad []string
		addresses, bad = emailAddresses(data.Emails.Value)
		for _, a := range bad {
			data.Emails.Errors = append(data.Emails.Errors, fmt.Sprintf("%q is not an email address such as jane@example.com.", octoinvite.Truncate(a, 100)))
		}
		problems = append(problems, data.Emails.Errors...)
	}
	if len(problems) == 0 && len(addresses) > 0 {
		return h.inviteByEmail(p, data, inv, addresses)
	}
	if len(problems) == 0 {
		err = h.cfg.Invitations.CreateInvitation(p.r.Context(), inv)
		if octoinvite.ErrorCode(err) == octoinvite.EINVALID {
			problems = formProblems(err, map[string]*field{"MaxUses": data.MaxUses})
		} else if err != nil {
			return err
		}
	}
	if len(problems) > 0 {
		data.Problems = problems
		p.render(http.StatusBadRequest, "invite", data)
		return nil
	}
	row, err := h.invitationRow(p, inv)
	if err != nil {
		return err
	}
	p.render(http.StatusCreated, "invitation", invitationPage{base: p.base("Invitation created"), Row: row, Created: true})
	return nil
}

// invitedPage is the data of the page that lists the invitations one form sent by email.
type invitedPage struct {
	base
	Rows []invitationRow
}

// inviteByEmail creates one invitation like inv for each address, each emailed, and shows them.
// A problem with the first (such as more than one use) is shown on the form; the addresses were
// checked before, so a later one is a fault of the server.
func (h *Handler) inviteByEmail(p *page, data *invitePage, inv *octoinvite.Invitation, addresses []string) error {
	var created []*octoinvite.Invitation
	for i, address := range addresses {
		one := *inv
		one.AddToTeamIDs = append([]string{}, inv.AddToTeamIDs...)
		one.EmailAddress = address
		err := h.cfg.Invitations.CreateInvitation(p.r.Context(), &one)
		if i == 0 && octoinvite.ErrorCode(err) == octoinvite.EINVALID {
			data.Problems = formProblems(err, map[string]*field{"MaxUses": data.MaxUses, octoinvite.EmailAddressField: data.Emails})
			p.render(http.StatusBadRequest, "invite", data)
			return nil
		} else if err != nil {
			return err
		}
		created = append(created, &one)
	}
	if len(created) == 1 {
		row, err := h.invitationRow(p, created[0])
		if err != nil {
			return err
		}
		p.render(http.StatusCreated, "invitation", invitationPage{base: p.base("Invitation created"), Row: row, Created: true})
		return nil
	}
	rows, err := h.invitationRows(p, created)
	if err != nil {
		return err
	}
	p.render(http.StatusCreated, "invited", invitedPage{base: p.base(fmt.Sprintf("%d invitations created", len(rows))), Rows: rows})
	return nil
}

// resendInvitation emails an invitation again and leads back to its page, saying so, or why
// not.
func (h *Handler) resendInvitation(p *page) error {
	inv, err := h.routeInvitation(p)
	if err != nil {
		return err
	}
	if h.cfg.Resender == nil {
		err = octoinvite.Invalid(octoinvite.MsgEmailNotConfigured)
	} else {
		_, err = h.cfg.Resender.ResendInvitation(p.r.Context(), inv.ID, p.user.Username)
	}
	switch code := octoinvite.ErrorCode(err); {
	case err == nil:
		p.setNotice(notice{Kind: "success", Text: "The invitation is on its way again to " + inv.EmailAddress + ", with the same link."})
	case code == octoinvite.EINVALID || code == octoinvite.ECONFLICT || code == octoinvite.ETOOMANYREQUESTS:
		p.setNotice(notice{Kind: "problem", Text: strings.Join(formProblems(err, nil), " ")})
	default:
		return err
	}
	p.redirect(invitationsPath + "/" + inv.ID)
	return nil
}
