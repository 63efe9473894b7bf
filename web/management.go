package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/octoinvite/octoinvite"
)

// Paths of the administrators' pages of teams, users and the audit log.
const (
	teamsPath = "/app/configuration/teams"
	usersPath = "/app/configuration/users"
	auditPath = "/app/configuration/audit"
)

// routeManagement registers the pages of teams, users and the audit log.
func (h *Handler) routeManagement() {
	teamEdit, userEdit := needs(octoinvite.PermissionTeamEdit), needs(octoinvite.PermissionUserEdit)
	h.handle("GET /app/configuration/teams", teamEdit, h.teams)
	h.handle("POST /app/configuration/teams", needs(octoinvite.PermissionTeamCreate), h.createTeam)
	h.handle("GET /app/configuration/teams/{id}", teamEdit, h.team)
	h.handle("POST /app/configuration/teams/{id}", teamEdit, h.renameTeam)
	h.handle("POST /app/configuration/teams/{id}/members", teamEdit, h.addMember)
	h.handle("POST /app/configuration/teams/{id}/members/{user}/remove", teamEdit, h.removeMember)
	h.handle("GET /app/configuration/teams/{id}/delete", needs(octoinvite.PermissionTeamDelete), h.deleteTeamForm)
	h.handle("POST /app/configuration/teams/{id}/delete", needs(octoinvite.PermissionTeamDelete), h.deleteTeam)
	h.handle("GET /app/configuration/spaces/{id}", teamEdit, h.space)
	h.handle("GET /app/configuration/users", needs(octoinvite.PermissionUserView), h.users)
	h.handle("GET /app/configuration/users/{id}", needs(octoinvite.PermissionUserView), h.user)
	// A user's page and form take their action in the query and the form, since paths under
	// users/{id}/ would clash with those of the invitations.
	h.handle("POST /app/configuration/users/{id}", userEdit, h.setUserActive)
	h.handle("GET /app/configuration/audit", needs(octoinvite.PermissionEventView), h.audit)
}

// spaceTeams is a space, or the system teams (Space nil), with its teams and their members.
type spaceTeams struct {
	Space *octoinvite.Space
	Teams []teamMembers
}

// teamMembers is a team with its first members (at most membersShown), and how many more it has.
type teamMembers struct {
	Team    *octoinvite.Team
	Members []*octoinvite.User
	More    int
}

// teamsPage is the data of the list of teams.
type teamsPage struct {
	base
	Groups   []spaceTeams
	Spaces   []option
	Name     *field
	Problems []string
}

// membersShown bounds the members the list of teams names for each team; the team's page
// lists them all, a page at a time.
const membersShown = 10

// usersByID returns the users of the IDs that exist, by ID. It reads those users only, so that
// a page costs what it shows rather than what the installation holds.
func (h *Handler) usersByID(p *page, ids []string) (map[string]*octoinvite.User, error) {
	out := map[string]*octoinvite.User{}
	if len(ids) == 0 {
		return out, nil
	}
	users, err := h.cfg.Users.FindUsers(p.r.Context(), octoinvite.UserFilter{IDs: ids, Range: octoinvite.Range{Take: len(ids)}})
	if err != nil {
		return nil, err
	}
	for _, u := range users.Items {
		out[u.ID] = u
	}
	return out, nil
}

// members returns the users of the IDs, those that exist, in order.
func members(users map[string]*octoinvite.User, ids []string) []*octoinvite.User {
	var out []*octoinvite.User
	for _, id := range ids {
		if u := users[id]; u != nil {
			out = append(out, u)
		}
	}
	return out
}

