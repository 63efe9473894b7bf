package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/octoinvite/octoinvite"
)

var _ octoinvite.TeamService = (*DB)(nil)

// teamColumns are the columns of a team, from the teams table aliased t, that teamRow reads
// after its ID.
const teamColumns = `t.name, t.description, t.space_id, t.can_be_deleted, t.can_be_renamed, t.can_change_roles, t.can_change_members`

// teamsWithMembers selects the teams of page, a query of the teams table, with their members:
// one row per member, in the order of the members' IDs, as readTeams reads them.
func teamsWithMembers(page string) string {
	return `SELECT t.id, m.user_id, ` + teamColumns + ` FROM (` + page + `) t
		LEFT JOIN team_members m ON m.team_id = t.id LEFT JOIN users u ON u.id = m.user_id
		ORDER BY t.seq, t.id, u.seq`
}

// readTeams reads the rows of a teamsWithMembers query.
func readTeams(rows *sql.Rows) ([]*octoinvite.Team, error) {
	var t octoinvite.Team
	var space sql.NullString
	dest := []any{&t.Name, &t.Description, &space, &t.CanBeDeleted, &t.CanBeRenamed, &t.CanChangeRoles, &t.CanChangeMembers}
	return collectJoined(rows, dest,
		func(id string) (*octoinvite.Team, error) {
			team := t
			team.ID = id
			team.SpaceID = stringPtr(space)
			team.MemberUserIDs = []string{}
			team.ExternalSecurityGroups = []any{}
			return &team, nil
		},
		func(team *octoinvite.Team, member string) { team.MemberUserIDs = append(team.MemberUserIDs, member) })
}

// FindTeamByID returns the team with its members, or ENOTFOUND.
func (db *DB) FindTeamByID(ctx context.Context, raw string) (team *octoinvite.Team, err error) {
	defer wrap(&err, "FindTeamByID(%q)", raw)
	id, ok := octoinvite.ParseID(octoinvite.KindTeam, raw)
	if !ok {
		return nil, octoinvite.NotFound(octoinvite.Truncate(raw, octoinvite.MaxIDLength))
	}
	err = db.view(ctx, func(tx *transaction) error {
		team, err = tx.findTeam(ctx, id)
		return err
	})
	return team, err
}

// FindTeams returns a page of teams, system teams first, then in ID order.
func (db *DB) FindTeams(ctx context.Context, filter octoinvite.TeamFilter) (page octoinvite.Page[*octoinvite.Team], err error) {
	defer wrap(&err, "FindTeams")
	c := conditions{dialect: db.dialect}
	if filter.IDs != nil {
		c.in("id", canonicalIDs(octoinvite.KindTeam, filter.IDs))
	}
	// Names are compared by their keys (octoinvite.FoldName), the filter's folded as they are.
	if partial := octoinvite.FoldName(filter.PartialName); partial != "" {
		c.add(`name_key LIKE ? ESCAPE '\'`, containsPattern(partial))
	}
	if filter.MemberUserID != "" {
		userID, _ := octoinvite.ParseID(octoinvite.KindUser, filter.MemberUserID)
		c.add(`id IN (SELECT team_id FROM team_members WHERE user_id = ?)`, userID)
	}
	switch spaces, arg := db.dialect.in("space_id", canonicalIDs(octoinvite.KindSpace, filter.SpaceIDs)); {
	case len(filter.SpaceIDs) > 0 && filter.IncludeSystem:
		c.add("(space_id IS NULL OR "+spaces+")", arg)
	case len(filter.SpaceIDs) > 0:
		c.add(spaces, arg)
	case !filter.IncludeSystem:
		c.add("space_id IS NOT NULL")
	}
	err = db.view(ctx, func(tx *transaction) error {
		if err := tx.queryRow(ctx, `SELECT count(*) FROM teams`+c.where(), c.args...).Scan(&page.Total); err != nil {
			return err
		}
		// The page's members come in the same statement, by a join: a list of the page's IDs
		// would be as long as the page.
		rows, err := tx.query(ctx, teamsWithMembers(`SELECT * FROM teams`+c.where()+` ORDER BY seq, id LIMIT ? OFFSET ?`),
			append(c.args, filter.Take, filter.Skip)...)
		if err != nil {
			return err
		}
		page.Items, err = readTeams(rows)
		return err
	})
	return page, err
}

