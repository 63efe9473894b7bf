package sqldb

import (
	"context"
	"strings"
	"testing"

	"github.com/octoinvite/octoinvite"
)

// spaceIDs returns the IDs of a page's spaces, joined by spaces.
func spaceIDs(page octoinvite.Page[*octoinvite.Space]) string {
	var out []string
	for _, s := range page.Items {
		out = append(out, s.ID)
	}
	return strings.Join(out, " ")
}

// TestStoreNamesFolded: space names, space slugs and team names are compared by
// octoinvite.FoldName on every store, not by the database's lower() (which on SQLite folds
// ASCII only): a name that folds to a taken one is refused with the conflict a taken name
// gets, and the name filters find a name by any of its spellings.
func TestStoreNamesFolded(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		mustDo(t, db.CreateSpace(ctx, &octoinvite.Space{Name: "équipe"}))               // Spaces-2
		mustDo(t, db.CreateSpace(ctx, &octoinvite.Space{Name: "Road", Slug: "straße"})) // Spaces-3
		mustDo(t, db.CreateSpace(ctx, &octoinvite.Space{Name: "ops"}))                  // Spaces-4
		mustDo(t, db.CreateTeam(ctx, &octoinvite.Team{Name: "équipe", SpaceID: ptr("Spaces-1")}))
		mustDo(t, db.CreateTeam(ctx, &octoinvite.Team{Name: "Straße", SpaceID: ptr("Spaces-1")}))

		conflicts := []struct {
			name   string
			create func() error
			want   error
		}{
			{"SpaceNameCase", func() error { return db.CreateSpace(ctx, &octoinvite.Space{Name: "Équipe", Slug: "crew"}) },
				octoinvite.Conflict("A space with the name 'Équipe' or the slug 'crew' already exists.")},
			{"SpaceNameDecomposed", func() error { return db.CreateSpace(ctx, &octoinvite.Space{Name: "E\u0301QUIPE", Slug: "crew"}) },
				octoinvite.Conflict("A space with the name 'E\u0301QUIPE' or the slug 'crew' already exists.")},
			{"SpaceNameFullwidth", func() error { return db.CreateSpace(ctx, &octoinvite.Space{Name: "ＯＰＳ", Slug: "crew"}) },
				octoinvite.Conflict("A space with the name 'ＯＰＳ' or the slug 'crew' already exists.")},
			{"SpaceNameZeroWidth", func() error { return db.CreateSpace(ctx, &octoinvite.Space{Name: "o\u200bps", Slug: "crew"}) },
				octoinvite.Conflict("A space with the name 'o\u200bps' or the slug 'crew' already exists.")},
			{"SpaceSlugFolded", func() error { return db.CreateSpace(ctx, &octoinvite.Space{Name: "Route", Slug: "strasse"}) },
				octoinvite.Conflict("A space with the name 'Route' or the slug 'strasse' already exists.")},
			{"SpaceSlugFullwidth", func() error { return db.CreateSpace(ctx, &octoinvite.Space{Name: "Operations", Slug: "ｏｐｓ"}) },
				octoinvite.Conflict("A space with the name 'Operations' or the slug 'ｏｐｓ' already exists.")},
			{"TeamNameCase", func() error { return db.CreateTeam(ctx, &octoinvite.Team{Name: "Équipe", SpaceID: ptr("Spaces-1")}) },
				octoinvite.Conflict("A team with the name 'Équipe' already exists in this space.")},
			{"TeamNameFolded", func() error { return db.CreateTeam(ctx, &octoinvite.Team{Name: "STRASSE", SpaceID: ptr("Spaces-1")}) },
				octoinvite.Conflict("A team with the name 'STRASSE' already exists in this space.")},
			{"SystemTeamNameFullwidth", func() error { return db.CreateTeam(ctx, &octoinvite.Team{Name: "ＥＶＥＲＹＯＮＥ"}) },
				octoinvite.Conflict("A team with the name 'ＥＶＥＲＹＯＮＥ' already exists in this space.")},
			{"TeamRenamedOntoAnother", func() error {
				return db.UpdateTeam(ctx, &octoinvite.Team{ID: "Teams-2", Name: "ÉQUIPE", SpaceID: ptr("Spaces-1")})
			}, octoinvite.Conflict("A team with the name 'ÉQUIPE' already exists in this space.")},
			{"SpaceRenamedOntoAnother", func() error {
				return db.UpdateSpace(ctx, &octoinvite.Space{ID: "Spaces-4", Name: "Équipe", Slug: "ops"})
			}, octoinvite.Conflict("A space with the name 'Équipe' or the slug 'ops' already exists.")},
			{"SameTeamNameInAnotherSpace", func() error { return db.CreateTeam(ctx, &octoinvite.Team{Name: "Équipe", SpaceID: ptr("Spaces-2")}) }, nil},
			{"TeamRenamedInCase", func() error {
				return db.UpdateTeam(ctx, &octoinvite.Team{ID: "Teams-1", Name: "Équipe", SpaceID: ptr("Spaces-1")})
			}, nil},
			{"SpaceRenamedInCase", func() error {
				return db.UpdateSpace(ctx, &octoinvite.Space{ID: "Spaces-2", Name: "ÉQUIPE", Slug: "équipe"})
			}, nil},
		}
		for _, tc := range conflicts {
			t.Run(tc.name, func(t *testing.T) {
				if err := tc.create(); !sameError(err, tc.want) {
					t.Errorf("got %v, want %v", err, tc.want)
				}
			})
		}

		all := octoinvite.Range{Take: 100}
		for _, tc := range []struct{ name, partial, want string }{
			{"ÉQUIPE", "", "Spaces-2"},
			{"e\u0301quipe", "", "Spaces-2"},
			{"ＯＰＳ", "", "Spaces-4"},
			{"equipe", "", ""},
			{"", "QUIP", "Spaces-2"},
			{"", "ÉQU", "Spaces-2"},
			{"", "e\u0301qu", "Spaces-2"},
			{"", "ＯＰ", "Spaces-4"},
			{"", "%", ""},
		} {
			page, err := db.FindSpaces(ctx, octoinvite.SpaceFilter{Name: tc.name, PartialName: tc.partial, Range: all})
			mustDo(t, err)
			if got := spaceIDs(page); got != tc.want || page.Total != len(page.Items) {
				t.Errorf("FindSpaces(name %+q, partialName %+q) = %q (total %d), want %q", tc.name, tc.partial, got, page.Total, tc.want)
			}
		}
		for _, tc := range []struct{ partial, want string }{
			{"ÉQUIPE", "Teams-1 Teams-3"},
			{"QUIP", "Teams-1 Teams-3"},
			{"strasse", "Teams-2"},
			{"ＳＴＲＡＳ", "Teams-2"},
			{"ＥＶＥＲＹ", "teams-everyone"},
			{"_", ""},
		} {
			page, err := db.FindTeams(ctx, octoinvite.TeamFilter{PartialName: tc.partial, IncludeSystem: true, Range: all})
			mustDo(t, err)
			if got := strings.Join(teamIDs(page.Items), " "); got != tc.want {
				t.Errorf("FindTeams(partialName %+q) = %q, want %q", tc.partial, got, tc.want)
			}
		}
	})
}

