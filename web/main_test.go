package web_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/octoinvite/octoinvite/internal/mailpittest"
	"github.com/octoinvite/octoinvite/internal/testnote"
)

// TestMain says on one line, in the output of go test ./..., how many browser tests skipped for
// want of Chromium (and of mailpit), and how many pages went unchecked for want of axe-core;
// t.Skip's message shows only with -v.
func TestMain(m *testing.M) {
	code := m.Run()
	if n := browserSkips.Load(); n > 0 {
		testnote.Say(fmt.Sprintf("%s: %s skipped: %s", testnote.Package(), testnote.Count(n, "browser test"), noChromium))
	}
	mailpittest.SaySkipped()
	if n := axeSkips.Load(); n > 0 {
		testnote.Say(fmt.Sprintf("%s: %s checked for labels only: %s", testnote.Package(), testnote.Count(n, "page"), noAxe))
	}
	os.Exit(code)
}
