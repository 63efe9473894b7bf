package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/octoinvite/octoinvite"
)

var _ octoinvite.UserService = (*DB)(nil)

// userColumns selects a user and whether it belongs to the administrators team.
const userColumns = `u.id, u.username, u.display_name, u.email_address, u.is_active, u.is_service,
	EXISTS (SELECT 1 FROM team_members a WHERE a.team_id = 'teams-administrators' AND a.user_id = u.id)`

func scanUser(row interface{ Scan(...any) error }) (*octoinvite.User, error) {
	var u octoinvite.User
	if err := row.Scan(&u.ID, &u.Username, &u.DisplayName, &u.EmailAddress, &u.IsActive, &u.IsService, &u.IsAdministrator); err != nil {
		return nil, err
	}
	u.CanPasswordBeEdited = !u.IsService
	u.Identities = []any{}
	return &u, nil
}

// FindUserByID returns the user, or ENOTFOUND.
func (db *DB) FindUserByID(ctx context.Context, raw string) (user *octoinvite.User, err error) {
	defer wrap(&err, "FindUserByID(%q)", raw)
	id, ok := octoinvite.ParseID(octoinvite.KindUser, raw)
	if !ok {
		return nil, octoinvite.NotFound(octoinvite.Truncate(raw, octoinvite.MaxIDLength))
	}
	err = db.view(ctx, func(tx *transaction) error {
		user, err = scanUser(tx.queryRow(ctx, `SELECT `+userColumns+` FROM users u WHERE u.id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return octoinvite.NotFound(id)
		}
		return err
	})
	return user, err
}

// FindUserByUsername returns the user whose folded username is username's, by the unique
// index that sign-in uses; see octoinvite.UserService.
func (db *DB) FindUserByUsername(ctx context.Context, username string) (user *octoinvite.User, err error) {
	defer wrap(&err, "FindUserByUsername")
	notFound := octoinvite.Errorf(octoinvite.ENOTFOUND, "There is no user named '%s'.", octoinvite.Truncate(username, octoinvite.MaxIDLength))
	key := octoinvite.FoldUsername(strings.TrimSpace(username))
	if key == "" {
		return nil, notFound
	}
	err = db.viewOne(ctx, func(tx *transaction) error {
		user, err = scanUser(tx.queryRow(ctx, `SELECT `+userColumns+` FROM users u WHERE u.username_key = ?`, key))
		if errors.Is(err, sql.ErrNoRows) {
			return notFound
		}
		return err
	})
	return user, err
}

// FindUsers returns a page of users in ID order.
func (db *DB) FindUsers(ctx context.Context, filter octoinvite.UserFilter) (page octoinvite.Page[*octoinvite.User], err error) {
	defer wrap(&err, "FindUsers")
	c := conditions{dialect: db.dialect}
	if filter.IDs != nil {
		c.in("u.id", canonicalIDs(octoinvite.KindUser, filter.IDs))
	}
	if partial := octoinvite.FoldName(filter.Filter); partial != "" {
		c.add(`u.search_key LIKE ? ESCAPE '\'`, containsPattern(partial))
	}
	err = db.view(ctx, func(tx *transaction) error {
		if err := tx.queryRow(ctx, `SELECT count(*) FROM users u`+c.where(), c.args...).Scan(&page.Total); err != nil {
			return err
		}
		rows, err := tx.query(ctx, `SELECT `+userColumns+` FROM users u`+c.where()+` ORDER BY u.seq LIMIT ? OFFSET ?`,
			append(c.args, filter.Take, filter.Skip)...)
		if err != nil {
			return err
		}
		page.Items, err = collect(rows, scanUser)
		return err
	})
	return page, err
}

// FindUserSpaces returns every space for an administrator, otherwise the spaces of the user's
// teams, in ID order.
func (db *DB) FindUserSpaces(ctx context.Context, raw string) (spaces []*octoinvite.Space, err error) {
	defer wrap(&err, "FindUserSpaces(%q)", raw)
	user, err := db.FindUserByID(ctx, raw)
	if err != nil {
		return nil, err
	}
	err = db.view(ctx, func(tx *transaction) error {
		var rows *sql.Rows
		if user.IsAdministrator {
			rows, err = tx.query(ctx, `SELECT `+spaceColumns+` FROM spaces ORDER BY seq`)
		} else {
			rows, err = tx.query(ctx, `SELECT `+spaceColumns+` FROM spaces WHERE id IN (
				SELECT t.space_id FROM teams t JOIN team_members m ON m.team_id = t.id WHERE m.user_id = ?)
				ORDER BY seq`, user.ID)
		}
		if err != nil {
			return err
		}
		spaces, err = collect(rows, scanSpace)
		return err
	})
	return spaces, err
}

// CreateUser stores a new active user, a member of the Everyone team, and gives it an ID. A
// username taken by another user, compared by octoinvite.FoldUsername, is ECONFLICT.
func (db *DB) CreateUser(ctx context.Context, user *octoinvite.User) (err error) {
	defer wrap(&err, "CreateUser")
	return db.update(ctx, func(tx *transaction) error { return tx.insertUser(ctx, user, "") })
}

// userSearchKey is what the users' filter matches: the user's username, display name and email
// address, each folded as octoinvite.FoldName folds names, one to a line. A folded text holds no
// line break (FoldName turns white space into spaces), so a filter, folded alike, matches within
// one of them, never across two.
func userSearchKey(u *octoinvite.User) string {
	return octoinvite.FoldName(u.Username) + "\n" + octoinvite.FoldName(u.DisplayName) + "\n" + octoinvite.FoldName(u.EmailAddress)
}

// insertUser stores the user with its password hash (empty for none) and makes it a member of
// the Everyone team.
func (tx *transaction) insertUser(ctx context.Context, user *octoinvite.User, passwordHash string) error {
	conflict := octoinvite.Conflict("A user with the username '" + user.Username + "' already exists.")
	key := octoinvite.FoldUsername(user.Username)
	var taken int
	if err := tx.queryRow(ctx, `SELECT count(*) FROM users WHERE username_key = ?`, key).Scan(&taken); err != nil {
		return err
	} else if taken > 0 {
		return conflict
	}
	id, seq, err := tx.nextID(ctx, octoinvite.KindUser)
	if err != nil {
		return err
	}
	hash := sql.NullString{String: passwordHash, Valid: passwordHash != ""}
	_, err = tx.exec(ctx, `INSERT INTO users (id, seq, username, username_key, display_name, email_address, search_key, is_active, is_service, password_hash, created_on)
		VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)`, id, seq, user.Username, key, user.DisplayName, user.EmailAddress, userSearchKey(user), boolInt(user.IsService), hash, tx.now.UnixMilli())
	if tx.db.dialect.isUnique(err) {
		return conflict
	} else if err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `INSERT INTO team_members (team_id, user_id) VALUES (?, ?)`, octoinvite.EveryoneTeamID, id); err != nil {
		return err
	}
	user.ID = id
	user.IsActive = true
	user.CanPasswordBeEdited = !user.IsService
	user.Identities = []any{}
	return nil
}

// UpdateUser stores the user's username, display name, email address and activity; see
// octoinvite.UserService.
func (db *DB) UpdateUser(ctx context.Context, user *octoinvite.User) (err error) {
	defer wrap(&err, "UpdateUser(%q)", user.ID)
	id, ok := octoinvite.ParseID(octoinvite.KindUser, user.ID)
	if !ok {
		return octoinvite.NotFound(octoinvite.Truncate(user.ID, octoinvite.MaxIDLength))
	}
	current, err := db.FindUserByID(ctx, id)
	if err != nil {
		return err
	}
	if err := user.ValidateChange(current); err != nil {
		return err
	}
	return db.update(ctx, func(tx *transaction) error {
		if !user.IsActive {
			if err := tx.lockAdministrators(ctx); err != nil {
				return err
			}
		}
		var key string
		current, err = scanUser(scanFunc(func(dest ...any) error {
			return tx.queryRow(ctx, `SELECT `+userColumns+`, u.username_key FROM users u WHERE u.id = ?`, id).Scan(append(dest, &key)...)
		}))
		if errors.Is(err, sql.ErrNoRows) {
			return octoinvite.NotFound(id)
		} else if err != nil {
			return err
		}
		if user.Username != current.Username {
			// A username keeps its key while it stays as it is: the key of a user whose folded
			// name collided with an older user's is not a fold (see usernameKeyMigration).
			key = octoinvite.FoldUsername(user.Username)
			var taken int
			if err := tx.queryRow(ctx, `SELECT count(*) FROM users WHERE username_key = ? AND id <> ?`, key, id).Scan(&taken); err != nil {
				return err
			} else if taken > 0 {
				return octoinvite.UsernameTaken(user.Username)
			}
		}
		_, err := tx.exec(ctx, `UPDATE users SET username = ?, username_key = ?, display_name = ?, email_address = ?, search_key = ?, is_active = ? WHERE id = ?`,
			user.Username, key, user.DisplayName, user.EmailAddress, userSearchKey(user), boolInt(user.IsActive), id)
		if tx.db.dialect.isUnique(err) {
			return octoinvite.UsernameTaken(user.Username)
		} else if err != nil {
			return err
		}
		if !user.IsActive {
			// A deactivated user is signed out everywhere: reactivating it revives no session.
			if _, err := tx.exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, id); err != nil {
				return err
			}
			if current.IsAdministrator {
				if err := tx.requireActiveAdministrator(ctx); err != nil {
					return err
				}
			}
		}
		updated := *current
		updated.Username, updated.DisplayName, updated.EmailAddress, updated.IsActive = user.Username, user.DisplayName, user.EmailAddress, user.IsActive
		message := fmt.Sprintf("User %s (%s) was changed%s", id, updated.Username, userChanges(current, &updated))
		*user = updated
		return tx.recordEvent(ctx, &octoinvite.Event{Category: octoinvite.EventModified, Message: message, RelatedDocumentIDs: []string{id}})
	})
}

// userChanges describes, for the audit log, what changed from before to after.
func userChanges(before, after *octoinvite.User) string {
	var changes []string
	if before.Username != after.Username {
		changes = append(changes, fmt.Sprintf("renamed from '%s'", before.Username))
	}
	if before.DisplayName != after.DisplayName {
		changes = append(changes, "display name changed")
	}
	if before.EmailAddress != after.EmailAddress {
		changes = append(changes, "email address changed")
	}
	switch {
	case before.IsActive && !after.IsActive:
		changes = append(changes, "deactivated")
	case !before.IsActive && after.IsActive:
		changes = append(changes, "reactivated")
	}
	if len(changes) == 0 {
		return ""
	}
	return ": " + strings.Join(changes, ", ")
}

// DeleteUser deletes the user, its memberships, API keys and sessions; see
// octoinvite.UserService.
func (db *DB) DeleteUser(ctx context.Context, raw string) (err error) {
	defer wrap(&err, "DeleteUser(%q)", raw)
	id, ok := octoinvite.ParseID(octoinvite.KindUser, raw)
	if !ok {
		return octoinvite.NotFound(octoinvite.Truncate(raw, octoinvite.MaxIDLength))
	}
	if id == octoinvite.AdminUserID {
		return octoinvite.ErrInstallationAdministrator
	}
	return db.update(ctx, func(tx *transaction) error {
		if err := tx.lockAdministrators(ctx); err != nil {
			return err
		}
		user, err := scanUser(tx.queryRow(ctx, `SELECT `+userColumns+` FROM users u WHERE u.id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return octoinvite.NotFound(id)
		} else if err != nil {
			return err
		}
		for _, stmt := range []string{
			`DELETE FROM sessions WHERE user_id = ?`,
			`DELETE FROM api_keys WHERE user_id = ?`,
			`DELETE FROM team_members WHERE user_id = ?`,
			`DELETE FROM users WHERE id = ?`,
		} {
			if _, err := tx.exec(ctx, stmt, id); err != nil {
				return err
			}
		}
		if err := tx.dropManagers(ctx, nil, []string{id}); err != nil {
			return err
		}
		if user.IsAdministrator {
			if err := tx.requireActiveAdministrator(ctx); err != nil {
				return err
			}
		}
		return tx.recordEvent(ctx, &octoinvite.Event{Category: octoinvite.EventDeleted,
			Message: fmt.Sprintf("User %s (%s) was deleted", id, user.Username), RelatedDocumentIDs: []string{id}})
	})
}