// CreateTeam validates the team, gives it an ID and stores it with its members.
func (db *DB) CreateTeam(ctx context.Context, team *octoinvite.Team) (err error) {
	defer wrap(&err, "CreateTeam")
	if err := team.Validate(); err != nil {
		return err
	}
	return db.update(ctx, func(tx *transaction) error {
		if team.SpaceID != nil {
			space, err := tx.findSpaceByID(ctx, *team.SpaceID)
			if err != nil {
				return err
			}
			team.SpaceID = &space.ID
		}
		unique, err := tx.checkMembers(ctx, team.MemberUserIDs)
		if err != nil {
			return err
		}
		if err := tx.checkTeamName(ctx, team, ""); err != nil {
			return err
		}
		id, seq, err := tx.nextID(ctx, octoinvite.KindTeam)
		if err != nil {
			return err
		}
		_, err = tx.exec(ctx, `INSERT INTO teams (id, seq, name, name_key, description, space_id, can_be_deleted, can_be_renamed, can_change_roles, can_change_members, created_on)
			VALUES (?, ?, ?, ?, ?, ?, 1, 1, 1, 1, ?)`, id, seq, team.Name, octoinvite.FoldName(team.Name), team.Description, nullString(team.SpaceID), tx.now.UnixMilli())
		if tx.db.dialect.isUnique(err) {
			return teamNameTaken(team)
		} else if err != nil {
			return err
		}
		if err := tx.addMembers(ctx, id, unique); err != nil {
			return err
		}
		team.ID = id
		team.MemberUserIDs = unique
		team.ExternalSecurityGroups = []any{}
		team.CanBeDeleted, team.CanBeRenamed, team.CanChangeRoles, team.CanChangeMembers = true, true, true, true
		message := fmt.Sprintf("Team %s (%s) was created", id, team.Name)
		if len(unique) > 0 {
			message += " with the members " + strings.Join(unique, ", ")
		}
		return tx.recordTeamEvent(ctx, team, octoinvite.EventCreated, message, unique...)
	})
}

// recordTeamEvent records a change of the team, in its space; related names other documents
// the change concerns (members added or removed, invitations).
func (tx *transaction) recordTeamEvent(ctx context.Context, team *octoinvite.Team, category, message string, related ...string) error {
	docs := append([]string{team.ID}, related...)
	if team.SpaceID != nil {
		message += " in space " + *team.SpaceID
		docs = append(docs, *team.SpaceID)
	}
	return tx.recordEvent(ctx, &octoinvite.Event{Category: category, SpaceID: team.SpaceID, Message: message, RelatedDocumentIDs: docs})
}

func teamNameTaken(team *octoinvite.Team) error {
	return octoinvite.Conflict(fmt.Sprintf("A team with the name '%s' already exists in this space.", team.Name))
}

// checkTeamName refuses a name whose key (octoinvite.FoldName) a team of the same space (or
// another system team), other than except, holds.
func (tx *transaction) checkTeamName(ctx context.Context, team *octoinvite.Team, except string) error {
	var taken int
	if err := tx.queryRow(ctx, `SELECT count(*) FROM teams WHERE coalesce(space_id, '') = ? AND name_key = ? AND id <> ?`,
		deref(team.SpaceID), octoinvite.FoldName(team.Name), except).Scan(&taken); err != nil {
		return err
	} else if taken > 0 {
		return teamNameTaken(team)
	}
	return nil
}

