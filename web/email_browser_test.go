package web_test

import (
	"context"
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/octoinvite/octoinvite"
	"github.com/octoinvite/octoinvite/internal/mailpittest"
	"github.com/octoinvite/octoinvite/internal/servertest"
)

var hrefOf = regexp.MustCompile(`<a href="([^"]+)"`)

// TestRegisterPage_browserFromEmail follows the link of an invitation email, as it arrived in a
// real mailbox, in Chromium: the page fills in the invitation's address, which the account then
// has.
func TestRegisterPage_browserFromEmail(t *testing.T) {
	mp := mailpittest.Start(t)
	env := servertest.Start(t)
	env.DB.Now = time.Now // the worker's retries and the store follow the wall clock
	servertest.RunEmailWorker(t, env.DB, mp.SMTP, env.URL, nil)
	ctx := newChrome(t).newTab(false)
	inv := &octoinvite.Invitation{AddToTeamIDs: []string{}, LastModifiedBy: "admin", EmailAddress: "jane@example.org"}
	if err := env.DB.CreateInvitation(context.Background(), inv); err != nil {
		t.Fatal(err)
	}
	msgs := mp.WaitFor(t, 1, 20*time.Second)
	m := hrefOf.FindStringSubmatch(mp.Message(t, msgs[0].ID).HTML)
	if m == nil {
		t.Fatal("the HTML part has no link")
	}
	link := html.UnescapeString(m[1])
	if link != env.URL+"/app/register?invitation="+inv.InvitationCode {
		t.Fatalf("the email links to %s, want the invitation's page", link)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS(`#username`))); err != nil {
		t.Fatalf("opening the link of the email: %v", err)
	}
	email := value(t, ctx, `#email`)
	readonly, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(`#email`), "readonly"))
	if err != nil {
		t.Fatal(err)
	}
	if email != "jane@example.org" || !readonly.Exists {
		t.Errorf("the email field holds %q (read-only %v), want the invitation's address, read-only", email, readonly.Exists)
	}
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`#username`), "jane"),
		chromedp.SendKeys(chromedp.CSS(`#display-name`), "Jane Doe"),
		chromedp.SendKeys(chromedp.CSS(`#password`), "correct horse battery"),
		chromedp.Click(chromedp.CSS(`form[action="/app/register"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`.notice`)),
	); err != nil {
		t.Fatalf("filling in and submitting the form: %v", err)
	}
	result, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`main`)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(result, "Your account jane is ready") {
		t.Errorf("got a result page reading %q, want the success page", result)
	}
	page, err := env.DB.FindUsers(context.Background(), octoinvite.UserFilter{Filter: "jane", Range: octoinvite.Range{Take: 10}})
	if err != nil {
		t.Fatal(err)
	}
	if page.Total != 1 || page.Items[0].EmailAddress != "jane@example.org" {
		t.Errorf("got users %+v, want jane with the invitation's address", page.Items)
	}
}