func (h *Handler) newTeams(p *page, chosenSpace string) (*teamsPage, error) {
	ctx := p.r.Context()
	data := &teamsPage{base: p.base("Teams"), Name: &field{ID: "team-name", Name: "name", Label: "Name", Type: "text", Required: true}}
	spaces, err := h.cfg.Spaces.FindSpaces(ctx, octoinvite.SpaceFilter{Range: octoinvite.Range{Take: octoinvite.MaxTake}})
	if err != nil {
		return nil, err
	}
	teams, err := h.cfg.Teams.FindTeams(ctx, octoinvite.TeamFilter{IncludeSystem: true, Range: octoinvite.Range{Take: octoinvite.MaxTake}})
	if err != nil {
		return nil, err
	}
	var shown []string
	seen := map[string]bool{}
	for _, t := range teams.Items {
		for _, id := range t.MemberUserIDs[:min(membersShown, len(t.MemberUserIDs))] {
			if !seen[id] {
				seen[id] = true
				shown = append(shown, id)
			}
		}
	}
	users, err := h.usersByID(p, shown)
	if err != nil {
		return nil, err
	}
	groups := []spaceTeams{{}}
	index := map[string]int{}
	for _, s := range spaces.Items {
		index[s.ID] = len(groups)
		groups = append(groups, spaceTeams{Space: s})
		data.Spaces = append(data.Spaces, option{Value: s.ID, Label: s.Name, Selected: s.ID == chosenSpace})
	}
	for _, t := range teams.Items {
		i := 0
		if t.SpaceID != nil {
			i = index[*t.SpaceID]
		}
		shown := members(users, t.MemberUserIDs[:min(membersShown, len(t.MemberUserIDs))])
		groups[i].Teams = append(groups[i].Teams, teamMembers{Team: t, Members: shown, More: len(t.MemberUserIDs) - len(shown)})
	}
	data.Groups = groups
	return data, nil
}

// teams lists the teams by space, with their members, and the form of a new team.
func (h *Handler) teams(p *page) error {
	data, err := h.newTeams(p, p.r.URL.Query().Get("space"))
	if err != nil {
		return err
	}
	p.render(http.StatusOK, "teams", data)
	return nil
}

// createTeam creates a team in the chosen space.
func (h *Handler) createTeam(p *page) error {
	spaceID := p.r.PostForm.Get("space")
	team := &octoinvite.Team{Name: p.r.PostForm.Get("name"), SpaceID: &spaceID}
	err := h.cfg.Teams.CreateTeam(p.r.Context(), team)
	if code := octoinvite.ErrorCode(err); code == octoinvite.EINVALID || code == octoinvite.ECONFLICT || code == octoinvite.ENOTFOUND {
		data, ferr := h.newTeams(p, spaceID)
		if ferr != nil {
			return ferr
		}
		data.Name.Value = p.r.PostForm.Get("name")
		if code == octoinvite.ENOTFOUND {
			data.Problems = []string{"Please choose the space of the team."}
		} else {
			data.Problems = formProblems(err, map[string]*field{"Name": data.Name})
		}
		p.render(statusOf(err), "teams", data)
		return nil
	} else if err != nil {
		return err
	}
	p.setNotice(notice{Kind: "success", Text: "The team " + team.Name + " was created."})
	p.redirect(teamsPath + "/" + team.ID)
	return nil
}

// teamPage is the data of one team's page: a page of its members, the form that adds one, and
// the form that renames it.
type teamPage struct {
	base
	Team    *octoinvite.Team
	Space   string
	Members []*octoinvite.User
	Paging  paging
	Member  *field
	// Find is the text of the search for users to add, and Found the users it matches who are
	// not members, at most findShown; FoundMore says that more may match.
	Find      string
	Found     []*octoinvite.User
	FoundMore bool
	Name      *field
	Problems  []string
}

// findShown bounds the users that a team's page finds to add; findReads bounds the pages of
// them it reads, past the members a search also matches.
const (
	findShown = 20
	findReads = 5
)

// findNonMembers returns the active and disabled users who are not members of team and whose
// username, display name or email address holds s, at most findShown, and whether more may.
func (h *Handler) findNonMembers(p *page, team *octoinvite.Team, s string) ([]*octoinvite.User, bool, error) {
	var found []*octoinvite.User
	for read := range findReads {
		users, err := h.cfg.Users.FindUsers(p.r.Context(), octoinvite.UserFilter{Filter: s, Range: octoinvite.Range{Skip: read * findShown, Take: findShown}})
		if err != nil {
			return nil, false, err
		}
		for _, u := range users.Items {
			if slices.Contains(team.MemberUserIDs, u.ID) {
				continue
			}
			if len(found) == findShown {
				return found, true, nil
			}
			found = append(found, u)
		}
		if (read+1)*findShown >= users.Total {
			return found, false, nil
		}
	}
	return found, true, nil
}