// checkMembers returns the canonical IDs of the users raw names, duplicates collapsed, or an
// EINVALID error naming each that names no user.
func (tx *transaction) checkMembers(ctx context.Context, raw []string) ([]string, error) {
	members, err := tx.existingUsers(ctx, raw)
	if err != nil {
		return nil, err
	}
	var unknown []string
	unique := make([]string, 0, len(members))
	seen := make(map[string]bool, len(members))
	for i, id := range members {
		if id == "" {
			unknown = append(unknown, raw[i])
		} else if !seen[id] {
			seen[id] = true
			unique = append(unique, id)
		}
	}
	if len(unknown) > 0 {
		return nil, octoinvite.Invalid(notFoundProblems("user", "users", unknown)...)
	}
	return unique, nil
}

// maxNotFoundProblems bounds the documents a refusal names one by one, so that a request naming
// thousands that do not exist gets a short answer.
const maxNotFoundProblems = 10

// notFoundProblems says that each of the IDs raw names no document of the kind (singular and
// plural), naming at most maxNotFoundProblems and counting the others.
func notFoundProblems(kind, kinds string, raw []string) []string {
	var problems []string
	for i, id := range raw {
		if i == maxNotFoundProblems {
			problems = append(problems, fmt.Sprintf("%d more %s do not exist.", len(raw)-i, kinds))
			break
		}
		problems = append(problems, fmt.Sprintf("The %s '%s' does not exist.", kind, octoinvite.Truncate(id, octoinvite.MaxIDLength)))
	}
	return problems
}

// addMembers makes the users members of the team.
func (tx *transaction) addMembers(ctx context.Context, teamID string, userIDs []string) error {
	rows := make([]any, 0, 2*len(userIDs))
	for _, userID := range userIDs {
		rows = append(rows, teamID, userID)
	}
	return tx.insertRows(ctx, "team_members", "team_id, user_id", rows)
}

// UpdateTeam stores the team's name, description and members; see octoinvite.TeamService.
func (db *DB) UpdateTeam(ctx context.Context, team *octoinvite.Team) (err error) {
	defer wrap(&err, "UpdateTeam(%q)", team.ID)
	id, ok := octoinvite.ParseID(octoinvite.KindTeam, team.ID)
	if !ok {
		return octoinvite.NotFound(octoinvite.Truncate(team.ID, octoinvite.MaxIDLength))
	}
	if err := team.Validate(); err != nil {
		return err
	}
	return db.update(ctx, func(tx *transaction) error {
		if id == octoinvite.AdministratorsTeamID {
			if err := tx.lockAdministrators(ctx); err != nil {
				return err
			}
		}
		current, err := tx.findTeam(ctx, id)
		if err != nil {
			return err
		}
		if team.SpaceID != nil {
			spaceID, ok := octoinvite.ParseID(octoinvite.KindSpace, *team.SpaceID)
			if !ok || current.SpaceID == nil || spaceID != *current.SpaceID {
				return octoinvite.ErrTeamMoved
			}
		} else if current.SpaceID != nil {
			return octoinvite.ErrTeamMoved
		}
		team.SpaceID = current.SpaceID
		members, err := tx.checkMembers(ctx, team.MemberUserIDs)
		if err != nil {
			return err
		}
		added := slices.DeleteFunc(slices.Clone(members), func(id string) bool { return slices.Contains(current.MemberUserIDs, id) })
		removed := slices.DeleteFunc(slices.Clone(current.MemberUserIDs), func(id string) bool { return slices.Contains(members, id) })
		var problems []string
		if team.Name != current.Name && !current.CanBeRenamed {
			problems = append(problems, fmt.Sprintf("The team '%s' is a built-in team and cannot be renamed.", current.Name))
		}
		if (len(added) > 0 || len(removed) > 0) && !current.CanChangeMembers {
			problems = append(problems, fmt.Sprintf("The members of the team '%s' cannot be changed: every user belongs to it.", current.Name))
		}
		if len(problems) > 0 {
			return octoinvite.Invalid(problems...)
		}
		// A name that keeps its key is not checked again, so that a team that migration 10 found
		// clashing with an older one can still be changed (see nameKeysMigration); a key that
		// changes clears the clash.
		key := octoinvite.FoldName(team.Name)
		if key != octoinvite.FoldName(current.Name) {
			if err := tx.checkTeamName(ctx, team, id); err != nil {
				return err
			}
		}
		_, err = tx.exec(ctx, `UPDATE teams SET name = ?, description = ?,
			name_clash = CASE WHEN name_key = ? THEN name_clash ELSE '' END, name_key = ? WHERE id = ?`,
			team.Name, team.Description, key, key, id)
		if tx.db.dialect.isUnique(err) {
			return teamNameTaken(team)
		} else if err != nil {
			return err
		}
		if len(removed) > 0 {
			inUsers, arg := tx.db.dialect.in("user_id", removed)
			if _, err := tx.exec(ctx, `DELETE FROM team_members WHERE team_id = ? AND `+inUsers, id, arg); err != nil {
				return err
			}
		}
		if err := tx.addMembers(ctx, id, added); err != nil {
			return err
		}
		if id == octoinvite.AdministratorsTeamID {
			if err := tx.requireActiveAdministrator(ctx); err != nil {
				return err
			}
		}
		updated := *current
		updated.Name, updated.Description = team.Name, team.Description
		if updated.MemberUserIDs, err = tx.ids(ctx, `SELECT m.user_id FROM team_members m JOIN users u ON u.id = m.user_id
			WHERE m.team_id = ? ORDER BY u.seq`, id); err != nil {
			return err
		}
		*team = updated
		return tx.recordTeamEvent(ctx, team, octoinvite.EventModified,
			fmt.Sprintf("Team %s (%s) was changed%s", id, team.Name, teamChanges(current, team, added, removed)),
			append(added, removed...)...)
	})
}

