package sqldb

import (
	"context"
	"database/sql"
	"fmt"

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
		rows, err := tx.query(ctx, teamsWithMembers(`SELECT * FROM teams WHERE id = ?`), id)
		if err != nil {
			return err
		}
		teams, err := readTeams(rows)
		if err != nil {
			return err
		} else if len(teams) == 0 {
			return octoinvite.NotFound(id)
		}
		team = teams[0]
		return nil
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
	if filter.PartialName != "" {
		c.add(`lower(name) LIKE ? ESCAPE '\'`, likePattern(filter.PartialName))
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
