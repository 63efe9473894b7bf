package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// The browser tests drive Debian's headless Chromium through the pages, as a person would, and
// check each page with axe-core, the accessibility engine that browsers' own tools use, at a
// phone's width and a desktop's.

// noChromium is why the browser tests skip on a machine without Chromium; noAxe why their
// accessibility checks do without axe-core.
const (
	noChromium = "chromium is not installed (apt-get install chromium)"
	noAxe      = "axe-core is not installed (see .ci/run, or set AXE_CORE_JS to its axe.min.js)"
)

// browserSkips counts the tests that skipped for want of Chromium; axeSkips the accessibility
// checks that ran without axe-core.
var browserSkips, axeSkips atomic.Int64

// chromiumPath returns the path of Debian's Chromium, if installed.
func chromiumPath() (string, bool) {
	for _, name := range []string{"/usr/bin/chromium", "chromium"} {
		if path, err := exec.LookPath(name); err == nil {
			return path, true
		}
	}
	return "", false
}

// axeScript returns the source of axe-core (axe.min.js): from the file AXE_CORE_JS names, else
// from where .ci/run installs it; "" when it is in neither.
func axeScript() string {
	paths := []string{os.Getenv("AXE_CORE_JS")}
	if cache, err := os.UserCacheDir(); err == nil {
		paths = append(paths, filepath.Join(cache, "octoinvite", "axe-core", "node_modules", "axe-core", "axe.min.js"))
	}
	for _, p := range paths {
		if p == "" {
			continue
		}
		if b, err := os.ReadFile(p); err == nil {
			return string(b)
		}
	}
	return ""
}

// widths are the viewport widths every page is checked at: a small phone's and a desktop's.
var widths = []int64{360, 1280}

// chrome is a headless Chromium for one test: each newTab is a fresh browser, with cookies of
// its own.
type chrome struct {
	t *testing.T
	// alloc is the context of the browser, which tabs are opened from.
	alloc context.Context
	axe   string
}

// newChrome starts Chromium, or skips the test when it is not installed.
func newChrome(t *testing.T) *chrome {
	t.Helper()
	path, ok := chromiumPath()
	if !ok {
		browserSkips.Add(1)
		t.Skip("skipping the browser test: " + noChromium)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
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
		chromedp.Flag("disable-features", "Translate,MediaRouter,OptimizationHints"),
		chromedp.WindowSize(1280, 900),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	browserCtx, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancelBrowser(); cancelAlloc() })
	if err := chromedp.Do(browserCtx); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return &chrome{t: t, alloc: browserCtx, axe: axeScript()}
}

// newTab opens a fresh browser (its own cookies); with scripts false, the pages' scripts are
// disabled, to prove that they need none.
func (c *chrome) newTab(scripts bool) context.Context {
	c.t.Helper()
	ctx, cancel := chromedp.NewContext(context.WithValue(c.alloc, scriptsKey{}, scripts), chromedp.WithNewBrowserContext())
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	c.t.Cleanup(func() { cancelTimeout(); cancel() })
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !scripts}); err != nil {
		c.t.Fatalf("starting chromium: %v", err)
	}
	return ctx
}

// scriptsKey marks, in a tab's context, whether its pages may run scripts.
type scriptsKey struct{}

// scriptsOf reports whether the tab of ctx runs the pages' scripts.
func scriptsOf(ctx context.Context) bool {
	on, _ := ctx.Value(scriptsKey{}).(bool)
	return on
}

// do runs the steps, failing the test with what it was doing.
func do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// value returns the value of the form field the selector finds, once it has one. It reads it in
// the page, not through a node of the DevTools protocol, whose ID a late update of the document
// can make stale between the query and the read.
func value(t *testing.T, ctx context.Context, selector string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Poll[string](fmt.Sprintf(`document.querySelector(%q)?.value`, selector)))
	if err != nil {
		t.Fatalf("reading the value of %s: %v", selector, err)
	}
	return s
}

// text returns the text of the element the selector finds.
func text(t *testing.T, ctx context.Context, selector string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(selector)))
	if err != nil {
		t.Fatalf("reading %s: %v", selector, err)
	}
	return s
}

// location returns the address of the page.
func location(t *testing.T, ctx context.Context) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// axeViolation is one rule axe-core found broken, with the elements that break it.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any  `json:"target"`
		HTML   string `json:"html"`
	} `json:"nodes"`
}