// teamChanges describes, for the audit log, what changed from before to after.
func teamChanges(before, after *octoinvite.Team, added, removed []string) string {
	var changes []string
	if before.Name != after.Name {
		changes = append(changes, fmt.Sprintf("renamed from '%s'", before.Name))
	}
	if before.Description != after.Description {
		changes = append(changes, "description changed")
	}
	if len(added) > 0 {
		changes = append(changes, "members added: "+strings.Join(added, ", "))
	}
	if len(removed) > 0 {
		changes = append(changes, "members removed: "+strings.Join(removed, ", "))
	}
	if len(changes) == 0 {
		return ""
	}
	return ": " + strings.Join(changes, "; ")
}

// findTeam returns the team with its members, or ENOTFOUND.
func (tx *transaction) findTeam(ctx context.Context, id string) (*octoinvite.Team, error) {
	rows, err := tx.query(ctx, teamsWithMembers(`SELECT * FROM teams WHERE id = ?`), id)
	if err != nil {
		return nil, err
	}
	teams, err := readTeams(rows)
	if err != nil {
		return nil, err
	} else if len(teams) == 0 {
		return nil, octoinvite.NotFound(id)
	}
	return teams[0], nil
}

// DeleteTeam deletes the team; see octoinvite.TeamService.
func (db *DB) DeleteTeam(ctx context.Context, raw string) (err error) {
	defer wrap(&err, "DeleteTeam(%q)", raw)
	id, ok := octoinvite.ParseID(octoinvite.KindTeam, raw)
	if !ok {
		return octoinvite.NotFound(octoinvite.Truncate(raw, octoinvite.MaxIDLength))
	}
	return db.update(ctx, func(tx *transaction) error {
		team, err := tx.findTeam(ctx, id)
		if err != nil {
			return err
		}
		if !team.CanBeDeleted {
			return octoinvite.ErrTeamBuiltIn
		}
		invitations, err := tx.ids(ctx, `SELECT DISTINCT t.invitation_id FROM invitation_teams t JOIN invitations i ON i.id = t.invitation_id
			WHERE t.team_id = ? ORDER BY t.invitation_id`, id)
		if err != nil {
			return err
		}
		// The invitations keep their other teams and remember this one, so that the invitee's
		// page can say that it was removed.
		if _, err := tx.exec(ctx, `INSERT INTO invitation_removed_teams (invitation_id, team_id, team_name, removed_on)
			SELECT DISTINCT invitation_id, team_id, CAST(? AS TEXT), CAST(? AS BIGINT) FROM invitation_teams WHERE team_id = ?`,
			team.Name, tx.now.UnixMilli(), id); err != nil {
			return err
		}
		for _, stmt := range []string{
			`DELETE FROM invitation_teams WHERE team_id = ?`,
			`DELETE FROM team_members WHERE team_id = ?`,
			`DELETE FROM teams WHERE id = ?`,
		} {
			if _, err := tx.exec(ctx, stmt, id); err != nil {
				return err
			}
		}
		if err := tx.dropManagers(ctx, []string{id}, nil); err != nil {
			return err
		}
		tx.changesInvitations(invitations...)
		message := fmt.Sprintf("Team %s (%s) was deleted", id, team.Name)
		if len(invitations) > 0 {
			message += fmt.Sprintf("; the invitations %s no longer add users to it", strings.Join(invitations, ", "))
		}
		return tx.recordTeamEvent(ctx, team, octoinvite.EventDeleted, message, invitations...)
	})
}

