package main

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"time"

	"github.com/spf13/cobra"

	"github.com/octoinvite/octoinvite"
)

func newEventCommand(stdout io.Writer, getenv func(string) string) *cobra.Command {
	o := newAPIOptions(stdout, getenv)
	cmd := group(&cobra.Command{
		Use:     "event",
		Short:   "Read the audit log",
		Example: "  octoinvite event list --regarding Invitations-3",
	})
	o.addFlags(cmd)

	var regarding, users, spaces []string
	var from, to string
	var take, skip int
	list := &cobra.Command{
		Use:   "list",
		Short: "List events, newest first",
		Long: `List the audit log, newest first, one page at a time (the newest 30 events unless --take and
--skip ask for another): invitations created and redeemed, users registered, API keys created and
revoked, sign-ins. It needs the EventView permission (administrators).`,
		Example: `  octoinvite event list
  octoinvite event list --regarding Invitations-3,Users-7 --since 2026-11-01
  octoinvite event list --user admin --take 100 --skip 100 --output json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			filter := octoinvite.EventFilter{Regarding: regarding, Range: octoinvite.Range{Take: take}}
			for _, d := range []struct {
				flag, value string
				dst         **time.Time
			}{{"since", from, &filter.From}, {"until", to, &filter.To}} {
				if d.value == "" {
					continue
				}
				t, err := parseDate(d.value)
				if err != nil {
					return usagef("invalid --%s %q: use a date such as 2026-11-28 or 2026-11-28T10:00:00Z", d.flag, d.value)
				}
				*d.dst = &t
			}
			if take < 1 {
				return usagef("invalid --take %d: it must be at least 1", take)
			} else if skip < 0 {
				return usagef("invalid --skip %d: it must be 0 or more", skip)
			}
			filter.Skip = skip
			c, err := o.client(cmd)
			if err != nil {
				return err
			}
			r := resolver{cmd.Context(), c}
			if filter.Users, err = r.userIDs(users); err != nil {
				return err
			}
			for _, arg := range spaces {
				id, err := r.spaceID(arg)
				if err != nil {
					return err
				}
				filter.Spaces = append(filter.Spaces, id)
			}
			col, err := c.ListEvents(cmd.Context(), filter)
			if err != nil {
				return apiError(err)
			}
			if o.Output == outputBasic {
				var buf bytes.Buffer
				for _, e := range col.Items {
					fmt.Fprintln(&buf, printable(e.ID))
				}
				_, err := o.stdout.Write(buf.Bytes())
				return err
			}
			loc := location(getenv)
			return o.print("", func(w io.Writer) {
				rows := make([][]string, 0, len(col.Items))
				for _, e := range col.Items {
					rows = append(rows, []string{e.ID, e.Occurred.In(loc).Format(timeLayout), e.Category,
						e.Username, orNone(e.IPAddress), localTimes(e.Message, loc)})
				}
				table(w, []string{"ID", "OCCURRED", "CATEGORY", "USER", "ADDRESS", "MESSAGE"}, rows)
				if shown := skip + len(col.Items); col.TotalResults > shown {
					fmt.Fprintf(w, "(%d of %d events; use --take or --skip for more)\n", len(col.Items), col.TotalResults)
				}
			})
		},
	}
	f := list.Flags()
	f.StringSliceVar(&regarding, "regarding", nil, "only events about these documents, such as Invitations-3,Users-7")
	f.StringSliceVar(&users, "user", nil, "only events caused by these users, by ID or username, such as admin")
	f.StringSliceVar(&spaces, "space", nil, "only events of these spaces, by ID or name, such as Default")
	f.StringVar(&from, "since", "", "only events at or after this date or time")
	f.StringVar(&to, "until", "", "only events at or before this date or time")
	f.IntVar(&take, "take", octoinvite.DefaultTake, "how many events to show at most")
	f.IntVar(&skip, "skip", 0, "how many of the newest events to pass over")

	cmd.AddCommand(list)
	return cmd
}

// wireTime matches the times the server writes into event messages (octoinvite.TimeFormat, or
// any RFC 3339 time).
var wireTime = regexp.MustCompile(`\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})`)

// localTimes rewrites the times in an event's message as the table shows times: in loc, to the
// second.
func localTimes(message string, loc *time.Location) string {
	return wireTime.ReplaceAllStringFunc(message, func(s string) string {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return s
		}
		return t.In(loc).Format(timeLayout)
	})
}

// parseDate reads an RFC 3339 time or a date, which means its midnight in UTC.
func parseDate(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	return time.Parse(time.DateOnly, s)
}
