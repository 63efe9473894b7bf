package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/octoinvite/octoinvite"
)

// Ensure the service implements the interface.
var _ octoinvite.SpaceService = (*DB)(nil)

const spaceColumns = `id, name, slug, description, is_default, task_queue_stopped, managers_teams, managers_members`

func scanSpace(row interface{ Scan(...any) error }) (*octoinvite.Space, error) {
	var s octoinvite.Space
	var teams, members string
	if err := row.Scan(&s.ID, &s.Name, &s.Slug, &s.Description, &s.IsDefault, &s.TaskQueueStopped, &teams, &members); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(teams), &s.SpaceManagersTeams); err != nil {
		return nil, fmt.Errorf("space %s managers: %w", s.ID, err)
	}
	if err := json.Unmarshal([]byte(members), &s.SpaceManagersTeamMembers); err != nil {
		return nil, fmt.Errorf("space %s members: %w", s.ID, err)
	}
	return &s, nil
}

// FindSpaceByID returns the space, or ENOTFOUND.
func (db *DB) FindSpaceByID(ctx context.Context, id string) (space *octoinvite.Space, err error) {
	defer wrap(&err, "FindSpaceByID(%q)", id)
	var generation uint64
	if db.spaces != nil {
		if space, generation = db.spaces.lookup(id, db.Now()); space != nil {
			return space, nil
		}
	}
	err = db.viewOne(ctx, func(tx *transaction) error {
		space, err = tx.findSpaceByID(ctx, id)
		return err
	})
	if err == nil && db.spaces != nil {
		db.spaces.store(id, space, generation, db.Now())
	}
	return space, err
}