// newTeam returns the data of the path's team's page, with the page of its members that the
// query's skip asks for; it reads those members only.
func (h *Handler) newTeam(p *page) (*teamPage, error) {
	team, err := h.cfg.Teams.FindTeamByID(p.r.Context(), p.r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	skip := min(skipOf(p.r.URL.Query()), len(team.MemberUserIDs))
	ids := team.MemberUserIDs[skip:min(skip+pageSize, len(team.MemberUserIDs))]
	users, err := h.usersByID(p, ids)
	if err != nil {
		return nil, err
	}
	path := teamsPath + "/" + team.ID
	data := &teamPage{base: p.base("Team " + team.Name), Team: team, Members: members(users, ids),
		Paging: newPaging(path, url.Values{}, skip, len(ids), len(team.MemberUserIDs)),
		Member: &field{ID: "new-member", Name: "user", Label: "Add a member", Type: "text", Required: true, Autocomplete: "off",
			Hint: "Their username, such as jane, or their ID, such as Users-2."},
		Name: &field{ID: "team-name", Name: "name", Label: "Name", Type: "text", Required: true, Value: team.Name}}
	if find := strings.TrimSpace(p.r.URL.Query().Get("find")); find != "" && team.CanChangeMembers &&
		octoinvite.CheckParameter("find", find) == nil {
		data.Find = find
		if data.Found, data.FoundMore, err = h.findNonMembers(p, team, find); err != nil {
			return nil, err
		}
	}
	if team.SpaceID != nil {
		space, err := h.cfg.Spaces.FindSpaceByID(p.r.Context(), *team.SpaceID)
		if err != nil {
			return nil, err
		}
		data.Space = space.Name
	}
	return data, nil
}

// team shows one team: its members, and the forms that rename it and change its members.
func (h *Handler) team(p *page) error {
	data, err := h.newTeam(p)
	if err != nil {
		return err
	}
	p.render(http.StatusOK, "team", data)
	return nil
}

// refuseTeamChange shows the team's page with the problems of err, and the form's values as
// they were sent.
func (h *Handler) refuseTeamChange(p *page, err error) error {
	data, ferr := h.newTeam(p)
	if ferr != nil {
		return ferr
	}
	data.Problems = formProblems(err, map[string]*field{"Name": data.Name, "User": data.Member})
	if v := p.r.PostForm.Get("name"); v != "" {
		data.Name.Value = v
	}
	data.Member.Value = p.r.PostForm.Get("user")
	p.render(statusOf(err), "team", data)
	return nil
}

// changeTeam stores the team as change leaves it, and leads back to its page saying what
// changed; a refused change shows the team's page with the problem.
func (h *Handler) changeTeam(p *page, change func(t *octoinvite.Team), done string) error {
	team, err := h.cfg.Teams.FindTeamByID(p.r.Context(), p.r.PathValue("id"))
	if err != nil {
		return err
	}
	change(team)
	err = h.cfg.Teams.UpdateTeam(p.r.Context(), team)
	if code := octoinvite.ErrorCode(err); code == octoinvite.EINVALID || code == octoinvite.ECONFLICT {
		return h.refuseTeamChange(p, err)
	} else if err != nil {
		return err
	}
	p.setNotice(notice{Kind: "success", Text: done})
	p.redirect(teamsPath + "/" + team.ID)
	return nil
}

// renameTeam gives the team the form's name.
func (h *Handler) renameTeam(p *page) error {
	name := p.r.PostForm.Get("name")
	return h.changeTeam(p, func(t *octoinvite.Team) { t.Name = name }, "The team was renamed "+strings.TrimSpace(name)+".")
}

// addMember adds the user that the form names, by username or ID, to the team. A team whose
// members cannot change, a name that is missing or names no user, a disabled user, and a user
// already in the team show the team's page again with the problem and what was typed.
func (h *Handler) addMember(p *page) error {
	typed := strings.TrimSpace(p.r.PostForm.Get("user"))
	refuse := func(code, message string) error {
		return h.refuseTeamChange(p, &octoinvite.Error{Code: code, Message: octoinvite.ProblemMessage,
			Details: []string{message}, Fields: []string{"User"}})
	}
	team, err := h.cfg.Teams.FindTeamByID(p.r.Context(), p.r.PathValue("id"))
	if err != nil {
		return err
	}
	if !team.CanChangeMembers {
		return refuse(octoinvite.EINVALID, "The members of the team "+team.Name+" cannot change: every user belongs to it.")
	}
	if typed == "" {
		return refuse(octoinvite.EINVALID, "Please enter the username or ID of the user to add.")
	}
	if octoinvite.CheckParameter("user", typed) != nil {
		return refuse(octoinvite.EINVALID, "The username or ID must be text without control characters.")
	}
	user, err := h.userNamed(p, typed)
	if err != nil {
		return err
	}
	if user == nil {
		return refuse(octoinvite.ENOTFOUND, "No user has the username or ID "+octoinvite.Truncate(typed, 100)+".")
	}
	if !user.IsActive {
		return refuse(octoinvite.EINVALID, user.DisplayName+" ("+user.Username+") is disabled: enable them on their page before adding them to a team.")
	}
	if slices.Contains(team.MemberUserIDs, user.ID) {
		return refuse(octoinvite.ECONFLICT, user.DisplayName+" ("+user.Username+") is already a member of the team.")
	}
	return h.changeTeam(p, func(t *octoinvite.Team) {
		if !slices.Contains(t.MemberUserIDs, user.ID) {
			t.MemberUserIDs = append(t.MemberUserIDs, user.ID)
		}
	}, user.DisplayName+" is now a member of the team.")
}

// removeMember removes the path's user from the team.
func (h *Handler) removeMember(p *page) error {
	user, err := h.cfg.Users.FindUserByID(p.r.Context(), p.r.PathValue("user"))
	if err != nil {
		return err
	}
	return h.changeTeam(p, func(t *octoinvite.Team) {
		t.MemberUserIDs = slices.DeleteFunc(t.MemberUserIDs, func(id string) bool { return id == user.ID })
	}, user.DisplayName+" is no longer a member of the team.")
}

// deleteTeamForm asks to confirm deleting a team.
func (h *Handler) deleteTeamForm(p *page) error {
	team, err := h.cfg.Teams.FindTeamByID(p.r.Context(), p.r.PathValue("id"))
	if err != nil {
		return err
	}
	p.render(http.StatusOK, "confirm", confirmPage{base: p.base("Delete a team"), Action: p.r.URL.Path,
		Button: "Delete the team", Cancel: teamsPath + "/" + team.ID, Danger: true,
		Question: "Delete the team " + team.Name + "?",
		Details:  "Its members leave it; they keep their accounts and their other teams. Invitations into it add people to their other teams only. This cannot be undone."})
	return nil
}

// deleteTeam deletes a team and leads to the list of teams.
func (h *Handler) deleteTeam(p *page) error {
	team, err := h.cfg.Teams.FindTeamByID(p.r.Context(), p.r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := h.cfg.Teams.DeleteTeam(p.r.Context(), team.ID); err != nil {
		return err
	}
	p.setNotice(notice{Kind: "success", Text: "The team " + team.Name + " was deleted."})
	p.redirect(teamsPath)
	return nil
}

// space leads to the teams of the space, where the pages show a space's work.
func (h *Handler) space(p *page) error {
	space, err := h.cfg.Spaces.FindSpaceByID(p.r.Context(), p.r.PathValue("id"))
	if err != nil {
		return err
	}
	p.redirect(teamsPath + "?space=" + url.QueryEscape(space.ID) + "#" + space.ID)
	return nil
}

// usersPage is the data of the list of users.
type usersPage struct {
	base
	Users  []*octoinvite.User
	Search string
	Paging paging
}

// users lists the users, optionally those whose username, display name or email address holds
// the search.
func (h *Handler) users(p *page) error {
	q := p.r.URL.Query()
	search := strings.TrimSpace(q.Get("filter"))
	if problem := octoinvite.CheckParameter("filter", search); problem != nil {
		search = ""
	}
	skip := skipOf(q)
	users, err := h.cfg.Users.FindUsers(p.r.Context(), octoinvite.UserFilter{Filter: search, Range: octoinvite.Range{Skip: skip, Take: pageSize}})
	if err != nil {
		return err
	}
	kept := url.Values{}
	if search != "" {
		kept.Set("filter", search)
	}
	p.render(http.StatusOK, "users", usersPage{base: p.base("Users"), Users: users.Items, Search: search,
		Paging: newPaging(usersPath, kept, skip, len(users.Items), users.Total)})
	return nil
}

// userPage is the data of one user's page.
type userPage struct {
	base
	Shown *octoinvite.User
	Teams []teamInSpace
	Keys  int
}

// user shows one user: their details and teams, and the button that disables or enables them;
// with ?disable, it asks to confirm disabling them.
func (h *Handler) user(p *page) error {
	if p.r.URL.Query().Has("disable") {
		if !p.user.Can(octoinvite.PermissionUserEdit) {
			return octoinvite.Errorf(octoinvite.EFORBIDDEN, "Disabling users needs the permission %s.", octoinvite.PermissionUserEdit)
		}
		return h.disableUserForm(p)
	}
	user, err := h.cfg.Users.FindUserByID(p.r.Context(), p.r.PathValue("id"))
	if err != nil {
		return err
	}
	teams, err := h.memberTeams(p, user.ID)
	if err != nil {
		return err
	}
	keys, err := h.cfg.APIKeys.FindAPIKeys(p.r.Context(), user.ID, octoinvite.Range{Take: 0})
	if err != nil {
		return err
	}
	p.render(http.StatusOK, "user", userPage{base: p.base(user.DisplayName), Shown: user, Teams: teams, Keys: keys.Total})
	return nil
}

// disableUserForm asks to confirm disabling a user.
func (h *Handler) disableUserForm(p *page) error {
	user, err := h.cfg.Users.FindUserByID(p.r.Context(), p.r.PathValue("id"))
	if err != nil {
		return err
	}
	p.render(http.StatusOK, "confirm", confirmPage{base: p.base("Disable a user"), Action: p.r.URL.Path,
		Fields: map[string]string{"active": "false"}, Button: "Disable " + user.Username, Cancel: usersPath + "/" + user.ID, Danger: true,
		Question: "Disable " + user.DisplayName + " (" + user.Username + ")?",
		Details:  "Their sessions end and their API keys stop working at once, until they are enabled again. They stay in their teams."})
	return nil
}

// setUserActive disables or enables the path's user, as the form's active says.
func (h *Handler) setUserActive(p *page) error {
	active, err := strconv.ParseBool(p.r.PostForm.Get("active"))
	if err != nil {
		return octoinvite.InvalidFields(octoinvite.Problem{Message: "The form says neither to disable nor to enable the user."})
	}
	user, err := h.cfg.Users.FindUserByID(p.r.Context(), p.r.PathValue("id"))
	if err != nil {
		return err
	}
	user.IsActive = active
	if err := h.cfg.Users.UpdateUser(p.r.Context(), user); err != nil {
		return err
	}
	text := user.DisplayName + " is disabled: their sessions ended and their API keys no longer work."
	if active {
		text = user.DisplayName + " is enabled again."
	}
	p.setNotice(notice{Kind: "success", Text: text})
	p.redirect(usersPath + "/" + user.ID)
	return nil
}

// auditPage is the data of the audit log's page.
type auditPage struct {
	base
	Events   []*octoinvite.Event
	Fields   struct{ Regarding, User, From, To *field }
	Problems []string
	Paging   paging
}

// audit shows the audit log, newest first, filtered by the document an event concerns, the
// user who acted and the dates.
func (h *Handler) audit(p *page) error {
	q := p.r.URL.Query()
	data := &auditPage{base: p.base("Audit log")}
	data.Fields.Regarding = &field{ID: "regarding", Name: "regarding", Label: "Document", Type: "text", Value: strings.TrimSpace(q.Get("regarding")),
		Hint: "The ID of an invitation, user, team, space or API key, such as Invitations-3."}
	data.Fields.User = &field{ID: "user", Name: "user", Label: "User", Type: "text", Value: strings.TrimSpace(q.Get("user")),
		Hint: "The username or ID of who acted."}
	data.Fields.From = &field{ID: "from", Name: "from", Label: "From", Type: "date", Value: q.Get("from")}
	data.Fields.To = &field{ID: "to", Name: "to", Label: "To", Type: "date", Value: q.Get("to")}
	filter := octoinvite.EventFilter{Range: octoinvite.Range{Skip: skipOf(q), Take: pageSize}}
	kept := url.Values{}
	for _, f := range []*field{data.Fields.Regarding, data.Fields.User, data.Fields.From, data.Fields.To} {
		if f.Value == "" {
			continue
		}
		if problem := octoinvite.CheckParameter(f.Name, f.Value); problem != nil {
			f.Errors = append(f.Errors, "It must be text without control characters.")
			continue
		}
		kept.Set(f.Name, f.Value)
	}
	if v := kept.Get("regarding"); v != "" {
		filter.Regarding = []string{v}
		if id, ok := canonicalDocumentID(v); ok {
			filter.Regarding = []string{id}
		}
	}
	if v := kept.Get("user"); v != "" {
		id, err := h.userIDOf(p, v)
		if err != nil {
			return err
		}
		filter.Users = []string{id}
	}
	for _, d := range []struct {
		f   *field
		dst **time.Time
		end bool
	}{{data.Fields.From, &filter.From, false}, {data.Fields.To, &filter.To, true}} {
		if d.f.Value == "" || len(d.f.Errors) > 0 {
			continue
		}
		t, err := time.Parse("2006-01-02", d.f.Value)
		if err != nil {
			d.f.Errors = append(d.f.Errors, "It must be a date such as 2026-11-28.")
			kept.Del(d.f.Name)
			continue
		}
		if d.end {
			t = t.Add(24*time.Hour - time.Millisecond)
		}
		*d.dst = &t
	}
	for _, f := range []*field{data.Fields.Regarding, data.Fields.User, data.Fields.From, data.Fields.To} {
		for _, e := range f.Errors {
			data.Problems = append(data.Problems, f.Label+": "+e)
		}
	}
	events, err := h.cfg.Events.FindEvents(p.r.Context(), filter)
	if err != nil {
		return err
	}
	data.Events = events.Items
	data.Paging = newPaging(auditPath, kept, filter.Range.Skip, len(events.Items), events.Total)
	status := http.StatusOK
	if len(data.Problems) > 0 {
		status = http.StatusBadRequest
	}
	p.render(status, "audit", data)
	return nil
}

// canonicalDocumentID returns a document ID in canonical form ("invitations-3" is
// "Invitations-3"), if it names a kind of document.
func canonicalDocumentID(s string) (string, bool) {
	for _, kind := range []string{octoinvite.KindInvitation, octoinvite.KindUser, octoinvite.KindTeam, octoinvite.KindSpace,
		octoinvite.KindAPIKey, octoinvite.KindEvent} {
		if id, ok := octoinvite.ParseID(kind, s); ok {
			return id, true
		}
	}
	return "", false
}

// userIDOf returns the ID of the user that s names, by ID or username; s itself when no user
// has that name, which then matches nothing.
func (h *Handler) userIDOf(p *page, s string) (string, error) {
	if id, ok := octoinvite.ParseID(octoinvite.KindUser, s); ok || strings.EqualFold(s, octoinvite.SystemUserID) {
		if ok {
			return id, nil
		}
		return octoinvite.SystemUserID, nil
	}
	user, err := h.userByName(p, s)
	if err != nil || user == nil {
		return s, err
	}
	return user.ID, nil
}

// userNamed returns the user that s names, by ID or else by username; nil when none does.
func (h *Handler) userNamed(p *page, s string) (*octoinvite.User, error) {
	if id, ok := octoinvite.ParseID(octoinvite.KindUser, s); ok {
		user, err := h.cfg.Users.FindUserByID(p.r.Context(), id)
		if err == nil || octoinvite.ErrorCode(err) != octoinvite.ENOTFOUND {
			return user, err
		}
	}
	return h.userByName(p, s)
}

// userByName returns the user whose username is s (compared by FoldUsername), nil when none
// is.
func (h *Handler) userByName(p *page, s string) (*octoinvite.User, error) {
	user, err := h.cfg.Users.FindUserByUsername(p.r.Context(), s)
	if octoinvite.ErrorCode(err) == octoinvite.ENOTFOUND {
		return nil, nil
	}
	return user, err
}