// checkAccessibility runs axe-core on the page at each width and fails the test for every
// serious or critical violation. Without axe-core it only checks that every input has a label.
func (c *chrome) checkAccessibility(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	for _, width := range widths {
		do(t, ctx, "resizing to "+fmt.Sprint(width), chromedp.EmulateViewport(width, 900))
		if c.axe == "" {
			axeSkips.Add(1)
			unlabelled, err := chromedp.Run(ctx, chromedp.Evaluate[int](`[...document.querySelectorAll("input:not([type=hidden]):not([hidden]), select, textarea")]
				.filter(e => !(e.labels && e.labels.length) && !e.getAttribute("aria-label")).length`))
			if err != nil {
				t.Fatal(err)
			}
			if unlabelled > 0 {
				t.Errorf("%s at %dpx: got %d inputs without a label, want none", name, width, unlabelled)
			}
			continue
		}
		// axe-core runs its checks in tasks of the page's event loop, which run only while
		// scripts may: allow them for the check (a page already loaded runs none of its own).
		if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: false}); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](c.axe+";true")); err != nil {
			t.Fatalf("%s: loading axe-core: %v", name, err)
		}
		result, err := chromedp.Run(ctx, chromedp.Evaluate[string](`axe.run(document, {resultTypes: ["violations"]}).then(r => JSON.stringify(r.violations))`,
			chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("%s: running axe-core: %v", name, err)
		}
		if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !scriptsOf(ctx)}); err != nil {
			t.Fatal(err)
		}
		var violations []axeViolation
		if err := json.Unmarshal([]byte(result), &violations); err != nil {
			t.Fatal(err)
		}
		for _, v := range violations {
			if v.Impact != "serious" && v.Impact != "critical" {
				continue
			}
			var where []string
			for _, n := range v.Nodes {
				where = append(where, n.HTML)
			}
			t.Errorf("%s at %dpx: axe-core found a %s violation, %s (%s), in %s", name, width, v.Impact, v.ID, v.Help, strings.Join(where, " | "))
		}
		// Readable: nothing wider than the viewport but the tables, which scroll in their frame.
		overflow, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth - document.documentElement.clientWidth`))
		if err != nil {
			t.Fatal(err)
		}
		if overflow > 0 {
			t.Errorf("%s at %dpx: the page is %dpx wider than the screen, want it to fit", name, width, overflow)
		}
	}
	do(t, ctx, "resizing back", chromedp.EmulateViewport(1280, 900))
}

// grantClipboard lets the pages of the server write to and read the clipboard, as a person's
// click on a copy button does.
func grantClipboard(t *testing.T, ctx context.Context, origin string) {
	t.Helper()
	for _, name := range []string{"clipboard-read", "clipboard-write"} {
		if _, err := chromedp.Call(ctx, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
			Permission: &cdpbrowser.PermissionDescriptor{Name: name, AllowWithoutSanitization: true},
			Setting:    cdpbrowser.PermissionSettingGranted, Origin: origin, BrowserContextID: chromedp.FromContext(ctx).BrowserContextID}); err != nil {
			t.Fatalf("granting %s: %v", name, err)
		}
	}
}

// TestJourney_browser walks the portal as its people do: an administrator signs in with the
// keyboard alone, invites into a team and copies the link; the invitee registers, lands signed
// in on their profile, creates an API key and the key works; an existing user joins through
// another link; the administrator withdraws a third invitation, and its page and its link say
// so; everyone signs out. Every page is checked with axe-core at both widths.
func TestJourney_browser(t *testing.T) {
	env, _, teamID := setup(t)
	newUser(t, env, "john")
	c := newChrome(t)

	// The administrator, with scripts, for the copy button.
	admin := c.newTab(true)
	grantClipboard(t, admin, env.URL)
	do(t, admin, "opening the portal", chromedp.Navigate(env.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`#username`)))
	if loc := location(t, admin); loc != env.URL+"/app/users/sign-in" {
		t.Fatalf("got %s, want the sign-in page", loc)
	}
	c.checkAccessibility(t, admin, "sign-in")
	// Keyboard only: the skip link first, the site's name, then the fields in order, Enter to send.
	do(t, admin, "reaching the first field with the keyboard", chromedp.KeyEvent("\t"))
	if focused, _ := chromedp.Run(admin, chromedp.Evaluate[string](`document.activeElement.className`)); focused != "skip" {
		t.Errorf("got %q focused first, want the skip link", focused)
	}
	do(t, admin, "signing in with the keyboard",
		chromedp.KeyEvent("\t"), chromedp.KeyEvent("\t"), chromedp.KeyEvent("admin"),
		chromedp.KeyEvent("\t"), chromedp.KeyEvent(adminPassword),
		chromedp.KeyEvent("\r"),
		// The invitations page's own filter form: the sign-in page, still shown until the
		// redirect arrives, has paragraphs of its own.
		chromedp.WaitVisible(chromedp.CSS(`form.filters`)),
	)
	if loc := location(t, admin); loc != env.URL+"/app/configuration/users/invitations" {
		t.Fatalf("after signing in: got %s, want the invitations", loc)
	}
	c.checkAccessibility(t, admin, "invitations")

	inviteLink := func(what string) string {
		t.Helper()
		do(t, admin, what+": choosing the space",
			chromedp.Navigate(env.URL+"/app/configuration/users/invite"), chromedp.WaitVisible(chromedp.CSS(`input[name=space]`)),
			chromedp.Click(chromedp.CSS(`label[for="space-Spaces-2"]`)), chromedp.Click(chromedp.CSS(`form.step button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(`#team-`+teamID)))
		if what == "the first invitation" {
			c.checkAccessibility(t, admin, "invite users")
		}
		do(t, admin, what+": choosing the team",
			chromedp.Click(chromedp.CSS(`#team-`+teamID)),
			chromedp.Click(chromedp.CSS(`form[method=post] button.primary`)),
			chromedp.WaitVisible(chromedp.CSS(`#invitation-link`)))
		return value(t, admin, `#invitation-link`)
	}
	first := inviteLink("the first invitation")
	if !strings.HasPrefix(first, env.URL+"/app/register?invitation=") {
		t.Fatalf("got the link %q, want the registration page on %s", first, env.URL)
	}
	c.checkAccessibility(t, admin, "invitation created")
	do(t, admin, "copying the link", chromedp.Click(chromedp.CSS(`button.copy`)), chromedp.WaitVisible(chromedp.CSS(`[data-copied]`)))
	copied, err := chromedp.Run(admin, chromedp.Evaluate[string](`navigator.clipboard.readText()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("reading the clipboard: %v", err)
	}
	if copied != first {
		t.Errorf("got %q on the clipboard, want the link %q", copied, first)
	}
	if s := text(t, admin, `[data-copied]`); s != "Copied." {
		t.Errorf("got the copy button's status %q, want Copied.", s)
	}

	// The invitee, without scripts: the pages need none.
	jane := c.newTab(false)
	do(t, jane, "opening the link", chromedp.Navigate(first), chromedp.WaitVisible(chromedp.CSS(`#username`)))
	intro := text(t, jane, `main`)
	for _, want := range []string{"Administrator invited you to join octoinvite, in the space Operations, as a member of On call.",
		"This invitation is for one person: it can be used once.", "expires in 2 days"} {
		if !strings.Contains(intro, want) {
			t.Errorf("got the invitation's page reading %q, want %q", intro, want)
		}
	}
	c.checkAccessibility(t, jane, "registration")
	do(t, jane, "registering",
		chromedp.SendKeys(chromedp.CSS(`#username`), "jane"),
		chromedp.SendKeys(chromedp.CSS(`#display-name`), "Jane Doe"),
		chromedp.SendKeys(chromedp.CSS(`#email`), "jane@example.com"),
		chromedp.SendKeys(chromedp.CSS(`#password`), "correct horse battery"),
		chromedp.Click(chromedp.CSS(`form[action="/app/register"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.notice.success`)))
	if loc := location(t, jane); loc != env.URL+"/app/users/me" {
		t.Fatalf("after registering: got %s, want the profile", loc)
	}
	if s := text(t, jane, `.notice`); !strings.Contains(s, "Welcome, Jane Doe. Your account jane is ready. You are now a member of 1 team in the space Operations:") ||
		!strings.Contains(s, "On call") {
		t.Errorf("got the notice %q, want the welcome and the team joined", s)
	}
	c.checkAccessibility(t, jane, "profile")
	do(t, jane, "reloading the profile", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`#details-heading`)))
	if n, _ := chromedp.Run(jane, chromedp.Evaluate[int](`document.querySelectorAll(".notice").length`)); n != 0 {
		t.Error("got the welcome again after a reload, want it once")
	}

	do(t, jane, "creating an API key",
		chromedp.Click(chromedp.CSS(`nav a[href="/app/users/me/apikeys"]`)), chromedp.WaitVisible(chromedp.CSS(`#purpose`)),
		chromedp.SendKeys(chromedp.CSS(`#purpose`), "laptop"),
		chromedp.Click(chromedp.CSS(`form[action="/app/users/me/apikeys"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`#new-key`)))
	key := value(t, jane, `#new-key`)
	c.checkAccessibility(t, jane, "API keys")
	req, _ := http.NewRequest("GET", env.URL+"/api/users/me", nil)
	req.Header.Set("X-Octopus-ApiKey", key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var me struct{ Username string }
	_ = json.NewDecoder(resp.Body).Decode(&me)
	resp.Body.Close()
	if resp.StatusCode != 200 || me.Username != "jane" {
		t.Fatalf("the new key against the API: got %d as %q, want 200 as jane", resp.StatusCode, me.Username)
	}

	// An existing user joins through another link, signing in on its page.
	second := inviteLink("the second invitation")
	john := c.newTab(false)
	do(t, john, "opening the second link", chromedp.Navigate(second), chromedp.WaitVisible(chromedp.CSS(`#join-username`)),
		chromedp.SendKeys(chromedp.CSS(`#join-username`), "john"),
		chromedp.SendKeys(chromedp.CSS(`#join-password`), "correct horse battery"),
		chromedp.Click(chromedp.CSS(`form[action="/app/register/join"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`.notice.success`)))
	if s := text(t, john, `.notice`); !strings.Contains(s, "You joined 1 team in the space Operations:") || !strings.Contains(s, "On call") {
		t.Errorf("got the notice %q, want the team joined", s)
	}
	if got := members(t, env, teamID); !slices.Equal(sorted(got), []string{"Users-2", "Users-3"}) {
		t.Errorf("got members %v of On call, want jane (Users-3) and john (Users-2)", got)
	}

	// The administrator withdraws a third invitation.
	third := inviteLink("the third invitation")
	do(t, admin, "withdrawing the third invitation",
		chromedp.Click(chromedp.CSS(`a.button.danger`)), chromedp.WaitVisible(chromedp.CSS(`form.actions button.danger`)))
	c.checkAccessibility(t, admin, "confirm withdrawing")
	do(t, admin, "confirming", chromedp.Click(chromedp.CSS(`form.actions button.danger`)), chromedp.WaitVisible(chromedp.CSS(`.notice.success`)))
	if s := text(t, admin, `main`); !strings.Contains(s, "This invitation was withdrawn by admin just now: its link no longer works.") {
		t.Errorf("got the invitation's page reading %q, want it to say it was withdrawn", s)
	}
	c.checkAccessibility(t, admin, "withdrawn invitation")
	do(t, jane, "opening the withdrawn link", chromedp.Navigate(third), chromedp.WaitVisible(chromedp.CSS(`p[role=alert]`)))
	if s := text(t, jane, `main`); !strings.Contains(s, "This invitation has been withdrawn.") {
		t.Errorf("got %q, want the withdrawn link explained", s)
	}

	// The administrator adds themselves to the team by username, after a name that is no one's.
	teamPage := env.URL + "/app/configuration/teams/" + teamID
	do(t, admin, "adding a member no one has the name of", chromedp.Navigate(teamPage), chromedp.WaitVisible(chromedp.CSS(`#new-member`)),
		chromedp.SendKeys(chromedp.CSS(`#new-member`), "nobody"), chromedp.Submit(chromedp.CSS(`#new-member`)),
		chromedp.WaitVisible(chromedp.CSS(`#problems`)))
	if s := text(t, admin, `#new-member-error`); s != "No user has the username or ID nobody." {
		t.Errorf("got the field's error %q, want the unknown name explained", s)
	}
	c.checkAccessibility(t, admin, "team, refused member")
	do(t, admin, "adding a member by username", chromedp.Clear(chromedp.CSS(`#new-member`)),
		chromedp.SendKeys(chromedp.CSS(`#new-member`), "admin"), chromedp.Submit(chromedp.CSS(`#new-member`)),
		chromedp.WaitVisible(chromedp.CSS(`.notice.success`)))
	if got := members(t, env, teamID); !slices.Equal(sorted(got), []string{"Users-1", "Users-2", "Users-3"}) {
		t.Errorf("got members %v of On call, want admin (Users-1), john and jane", got)
	}

	for _, page := range []string{"/app/configuration/teams", "/app/configuration/teams/" + teamID, "/app/configuration/teams/" + teamID + "?find=o", "/app/configuration/users",
		"/app/configuration/users/Users-3", "/app/configuration/users/Users-3?disable", "/app/configuration/audit", "/app/users/me",
		"/app/nowhere"} {
		do(t, admin, "opening "+page, chromedp.Navigate(env.URL+page), chromedp.WaitVisible(chromedp.CSS(`h1`)))
		c.checkAccessibility(t, admin, page)
	}

	do(t, admin, "signing out", chromedp.Click(chromedp.CSS(`header form button`)), chromedp.WaitVisible(chromedp.CSS(`#username`)))
	if s := text(t, admin, `main`); !strings.Contains(s, "You have signed out.") {
		t.Errorf("got %q, want the sign-out confirmed", s)
	}
	do(t, admin, "opening a page after signing out", chromedp.Navigate(env.URL+"/app/configuration/users/invitations"), chromedp.WaitVisible(chromedp.CSS(`#username`)))
	if loc := location(t, admin); !strings.HasPrefix(loc, env.URL+"/app/users/sign-in?returnUrl=") {
		t.Errorf("got %s, want the sign-in page", loc)
	}
}

// sorted returns a sorted copy of xs.
func sorted(xs []string) []string {
	out := slices.Clone(xs)
	slices.Sort(out)
	return out
}
