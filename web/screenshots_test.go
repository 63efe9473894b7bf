package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestScreenshots_browser takes the screenshots of the main pages that docs/portal.md and the
// README show, at a phone's width and a desktop's, into the folder OCTOINVITE_SCREENSHOTS
// names (docs/screenshots, from the repository's root):
//
//	OCTOINVITE_SCREENSHOTS=$PWD/docs/screenshots go test ./web -run TestScreenshots_browser
func TestScreenshots_browser(t *testing.T) {
	dir := os.Getenv("OCTOINVITE_SCREENSHOTS")
	if dir == "" {
		t.Skip("skipping the screenshots: OCTOINVITE_SCREENSHOTS names no folder to write them to")
	}
	env, inv, teamID := setup(t)
	ctx := context.Background()
	platform := env.CreateTeam(t, "Platform", ptr("Spaces-2"))
	dev := env.CreateSpace(t, "Development")
	devTeam := env.CreateTeam(t, "Developers", &dev.ID)
	for _, name := range []string{"john", "mary", "priya"} {
		u := newUser(t, env, name)
		if _, err := env.DB.AcceptInvitation(ctx, u.ID, invite(t, env, 1, ptr("Spaces-2"), teamID, platform.ID).InvitationCode); err != nil {
			t.Fatal(err)
		}
	}
	invite(t, env, 10, &dev.ID, devTeam.ID)
	withdrawn := invite(t, env, 1, ptr("Spaces-2"), platform.ID)
	if _, _, err := env.DB.RevokeInvitation(asAdmin(t, env), withdrawn.ID, "admin"); err != nil {
		t.Fatal(err)
	}
	env.Clock.Advance(3 * time.Hour)
	fresh := invite(t, env, 1, ptr("Spaces-2"), teamID)

	c := newChrome(t)
	// capture saves the page the tab shows, whole, at each width.
	capture := func(tab context.Context, name string) {
		t.Helper()
		for _, width := range widths {
			do(t, tab, "resizing", chromedp.EmulateViewport(width, 800))
			png, err := chromedp.Run(tab, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, name+"-"+strconv.FormatInt(width, 10)+".png"), png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		do(t, tab, "resizing back", chromedp.EmulateViewport(1280, 800))
	}
	// shoot opens the page at path and captures it.
	shoot := func(tab context.Context, path, name string) {
		t.Helper()
		do(t, tab, "opening "+path, chromedp.Navigate(env.URL+path), chromedp.WaitVisible(chromedp.CSS(`h1`)))
		capture(tab, name)
	}

	visitor := c.newTab(false)
	shoot(visitor, "/app/users/sign-in", "sign-in")
	shoot(visitor, "/app/register?invitation="+fresh.InvitationCode, "register")

	admin := c.newTab(true)
	do(t, admin, "signing in", chromedp.Navigate(env.URL+"/app/users/sign-in"), chromedp.WaitVisible(chromedp.CSS(`#username`)),
		chromedp.SendKeys(chromedp.CSS(`#username`), "admin"), chromedp.SendKeys(chromedp.CSS(`#password`), adminPassword),
		chromedp.Submit(chromedp.CSS(`#password`)), chromedp.WaitVisible(chromedp.CSS(`table`)))
	shoot(admin, "/app/configuration/users/invitations", "invitations")
	shoot(admin, "/app/configuration/users/invite?space=Spaces-2", "invite")
	do(t, admin, "inviting", chromedp.Click(chromedp.CSS(`#team-`+teamID)), chromedp.Click(chromedp.CSS(`form[method=post] button.primary`)),
		chromedp.WaitVisible(chromedp.CSS(`#invitation-link`)))
	capture(admin, "invitation-created")
	shoot(admin, "/app/configuration/users/invitations/"+withdrawn.ID, "invitation-withdrawn")
	shoot(admin, "/app/configuration/teams", "teams")
	shoot(admin, "/app/configuration/teams/"+teamID, "team")
	shoot(admin, "/app/configuration/audit", "audit")

	jane := c.newTab(false)
	do(t, jane, "registering", chromedp.Navigate(env.URL+"/app/register?invitation="+inv.InvitationCode), chromedp.WaitVisible(chromedp.CSS(`#username`)),
		chromedp.SendKeys(chromedp.CSS(`#username`), "jane"), chromedp.SendKeys(chromedp.CSS(`#display-name`), "Jane Doe"),
		chromedp.SendKeys(chromedp.CSS(`#email`), "jane@example.com"), chromedp.SendKeys(chromedp.CSS(`#password`), "correct horse battery"),
		chromedp.Click(chromedp.CSS(`form[action="/app/register"] button`)), chromedp.WaitVisible(chromedp.CSS(`.notice`)))
	capture(jane, "profile")
	do(t, jane, "creating a key", chromedp.Navigate(env.URL+"/app/users/me/apikeys"),
		chromedp.WaitVisible(chromedp.CSS(`#purpose`)), chromedp.SendKeys(chromedp.CSS(`#purpose`), "laptop"),
		chromedp.Click(chromedp.CSS(`form[action="/app/users/me/apikeys"] button`)), chromedp.WaitVisible(chromedp.CSS(`#new-key`)))
	capture(jane, "apikeys")
}
