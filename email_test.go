package octoinvite

import (
	"testing"
	"time"
)

func TestEmailRetryDelay(t *testing.T) {
	t.Parallel()
	none := func() float64 { return 0 }
	half := func() float64 { return 0.5 }
	for _, c := range []struct {
		first    time.Duration
		attempts int
		jitter   func() float64
		want     time.Duration
	}{
		{time.Minute, 1, none, time.Minute},
		{time.Minute, 2, none, 2 * time.Minute},
		{time.Minute, 5, none, 16 * time.Minute},
		{time.Minute, 7, none, time.Hour},
		{time.Minute, 40, none, time.Hour},
		{time.Minute, 1, half, 45 * time.Second},
		{time.Minute, 40, half, 45 * time.Minute},
		{100 * time.Millisecond, 3, none, 400 * time.Millisecond},
		// A first delay above the bound is kept, not cut.
		{2 * time.Hour, 3, none, 2 * time.Hour},
	} {
		if got := EmailRetryDelay(c.first, c.attempts, c.jitter); got != c.want {
			t.Errorf("EmailRetryDelay(%s, %d): got %s, want %s", c.first, c.attempts, got, c.want)
		}
	}
}

func TestExpiryInWords(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	for d, want := range map[time.Duration]string{
		48*time.Hour - time.Second: "in 2 days",
		72 * time.Hour:             "in 3 days",
		47 * time.Hour:             "in 47 hours",
		2 * time.Hour:              "in 2 hours",
		119 * time.Minute:          "in 119 minutes",
		time.Minute:                "in 1 minute",
		20 * time.Second:           "in less than a minute",
		0:                          "now",
		-time.Hour:                 "now",
	} {
		if got := ExpiryInWords(now.Add(d), now); got != want {
			t.Errorf("ExpiryInWords(now+%s): got %q, want %q", d, got, want)
		}
	}
}

func TestCheckInvitationAddress(t *testing.T) {
	t.Parallel()
	sent := &Invitation{EmailAddress: "Jane@Example.org"}
	for _, c := range []struct {
		inv     *Invitation
		address string
		want    string
		err     bool
	}{
		{&Invitation{}, "", "", false},
		{&Invitation{}, "joe@example.org", "joe@example.org", false},
		{sent, "", "Jane@Example.org", false},
		{sent, "jane@example.ORG", "Jane@Example.org", false},
		{sent, "joe@example.org", "", true},
	} {
		got, err := CheckInvitationAddress(c.inv, c.address)
		if got != c.want || (err != nil) != c.err {
			t.Errorf("CheckInvitationAddress(%q, %q): got %q, %v; want %q, error %v", c.inv.EmailAddress, c.address, got, err, c.want, c.err)
		}
		if err != nil && ErrorProblems(err)[0].Field != EmailAddressField {
			t.Errorf("the error names %q, want EmailAddress", ErrorProblems(err)[0].Field)
		}
	}
}