// TestStoreNameKeysMigration runs migration 10 over spaces and teams stored before it, on each
// store: each gets its folded name (and slug) as its key; of rows whose keys collide in one
// scope, all keep their names and the key, the younger ones with their own IDs in the clash
// column. Both are found by the filters, both can still be changed, and a new name
// with the key is refused.
func TestStoreNameKeysMigration(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		for _, s := range []*octoinvite.Space{
			{Name: "Équipe"},               // Spaces-2
			{Name: "Crew"},                 // Spaces-3, to be "E\u0301quipe"
			{Name: "Road", Slug: "straße"}, // Spaces-4
			{Name: "Route"},                // Spaces-5, to have the slug "strasse"
			{Name: "ＯＰＳ"},                  // Spaces-6
			{Name: "Ops Two"},              // Spaces-7, to be "ops" with the slug "ops"
		} {
			mustDo(t, db.CreateSpace(ctx, s))
		}
		for _, team := range []*octoinvite.Team{
			{Name: "Straße", SpaceID: ptr("Spaces-2")},  // Teams-1
			{Name: "Other", SpaceID: ptr("Spaces-2")},   // Teams-2, to be "STRASSE"
			{Name: "STRASSE", SpaceID: ptr("Spaces-3")}, // Teams-3
			{Name: "Helpers"},                           // Teams-4, a system team to be "ＥＶＥＲＹＯＮＥ"
		} {
			mustDo(t, db.CreateTeam(ctx, team))
		}
		exec := func(query string, args ...any) {
			t.Helper()
			if _, err := db.write.ExecContext(ctx, db.dialect.rebind(query), args...); err != nil {
				t.Fatalf("%s: %v", query, err)
			}
		}
		// Back to the tables of migration 9, unique on lower(name) and lower(slug), with names
		// that they let in on both databases (PostgreSQL's lower() neither normalises nor folds
		// widths or ß).
		for _, stmt := range []string{
			`DROP INDEX spaces_name_key`, `DROP INDEX spaces_slug_key`, `DROP INDEX teams_name_key`,
			`ALTER TABLE spaces DROP COLUMN name_key`, `ALTER TABLE spaces DROP COLUMN name_clash`,
			`ALTER TABLE spaces DROP COLUMN slug_key`, `ALTER TABLE spaces DROP COLUMN slug_clash`,
			`ALTER TABLE teams DROP COLUMN name_key`, `ALTER TABLE teams DROP COLUMN name_clash`,
			`CREATE UNIQUE INDEX spaces_name ON spaces (lower(name))`,
			`CREATE UNIQUE INDEX spaces_slug ON spaces (lower(slug))`,
			`CREATE UNIQUE INDEX teams_name ON teams (coalesce(space_id, ''), lower(name))`,
		} {
			exec(stmt)
		}
		exec(`UPDATE spaces SET name = ? WHERE id = 'Spaces-3'`, "E\u0301quipe")
		exec(`UPDATE spaces SET slug = 'strasse' WHERE id = 'Spaces-5'`)
		exec(`UPDATE spaces SET name = 'ops', slug = 'ops' WHERE id = 'Spaces-7'`)
		exec(`UPDATE teams SET name = 'STRASSE' WHERE id = 'Teams-2'`)
		exec(`UPDATE teams SET name = ? WHERE id = 'Teams-4'`, "ＥＶＥＲＹＯＮＥ")

		tx, err := db.write.BeginTx(ctx, nil)
		mustDo(t, err)
		if err := nameKeysMigration(db.dialect).UpFnContext(ctx, tx); err != nil {
			tx.Rollback()
			t.Fatalf("migration 10: %v", err)
		}
		mustDo(t, tx.Commit())

		rows := func(query string) string {
			t.Helper()
			r, err := db.read.QueryContext(ctx, query)
			mustDo(t, err)
			var out []string
			for r.Next() {
				var a, b, c, d, e string
				mustDo(t, r.Scan(&a, &b, &c, &d, &e))
				out = append(out, strings.Join([]string{a, b, c, d, e}, ","))
			}
			mustDo(t, closeRows(r))
			return strings.Join(out, "|")
		}
		wantSpaces := "Spaces-1,default,,default,|Spaces-2,équipe,,équipe,|Spaces-3,équipe,Spaces-3,crew,|Spaces-4,road,,strasse,|" +
			"Spaces-5,route,,strasse,Spaces-5|Spaces-6,ops,,ops,|Spaces-7,ops,Spaces-7,ops,Spaces-7"
		if got := rows(`SELECT id, name_key, name_clash, slug_key, slug_clash FROM spaces ORDER BY seq`); got != wantSpaces {
			t.Errorf("got spaces\n%+q\nwant\n%+q", got, wantSpaces)
		}
		wantTeams := "teams-administrators,,octopus administrators,,|teams-everyone,,everyone,,|Teams-1,Spaces-2,strasse,,|" +
			"Teams-2,Spaces-2,strasse,Teams-2,|Teams-3,Spaces-3,strasse,,|Teams-4,,everyone,Teams-4,"
		if got := rows(`SELECT id, coalesce(space_id, ''), name_key, name_clash, '' FROM teams ORDER BY seq, id`); got != wantTeams {
			t.Errorf("got teams\n%+q\nwant\n%+q", got, wantTeams)
		}

		// Filters find every row of a key.
		page, err := db.FindSpaces(ctx, octoinvite.SpaceFilter{Name: "ÉQUIPE", Range: octoinvite.Range{Take: 10}})
		mustDo(t, err)
		if got := spaceIDs(page); got != "Spaces-2 Spaces-3" {
			t.Errorf("FindSpaces(name ÉQUIPE) = %q, want both", got)
		}
		teams, err := db.FindTeams(ctx, octoinvite.TeamFilter{PartialName: "Straße", SpaceIDs: []string{"Spaces-2"}, Range: octoinvite.Range{Take: 10}})
		mustDo(t, err)
		if got := strings.Join(teamIDs(teams.Items), " "); got != "Teams-1 Teams-2" {
			t.Errorf("FindTeams(partialName Straße) = %q, want both", got)
		}

		// Rows that clash can still be changed while they keep their names; a new name with the
		// key, or a rename onto it, is refused, whichever row holds it.
		mustDo(t, db.UpdateSpace(ctx, &octoinvite.Space{ID: "Spaces-3", Name: "E\u0301QUIPE", Slug: "crew", Description: "kept"}))
		mustDo(t, db.UpdateSpace(ctx, &octoinvite.Space{ID: "Spaces-7", Name: "ops", Slug: "ops", Description: "kept"}))
		mustDo(t, db.UpdateTeam(ctx, &octoinvite.Team{ID: "Teams-2", Name: "STRASSE", Description: "kept", SpaceID: ptr("Spaces-2")}))
		mustDo(t, db.UpdateTeam(ctx, &octoinvite.Team{ID: "Teams-4", Name: "ＥＶＥＲＹＯＮＥ", Description: "kept"}))
		if err, want := db.CreateSpace(ctx, &octoinvite.Space{Name: "équipe", Slug: "crew-two"}),
			octoinvite.Conflict("A space with the name 'équipe' or the slug 'crew-two' already exists."); !sameError(err, want) {
			t.Errorf("a new space named like the clashing ones: got %v, want %v", err, want)
		}
		if err, want := db.CreateTeam(ctx, &octoinvite.Team{Name: "strasse", SpaceID: ptr("Spaces-2")}),
			octoinvite.Conflict("A team with the name 'strasse' already exists in this space."); !sameError(err, want) {
			t.Errorf("a new team named like the clashing ones: got %v, want %v", err, want)
		}

		// A clashing row renamed to a key of its own leaves its clash; renamed back, it is
		// refused like any other.
		mustDo(t, db.UpdateTeam(ctx, &octoinvite.Team{ID: "Teams-2", Name: "Route 66", SpaceID: ptr("Spaces-2")}))
		if got, want := rows(`SELECT id, name_key, name_clash, '', '' FROM teams WHERE id = 'Teams-2'`), "Teams-2,route 66,,,"; got != want {
			t.Errorf("got %+q, want %+q", got, want)
		}
		if err, want := db.UpdateTeam(ctx, &octoinvite.Team{ID: "Teams-2", Name: "STRASSE", SpaceID: ptr("Spaces-2")}),
			octoinvite.Conflict("A team with the name 'STRASSE' already exists in this space."); !sameError(err, want) {
			t.Errorf("renamed back: got %v, want %v", err, want)
		}
	})
}
