package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/octoinvite/octoinvite"
)

var _ octoinvite.TeamService = (*DB)(nil)

const teamColumns = `id, name, description, space_id, can_be_deleted, can_be_renamed, can_change_roles, can_change_members`

func scanTeam(row interface{ Scan(...any) error }) (*octoinvite.Team, error) {
	var t octoinvite.Team
	var space sql.NullString
	if err := row.Scan(&t.ID, &t.Name, &t.Description, &space, &t.CanBeDeleted, &t.CanBeRenamed, &t.CanChangeRoles, &t.CanChangeMembers); err != nil {
		return nil, err
	}
	t.SpaceID = stringPtr(space)
	t.MemberUserIDs = []string{}
	t.ExternalSecurityGroups = []any{}
	return &t, nil
}

// FindTeamByID returns the team with its members, or ENOTFOUND.
func (db *DB) FindTeamByID(ctx context.Context, raw string) (team *octoinvite.Team, err error) {
	defer wrap(&err, "FindTeamByID(%q)", raw)
	id, ok := octoinvite.ParseID(octoinvite.KindTeam, raw)
	if !ok {
		return nil, octoinvite.NotFound(octoinvite.Truncate(raw, octoinvite.MaxIDLength))
	}
	err = db.view(ctx, func(tx *transaction) error {
		team, err = scanTeam(tx.queryRow(ctx, `SELECT `+teamColumns+` FROM teams WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return octoinvite.NotFound(id)
		} else if err != nil {
			return err
		}
		return tx.attachMembers(ctx, []*octoinvite.Team{team})
	})
	return team, err
}

// FindTeams returns a page of teams, system teams first, then in ID order.
func (db *DB) FindTeams(ctx context.Context, filter octoinvite.TeamFilter) (page octoinvite.Page[*octoinvite.Team], err error) {
	defer wrap(&err, "FindTeams")
	var where []string
	var args []any
	if filter.IDs != nil {
		ids := canonicalIDs(octoinvite.KindTeam, filter.IDs)
		if len(ids) == 0 {
			return octoinvite.Page[*octoinvite.Team]{Items: []*octoinvite.Team{}}, nil
		}
		where = append(where, "id IN ("+placeholders(len(ids))+")")
		args = append(args, toAny(ids)...)
	}
	if filter.PartialName != "" {
		where = append(where, `lower(name) LIKE ? ESCAPE '\'`)
		args = append(args, likePattern(filter.PartialName))
	}
	switch spaces := canonicalIDs(octoinvite.KindSpace, filter.SpaceIDs); {
	case len(filter.SpaceIDs) > 0 && filter.IncludeSystem:
		where = append(where, "(space_id IS NULL OR space_id IN ("+placeholders(len(spaces))+"))")
		args = append(args, toAny(spaces)...)
	case len(filter.SpaceIDs) > 0:
		if len(spaces) == 0 {
			return octoinvite.Page[*octoinvite.Team]{Items: []*octoinvite.Team{}}, nil
		}
		where = append(where, "space_id IN ("+placeholders(len(spaces))+")")
		args = append(args, toAny(spaces)...)
	case !filter.IncludeSystem:
		where = append(where, "space_id IS NOT NULL")
	}
	err = db.view(ctx, func(tx *transaction) error {
		cond := whereClause(where)
		if err := tx.queryRow(ctx, `SELECT count(*) FROM teams`+cond, args...).Scan(&page.Total); err != nil {
			return err
		}
		rows, err := tx.query(ctx, `SELECT `+teamColumns+` FROM teams`+cond+` ORDER BY seq, id LIMIT ? OFFSET ?`,
			append(args, filter.Take, filter.Skip)...)
		if err != nil {
			return err
		}
		if page.Items, err = collect(rows, scanTeam); err != nil {
			return err
		}
		return tx.attachMembers(ctx, page.Items)
	})
	return page, err
}

// attachMembers fills in the members of each team with one query.
func (tx *transaction) attachMembers(ctx context.Context, teams []*octoinvite.Team) error {
	if len(teams) == 0 {
		return nil
	}
	byID := make(map[string]*octoinvite.Team, len(teams))
	ids := make([]any, 0, len(teams))
	for _, t := range teams {
		byID[t.ID] = t
		ids = append(ids, t.ID)
	}
	rows, err := tx.query(ctx, `SELECT m.team_id, m.user_id FROM team_members m JOIN users u ON u.id = m.user_id
		WHERE m.team_id IN (`+placeholders(len(ids))+`) ORDER BY u.seq`, ids...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var teamID, userID string
		if err := rows.Scan(&teamID, &userID); err != nil {
			return err
		}
		t := byID[teamID]
		t.MemberUserIDs = append(t.MemberUserIDs, userID)
	}
	return rows.Err()
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
		members, err := tx.existingUsers(ctx, team.MemberUserIDs)
		if err != nil {
			return err
		}
		var problems []string
		seen := map[string]bool{}
		unique := make([]string, 0, len(members))
		for i, id := range members {
			if id == "" {
				problems = append(problems, fmt.Sprintf("The user '%s' does not exist.", octoinvite.Truncate(team.MemberUserIDs[i], octoinvite.MaxIDLength)))
			} else if !seen[id] {
				seen[id] = true
				unique = append(unique, id)
			}
		}
		if len(problems) > 0 {
			return octoinvite.Invalid(problems...)
		}
		conflict := octoinvite.Conflict(fmt.Sprintf("A team with the name '%s' already exists in this space.", team.Name))
		var taken int
		if err := tx.queryRow(ctx, `SELECT count(*) FROM teams WHERE coalesce(space_id, '') = ? AND lower(name) = lower(?)`,
			deref(team.SpaceID), team.Name).Scan(&taken); err != nil {
			return err
		} else if taken > 0 {
			return conflict
		}
		id, seq, err := tx.nextID(ctx, octoinvite.KindTeam)
		if err != nil {
			return err
		}
		_, err = tx.exec(ctx, `INSERT INTO teams (id, seq, name, description, space_id, can_be_deleted, can_be_renamed, can_change_roles, can_change_members, created_on)
			VALUES (?, ?, ?, ?, ?, 1, 1, 1, 1, ?)`, id, seq, team.Name, team.Description, nullString(team.SpaceID), tx.now.UnixMilli())
		if tx.db.dialect.isUnique(err) {
			return conflict
		} else if err != nil {
			return err
		}
		for _, userID := range unique {
			if _, err := tx.exec(ctx, `INSERT INTO team_members (team_id, user_id) VALUES (?, ?)`, id, userID); err != nil {
				return err
			}
		}
		team.ID = id
		team.MemberUserIDs = unique
		team.ExternalSecurityGroups = []any{}
		team.CanBeDeleted, team.CanBeRenamed, team.CanChangeRoles, team.CanChangeMembers = true, true, true, true
		return nil
	})
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
	var ids []any
	for i, s := range raw {
		refs[i].raw = s
		if id, ok := octoinvite.ParseID(octoinvite.KindTeam, s); ok {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return refs, nil
	}
	rows, err := tx.query(ctx, `SELECT id, space_id FROM teams WHERE id IN (`+placeholders(len(ids))+`)`, ids...)
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
	var ids []any
	for _, s := range raw {
		if id, ok := octoinvite.ParseID(octoinvite.KindUser, s); ok {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := tx.query(ctx, `SELECT id FROM users WHERE id IN (`+placeholders(len(ids))+`)`, ids...)
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
