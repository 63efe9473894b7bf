package web_test

import (
	"context"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/octoinvite/octoinvite"
)

// noChromium is why the browser test skips on a machine without Chromium.
const noChromium = "chromium is not installed (apt-get install chromium)"

// browserSkips counts the tests that skipped for want of Chromium.
var browserSkips atomic.Int64

// chromiumPath returns the path of Debian's Chromium, if installed.
func chromiumPath() (string, bool) {
	for _, name := range []string{"/usr/bin/chromium", "chromium"} {
		if path, err := exec.LookPath(name); err == nil {
			return path, true
		}
	}
	return "", false
}

// chromium returns the path of Debian's Chromium, or skips the test.
func chromium(t *testing.T) string {
	t.Helper()
	path, ok := chromiumPath()
	if !ok {
		browserSkips.Add(1)
		t.Skip("skipping the browser test: " + noChromium)
	}
	return path
}

// newChromium starts a headless Chromium with a fresh profile that reaches nothing but the
// test server, with page scripts disabled to prove that the pages need none.
func newChromium(t *testing.T) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium(t)),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelBrowser := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelBrowser(); cancelAlloc() })
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return ctx
}

func TestRegisterPage_browser(t *testing.T) {
	env, inv, teamID := setup(t)
	ctx := newChromium(t)

	link := env.URL + "/app/register?invitation=" + inv.InvitationCode
	if err := chromedp.Do(ctx, chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS(`#username`))); err != nil {
		t.Fatalf("opening the invitation link: %v", err)
	}
	intro, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`main`)))
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`#username`), "jane"),
		chromedp.SendKeys(chromedp.CSS(`#display-name`), "Jane Doe"),
		chromedp.SendKeys(chromedp.CSS(`#email`), "jane@example.com"),
		chromedp.SendKeys(chromedp.CSS(`#password`), "correct horse battery"),
		chromedp.Click(chromedp.CSS(`button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`p[role=status]`)),
	); err != nil {
		t.Fatalf("filling in and submitting the form: %v", err)
	}
	result, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`main`)))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Operations", "On call", "Saturday 28 November 2026 at 10:00 UTC"} {
		if !strings.Contains(intro, want) {
			t.Errorf("got a form page reading %q, want it to mention %q", intro, want)
		}
	}
	if !strings.Contains(result, "Your account jane is ready") || !strings.Contains(result, "What to do next") {
		t.Errorf("got a result page reading %q, want the success page", result)
	}

	page, err := env.DB.FindUsers(context.Background(), octoinvite.UserFilter{Filter: "jane", Range: octoinvite.Range{Take: 10}})
	if err != nil {
		t.Fatal(err)
	}
	if page.Total != 1 || page.Items[0].DisplayName != "Jane Doe" || page.Items[0].EmailAddress != "jane@example.com" {
		t.Fatalf("got users %+v, want jane", page.Items)
	}
	for _, id := range []string{teamID, octoinvite.EveryoneTeamID} {
		team, err := env.DB.FindTeamByID(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if !contains(team.MemberUserIDs, page.Items[0].ID) {
			t.Errorf("got %s members %v, want %s among them", id, team.MemberUserIDs, page.Items[0].ID)
		}
	}

	t.Run("ErrExpiredLink", func(t *testing.T) {
		expired := &octoinvite.Invitation{AddToTeamIDs: []string{teamID}, SpaceID: inv.SpaceID, LastModifiedBy: "admin"}
		if err := env.DB.CreateInvitation(context.Background(), expired); err != nil {
			t.Fatal(err)
		}
		env.Clock.Advance(octoinvite.DefaultInvitationLifetime)
		if err := chromedp.Do(ctx,
			chromedp.Navigate(env.URL+"/app/register?invitation="+expired.InvitationCode),
			chromedp.WaitVisible(chromedp.CSS(`p[role=alert]`)),
		); err != nil {
			t.Fatalf("opening the expired link: %v", err)
		}
		text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`main`)))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(text, "This invitation has expired.") || !strings.Contains(text, "Ask the person who invited you") {
			t.Errorf("got %q, want the explanation of an expired invitation", text)
		}
	})
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