func (tx *transaction) findSpaceByID(ctx context.Context, raw string) (*octoinvite.Space, error) {
	id, ok := octoinvite.ParseID(octoinvite.KindSpace, raw)
	if !ok {
		return nil, octoinvite.NotFound(octoinvite.Truncate(raw, octoinvite.MaxIDLength))
	}
	s, err := scanSpace(tx.queryRow(ctx, `SELECT `+spaceColumns+` FROM spaces WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, octoinvite.NotFound(id)
	}
	return s, err
}

// FindSpaces returns a page of spaces in ID order.
func (db *DB) FindSpaces(ctx context.Context, filter octoinvite.SpaceFilter) (page octoinvite.Page[*octoinvite.Space], err error) {
	defer wrap(&err, "FindSpaces")
	c := conditions{dialect: db.dialect}
	if filter.IDs != nil {
		c.in("id", canonicalIDs(octoinvite.KindSpace, filter.IDs))
	}
	// Names are compared by their keys (octoinvite.FoldName), a filter's folded as they are.
	if filter.Name != "" {
		c.add(`name_key = ?`, octoinvite.FoldName(filter.Name))
	}
	if partial := octoinvite.FoldName(filter.PartialName); partial != "" {
		c.add(`name_key LIKE ? ESCAPE '\'`, containsPattern(partial))
	}
	err = db.view(ctx, func(tx *transaction) error {
		if err := tx.queryRow(ctx, `SELECT count(*) FROM spaces`+c.where(), c.args...).Scan(&page.Total); err != nil {
			return err
		}
		rows, err := tx.query(ctx, `SELECT `+spaceColumns+` FROM spaces`+c.where()+` ORDER BY seq LIMIT ? OFFSET ?`,
			append(c.args, filter.Take, filter.Skip)...)
		if err != nil {
			return err
		}
		page.Items, err = collect(rows, scanSpace)
		return err
	})
	return page, err
}

// CreateSpace validates the space, gives it an ID and stores it.
func (db *DB) CreateSpace(ctx context.Context, space *octoinvite.Space) (err error) {
	defer wrap(&err, "CreateSpace")
	if err := space.Validate(); err != nil {
		return err
	}
	return db.update(ctx, func(tx *transaction) error {
		if err := tx.checkSpace(ctx, space, nil); err != nil {
			return err
		}
		id, seq, err := tx.nextID(ctx, octoinvite.KindSpace)
		if err != nil {
			return err
		}
		if space.IsDefault {
			if _, err := tx.exec(ctx, `UPDATE spaces SET is_default = 0 WHERE is_default = 1`); err != nil {
				return err
			}
		}
		teamsJSON, _ := json.Marshal(space.SpaceManagersTeams)
		membersJSON, _ := json.Marshal(space.SpaceManagersTeamMembers)
		_, err = tx.exec(ctx, `INSERT INTO spaces (id, seq, name, name_key, slug, slug_key, description, is_default, task_queue_stopped, managers_teams, managers_members, created_on)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, seq, space.Name, octoinvite.FoldName(space.Name), space.Slug, octoinvite.FoldName(space.Slug), space.Description, boolInt(space.IsDefault), boolInt(space.TaskQueueStopped), string(teamsJSON), string(membersJSON), tx.now.UnixMilli())
		if tx.db.dialect.isUnique(err) {
			return spaceNameTaken(space)
		} else if err != nil {
			return err
		}
		space.ID = id
		return tx.recordEvent(ctx, &octoinvite.Event{Category: octoinvite.EventCreated, SpaceID: &space.ID,
			Message: fmt.Sprintf("Space %s (%s) was created", id, space.Name), RelatedDocumentIDs: []string{id}})
	})
}

func spaceNameTaken(space *octoinvite.Space) error {
	return octoinvite.Conflict(fmt.Sprintf("A space with the name '%s' or the slug '%s' already exists.", space.Name, space.Slug))
}

// checkSpace puts the space's managers in canonical form, refusing unknown teams and users,
// and refuses a name or slug whose key (octoinvite.FoldName) another space holds. current is
// the space as stored, for a change (nil for a new space): a name or slug that keeps its key
// is not checked again, so that a space that migration 10 found clashing with an older one
// can still be changed (see nameKeysMigration).
func (tx *transaction) checkSpace(ctx context.Context, space *octoinvite.Space, current *octoinvite.Space) error {
	teams, err := tx.existingTeams(ctx, space.SpaceManagersTeams)
	if err != nil {
		return err
	}
	var unknownTeams []string
	space.SpaceManagersTeams = make([]string, 0, len(teams))
	for _, t := range teams {
		if t.id == "" {
			unknownTeams = append(unknownTeams, t.raw)
		} else if !slices.Contains(space.SpaceManagersTeams, t.id) {
			space.SpaceManagersTeams = append(space.SpaceManagersTeams, t.id)
		}
	}
	problems := notFoundProblems("team", "teams", unknownTeams)
	members, err := tx.checkMembers(ctx, space.SpaceManagersTeamMembers)
	if octoinvite.ErrorCode(err) == octoinvite.EINVALID {
		problems = append(problems, octoinvite.ErrorDetails(err)...)
	} else if err != nil {
		return err
	}
	if len(problems) > 0 {
		return octoinvite.Invalid(problems...)
	}
	space.SpaceManagersTeamMembers = members
	var keys []string
	var args []any
	except := ""
	if current != nil {
		except = current.ID
	}
	if key := octoinvite.FoldName(space.Name); current == nil || key != octoinvite.FoldName(current.Name) {
		keys, args = append(keys, "name_key = ?"), append(args, key)
	}
	if key := octoinvite.FoldName(space.Slug); current == nil || key != octoinvite.FoldName(current.Slug) {
		keys, args = append(keys, "slug_key = ?"), append(args, key)
	}
	if len(keys) == 0 {
		return nil
	}
	var taken int
	if err := tx.queryRow(ctx, `SELECT count(*) FROM spaces WHERE (`+strings.Join(keys, " OR ")+`) AND id <> ?`,
		append(args, except)...).Scan(&taken); err != nil {
		return err
	} else if taken > 0 {
		return spaceNameTaken(space)
	}
	return nil
}

// UpdateSpace stores the space's fields in place of those of the space with its ID; see
// octoinvite.SpaceService.
func (db *DB) UpdateSpace(ctx context.Context, space *octoinvite.Space) (err error) {
	defer wrap(&err, "UpdateSpace(%q)", space.ID)
	id, ok := octoinvite.ParseID(octoinvite.KindSpace, space.ID)
	if !ok {
		return octoinvite.NotFound(octoinvite.Truncate(space.ID, octoinvite.MaxIDLength))
	}
	if err := space.Validate(); err != nil {
		return err
	}
	return db.update(ctx, func(tx *transaction) error {
		current, err := tx.findSpaceByID(ctx, id)
		if err != nil {
			return err
		}
		if err := tx.checkSpace(ctx, space, current); err != nil {
			return err
		}
		if space.IsDefault && !current.IsDefault {
			if _, err := tx.exec(ctx, `UPDATE spaces SET is_default = 0 WHERE is_default = 1`); err != nil {
				return err
			}
		}
		teamsJSON, _ := json.Marshal(space.SpaceManagersTeams)
		membersJSON, _ := json.Marshal(space.SpaceManagersTeamMembers)
		// A key that changes clears its clash: the space no longer shares it with an older one.
		nameKey, slugKey := octoinvite.FoldName(space.Name), octoinvite.FoldName(space.Slug)
		_, err = tx.exec(ctx, `UPDATE spaces SET name = ?, slug = ?, description = ?, is_default = ?, task_queue_stopped = ?,
			managers_teams = ?, managers_members = ?,
			name_clash = CASE WHEN name_key = ? THEN name_clash ELSE '' END, name_key = ?,
			slug_clash = CASE WHEN slug_key = ? THEN slug_clash ELSE '' END, slug_key = ? WHERE id = ?`,
			space.Name, space.Slug, space.Description, boolInt(space.IsDefault), boolInt(space.TaskQueueStopped),
			string(teamsJSON), string(membersJSON), nameKey, nameKey, slugKey, slugKey, id)
		if tx.db.dialect.isUnique(err) {
			return spaceNameTaken(space)
		} else if err != nil {
			return err
		}
		space.ID = id
		return tx.recordEvent(ctx, &octoinvite.Event{Category: octoinvite.EventModified, SpaceID: &space.ID,
			Message:            fmt.Sprintf("Space %s (%s) was changed%s", id, space.Name, spaceChanges(current, space)),
			RelatedDocumentIDs: []string{id}})
	})
}

// spaceChanges describes, for the audit log, what changed from before to after.
func spaceChanges(before, after *octoinvite.Space) string {
	var changes []string
	if before.Name != after.Name {
		changes = append(changes, fmt.Sprintf("renamed from '%s'", before.Name))
	}
	if before.Slug != after.Slug {
		changes = append(changes, fmt.Sprintf("slug '%s'", after.Slug))
	}
	if before.Description != after.Description {
		changes = append(changes, "description changed")
	}
	switch {
	case after.IsDefault && !before.IsDefault:
		changes = append(changes, "made the default space")
	case before.IsDefault && !after.IsDefault:
		changes = append(changes, "no longer the default space")
	}
	switch {
	case after.TaskQueueStopped && !before.TaskQueueStopped:
		changes = append(changes, "task queue stopped")
	case before.TaskQueueStopped && !after.TaskQueueStopped:
		changes = append(changes, "task queue started")
	}
	if !slices.Equal(before.SpaceManagersTeams, after.SpaceManagersTeams) || !slices.Equal(before.SpaceManagersTeamMembers, after.SpaceManagersTeamMembers) {
		changes = append(changes, "managers changed")
	}
	if len(changes) == 0 {
		return ""
	}
	return ": " + strings.Join(changes, ", ")
}

// DeleteSpace deletes the space, its teams and its invitations; see octoinvite.SpaceService.
func (db *DB) DeleteSpace(ctx context.Context, raw string) (err error) {
	defer wrap(&err, "DeleteSpace(%q)", raw)
	id, ok := octoinvite.ParseID(octoinvite.KindSpace, raw)
	if !ok {
		return octoinvite.NotFound(octoinvite.Truncate(raw, octoinvite.MaxIDLength))
	}
	return db.update(ctx, func(tx *transaction) error {
		space, err := tx.findSpaceByID(ctx, id)
		if err != nil {
			return err
		}
		if !space.TaskQueueStopped {
			return octoinvite.ErrSpaceTaskQueueRunning
		}
		teams, err := tx.ids(ctx, `SELECT id FROM teams WHERE space_id = ? ORDER BY seq`, id)
		if err != nil {
			return err
		}
		invitations, err := tx.ids(ctx, `SELECT id FROM invitations WHERE space_id = ? ORDER BY seq`, id)
		if err != nil {
			return err
		}
		for _, stmt := range []string{
			`DELETE FROM invitation_removed_teams WHERE invitation_id IN (SELECT id FROM invitations WHERE space_id = ?)`,
			`DELETE FROM invitation_teams WHERE invitation_id IN (SELECT id FROM invitations WHERE space_id = ?)`,
			`DELETE FROM invitations WHERE space_id = ?`,
			`DELETE FROM team_members WHERE team_id IN (SELECT id FROM teams WHERE space_id = ?)`,
			`DELETE FROM teams WHERE space_id = ?`,
			`DELETE FROM spaces WHERE id = ?`,
		} {
			if _, err := tx.exec(ctx, stmt, id); err != nil {
				return err
			}
		}
		if err := tx.dropManagers(ctx, teams, nil); err != nil {
			return err
		}
		message := fmt.Sprintf("Space %s (%s) was deleted", id, space.Name)
		if len(teams) > 0 {
			message += fmt.Sprintf(", with its teams %s", strings.Join(teams, ", "))
		}
		if len(invitations) > 0 {
			message += fmt.Sprintf(", and its invitations %s", strings.Join(invitations, ", "))
		}
		related := append(append([]string{id}, teams...), invitations...)
		return tx.recordEvent(ctx, &octoinvite.Event{Category: octoinvite.EventDeleted, SpaceID: &space.ID,
			Message: message, RelatedDocumentIDs: related})
	})
}

// ids returns the first column of the rows of a query, such as the IDs of documents.
func (tx *transaction) ids(ctx context.Context, query string, args ...any) ([]string, error) {
	rows, err := tx.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(row interface{ Scan(...any) error }) (string, error) {
		var id string
		return id, row.Scan(&id)
	})
}

// dropManagers removes deleted teams and users from the managers of every space.
func (tx *transaction) dropManagers(ctx context.Context, teams, users []string) error {
	if len(teams) == 0 && len(users) == 0 {
		return nil
	}
	rows, err := tx.query(ctx, `SELECT `+spaceColumns+` FROM spaces ORDER BY seq`)
	if err != nil {
		return err
	}
	spaces, err := collect(rows, scanSpace)
	if err != nil {
		return err
	}
	for _, space := range spaces {
		keptTeams := slices.DeleteFunc(slices.Clone(space.SpaceManagersTeams), func(id string) bool { return slices.Contains(teams, id) })
		keptUsers := slices.DeleteFunc(slices.Clone(space.SpaceManagersTeamMembers), func(id string) bool { return slices.Contains(users, id) })
		if len(keptTeams) == len(space.SpaceManagersTeams) && len(keptUsers) == len(space.SpaceManagersTeamMembers) {
			continue
		}
		teamsJSON, _ := json.Marshal(keptTeams)
		membersJSON, _ := json.Marshal(keptUsers)
		if _, err := tx.exec(ctx, `UPDATE spaces SET managers_teams = ?, managers_members = ? WHERE id = ?`,
			string(teamsJSON), string(membersJSON), space.ID); err != nil {
			return err
		}
	}
	return nil
}

// FindDefaultSpace returns the installation's default space, or octoinvite.ErrNoDefaultSpace
// if none is marked. On SQLite it is cached with the spaces, under the key "", which no space ID
// is.
func (db *DB) FindDefaultSpace(ctx context.Context) (space *octoinvite.Space, err error) {
	defer wrap(&err, "FindDefaultSpace")
	var generation uint64
	if db.spaces != nil {
		if space, generation = db.spaces.lookup("", db.Now()); space != nil {
			return space, nil
		}
	}
	err = db.viewOne(ctx, func(tx *transaction) error {
		space, err = scanSpace(tx.queryRow(ctx, `SELECT `+spaceColumns+` FROM spaces WHERE is_default = 1 ORDER BY seq LIMIT 1`))
		if errors.Is(err, sql.ErrNoRows) {
			return octoinvite.ErrNoDefaultSpace
		}
		return err
	})
	if err == nil && db.spaces != nil {
		db.spaces.store("", space, generation, db.Now())
	}
	return space, err
}

// collect scans every row with scan and closes rows.
func collect[T any](rows *sql.Rows, scan func(interface{ Scan(...any) error }) (T, error)) ([]T, error) {
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// collectJoined reads the rows of a query that joins documents with a list each of them holds
// (a LEFT JOIN, ordered so that a document's rows are consecutive), and closes rows. Each row
// holds the document's ID, one item of its list (NULL when the list is empty), then the
// columns that dest receives. A document is built from its first row alone (build, once dest
// holds that row); add appends each item to it.
func collectJoined[T any](rows *sql.Rows, dest []any, build func(id string) (T, error), add func(doc T, item string)) ([]T, error) {
	defer rows.Close()
	var id, lastID string
	var item sql.NullString
	dest = append([]any{&id, &item}, dest...)
	out := []T{}
	var doc T
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		if len(out) == 0 || id != lastID {
			var err error
			if doc, err = build(id); err != nil {
				return nil, err
			}
			out = append(out, doc)
			lastID = id
		}
		if item.Valid {
			add(doc, item.String)
		}
	}
	return out, rows.Err()
}