// lockAdministrators takes the lock of the administrators team's row until the transaction
// ends. A write that may leave the team without an active member (removing members,
// deactivating or deleting users) takes it first, so that such writes run one after another on
// every database and instance, and each counts the active administrators after the others.
func (tx *transaction) lockAdministrators(ctx context.Context) error {
	_, err := tx.exec(ctx, `UPDATE teams SET seq = seq WHERE id = ?`, octoinvite.AdministratorsTeamID)
	return err
}

// requireActiveAdministrator returns ErrLastAdministrator unless an active user belongs to the
// administrators team.
func (tx *transaction) requireActiveAdministrator(ctx context.Context) error {
	var n int
	if err := tx.queryRow(ctx, `SELECT count(*) FROM team_members m JOIN users u ON u.id = m.user_id
		WHERE m.team_id = ? AND u.is_active = 1`, octoinvite.AdministratorsTeamID).Scan(&n); err != nil {
		return err
	} else if n == 0 {
		return octoinvite.ErrLastAdministrator
	}
	return nil
}

// teamRef is a team ID as a client wrote it (raw), the canonical ID of the team it names (empty
// if none exists), and that team's space.
type teamRef struct {
	raw     string
	id      string
	spaceID *string
}

// existingTeams looks up each of raw, in one query, keeping the order.
func (tx *transaction) existingTeams(ctx context.Context, raw []string) ([]teamRef, error) {
	refs := make([]teamRef, len(raw))
	for i, s := range raw {
		refs[i].raw = s
	}
	inTeams, arg := tx.db.dialect.in("id", canonicalIDs(octoinvite.KindTeam, raw))
	rows, err := tx.query(ctx, `SELECT id, space_id FROM teams WHERE `+inTeams, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	found := map[string]*string{}
	for rows.Next() {
		var id string
		var space sql.NullString
		if err := rows.Scan(&id, &space); err != nil {
			return nil, err
		}
		found[id] = stringPtr(space)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range refs {
		if id, ok := octoinvite.ParseID(octoinvite.KindTeam, refs[i].raw); ok {
			if space, ok := found[id]; ok {
				refs[i].id, refs[i].spaceID = id, space
			}
		}
	}
	return refs, nil
}

// existingUsers returns, for each of raw, the canonical ID of the user it names, or "" if there
// is none.
func (tx *transaction) existingUsers(ctx context.Context, raw []string) ([]string, error) {
	out := make([]string, len(raw))
	inUsers, arg := tx.db.dialect.in("id", canonicalIDs(octoinvite.KindUser, raw))
	rows, err := tx.query(ctx, `SELECT id FROM users WHERE `+inUsers, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	found := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		found[id] = true
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i, s := range raw {
		if id, ok := octoinvite.ParseID(octoinvite.KindUser, s); ok && found[id] {
			out[i] = id
		}
	}
	return out, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
