package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

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
	if filter.PartialName != "" {
		c.add(`lower(name) LIKE ? ESCAPE '\'`, likePattern(filter.PartialName))
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
		var problems []string
		teams, err := tx.existingTeams(ctx, space.SpaceManagersTeams)
		if err != nil {
			return err
		}
		space.SpaceManagersTeams = make([]string, 0, len(teams))
		for _, t := range teams {
			if t.id == "" {
				problems = append(problems, fmt.Sprintf("The team '%s' does not exist.", octoinvite.Truncate(t.raw, octoinvite.MaxIDLength)))
			}
			space.SpaceManagersTeams = append(space.SpaceManagersTeams, t.id)
		}
		requested := space.SpaceManagersTeamMembers
		members, err := tx.existingUsers(ctx, requested)
		if err != nil {
			return err
		}
		space.SpaceManagersTeamMembers = make([]string, 0, len(members))
		for i, id := range members {
			if id == "" {
				problems = append(problems, fmt.Sprintf("The user '%s' does not exist.", octoinvite.Truncate(requested[i], octoinvite.MaxIDLength)))
			}
			space.SpaceManagersTeamMembers = append(space.SpaceManagersTeamMembers, id)
		}
		if len(problems) > 0 {
			return octoinvite.Invalid(problems...)
		}
		var taken int
		if err := tx.queryRow(ctx, `SELECT count(*) FROM spaces WHERE lower(name) = lower(?) OR lower(slug) = lower(?)`,
			space.Name, space.Slug).Scan(&taken); err != nil {
			return err
		} else if taken > 0 {
			return octoinvite.Conflict(fmt.Sprintf("A space with the name '%s' or the slug '%s' already exists.", space.Name, space.Slug))
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
		_, err = tx.exec(ctx, `INSERT INTO spaces (id, seq, name, slug, description, is_default, task_queue_stopped, managers_teams, managers_members, created_on)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, seq, space.Name, space.Slug, space.Description, boolInt(space.IsDefault), boolInt(space.TaskQueueStopped), string(teamsJSON), string(membersJSON), tx.now.UnixMilli())
		if tx.db.dialect.isUnique(err) {
			return octoinvite.Conflict(fmt.Sprintf("A space with the name '%s' or the slug '%s' already exists.", space.Name, space.Slug))
		} else if err != nil {
			return err
		}
		space.ID = id
		return nil
	})
}

// FindDefaultSpace returns the installation's default space, or ENOTFOUND if none is marked.
func (db *DB) FindDefaultSpace(ctx context.Context) (space *octoinvite.Space, err error) {
	defer wrap(&err, "FindDefaultSpace")
	err = db.view(ctx, func(tx *transaction) error {
		space, err = scanSpace(tx.queryRow(ctx, `SELECT `+spaceColumns+` FROM spaces WHERE is_default = 1 ORDER BY seq LIMIT 1`))
		if errors.Is(err, sql.ErrNoRows) {
			return octoinvite.Errorf(octoinvite.ENOTFOUND, "There is no default space.")
		}
		return err
	})
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
