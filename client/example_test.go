package client_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"time"

	"github.com/octoinvite/octoinvite"
	"github.com/octoinvite/octoinvite/client"
	ohttp "github.com/octoinvite/octoinvite/http"
	"github.com/octoinvite/octoinvite/sqldb"
)

// exampleKey is the administrator's API key of the example server.
const exampleKey = "API-EXAMPLEADMINISTRATOR000001"

// startServer runs a fresh octoinvite server for an example, its clock stopped at
// 2026-11-26T10:00:00Z, and returns its address and a function that stops it.
func startServer() (string, func()) {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "octoinvite-example")
	if err != nil {
		log.Fatal(err)
	}
	db, err := sqldb.OpenSQLite(ctx, filepath.Join(dir, "octoinvite.db"), []byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		log.Fatal(err)
	}
	db.Now = func() time.Time { return time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC) }
	if err := db.EnsureAdminAPIKey(ctx, exampleKey); err != nil {
		log.Fatal(err)
	}
	api := &ohttp.Server{Spaces: db, Teams: db, Users: db, Invitations: db, Auth: db,
		Application: "octoinvite", Version: "1.0.0", InstallationID: db.InstallationID()}
	srv := httptest.NewServer(api.Handler())
	return srv.URL, func() {
		srv.Close()
		db.Close()
		os.RemoveAll(dir)
	}
}

// Invite someone to a new team of the default space.
func Example() {
	serverURL, stop := startServer()
	defer stop()
	ctx := context.Background()

	c, err := client.New(serverURL, client.WithAPIKey(exampleKey))
	if err != nil {
		log.Fatal(err)
	}
	spaceID := octoinvite.DefaultSpaceID
	team := &octoinvite.Team{Name: "Developers", SpaceID: &spaceID}
	if err := c.CreateTeam(ctx, team); err != nil {
		log.Fatal(err)
	}
	inv := &octoinvite.Invitation{AddToTeamIDs: []string{team.ID}, SpaceID: &spaceID}
	if err := c.CreateInvitation(ctx, inv); err != nil {
		log.Fatal(err)
	}
	fmt.Println(inv.ID, inv.AddToTeamIDs, inv.Expires.Format(time.RFC3339))
	fmt.Println("code of", len(inv.InvitationCode), "characters")
	// Output:
	// Invitations-1 [Teams-1] 2026-11-28T10:00:00Z
	// code of 32 characters
}

// Read the root document, which needs no API key.
func ExampleClient_Root() {
	serverURL, stop := startServer()
	defer stop()

	c, err := client.New(serverURL)
	if err != nil {
		log.Fatal(err)
	}
	root, err := c.Root(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(root.Application, root.APIVersion, root.Links["Invitations"])
	// Output: octoinvite 3.0.0 /api/users/invitations
}

// Tell errors apart with errors.Is; read the server's explanation from *client.Error.
func ExampleError() {
	serverURL, stop := startServer()
	defer stop()
	ctx := context.Background()
	c, err := client.New(serverURL, client.WithAPIKey(exampleKey))
	if err != nil {
		log.Fatal(err)
	}

	_, err = c.FindInvitationByID(ctx, "Invitations-9")
	fmt.Println(errors.Is(err, client.ErrNotFound))

	err = c.CreateInvitation(ctx, &octoinvite.Invitation{}) // AddToTeamIDs is required
	var apiErr *client.Error
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.ErrorMessage)
		fmt.Println(apiErr.Errors)
	}
	// Output:
	// true
	// 400 There was a problem with your request.
	// [Please specify which teams the user will be invited to join.]
}

// Send the key in the ApiKey query parameter, for a proxy that strips custom headers.
func ExampleWithKeyPlacement() {
	serverURL, stop := startServer()
	defer stop()

	c, err := client.New(serverURL, client.WithAPIKey(exampleKey), client.WithKeyPlacement(client.KeyInQuery))
	if err != nil {
		log.Fatal(err)
	}
	me, err := c.Me(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(me.ID, me.Username)
	// Output: Users-1 admin
}

// Go through every space, page after page.
func ExampleClient_AllSpaces() {
	serverURL, stop := startServer()
	defer stop()
	ctx := context.Background()
	c, err := client.New(serverURL, client.WithAPIKey(exampleKey))
	if err != nil {
		log.Fatal(err)
	}
	for _, name := range []string{"Operations", "Support"} {
		if err := c.CreateSpace(ctx, &octoinvite.Space{Name: name}); err != nil {
			log.Fatal(err)
		}
	}

	for space, err := range c.AllSpaces(ctx, octoinvite.SpaceFilter{Range: octoinvite.Range{Take: 2}}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(space.ID, space.Name)
	}
	// Output:
	// Spaces-1 Default
	// Spaces-2 Operations
	// Spaces-3 Support
}
