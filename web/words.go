package web

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/octoinvite/octoinvite"
)

// funcs are the template functions of every page.
func (h *Handler) funcs() template.FuncMap {
	return template.FuncMap{
		// when writes a time as a <time> element: in words, relative to now, with the exact
		// date as its machine-readable value and its title.
		"when": func(t octoinvite.Time) template.HTML {
			return template.HTML(fmt.Sprintf(`<time datetime="%s" title="%s">%s</time>`,
				t.UTC().Format(time.RFC3339), template.HTMLEscapeString(exactDate(t.Time)), template.HTMLEscapeString(inWords(t.Time, h.now()))))
		},
		"date":   func(t octoinvite.Time) string { return exactDate(t.Time) },
		"plural": plural,
		"join":   strings.Join,
		"list":   list,
		"browser": func(ua string) string {
			return browserName(ua)
		},
		"inc": func(i int) int { return i + 1 },
		// can reports whether the user holds the permission, as the pages' access does.
		"can": func(u *octoinvite.User, permission string) bool { return u.Can(permission) },
		"dict": func(pairs ...any) map[string]any {
			m := map[string]any{}
			for i := 0; i+1 < len(pairs); i += 2 {
				m[pairs[i].(string)] = pairs[i+1]
			}
			return m
		},
		"copyable": func(id, label, value, hint string) map[string]string {
			return map[string]string{"ID": id, "Label": label, "Value": value, "Hint": hint}
		},
	}
}

// exactDate writes a time in full, in UTC: "Saturday 28 November 2026 at 10:00 UTC".
func exactDate(t time.Time) string {
	return t.UTC().Format("Monday 2 January 2006 at 15:04 UTC")
}

// inWords writes how far t is from now, as people say it: "in 2 days", "5 minutes ago",
// "just now"; beyond a few weeks, the date ("on 2 January 2027").
func inWords(t, now time.Time) string {
	d := t.Sub(now)
	future := d > 0
	if d < 0 {
		d = -d
	}
	var amount string
	switch {
	case d < time.Minute:
		if future {
			return "in less than a minute"
		}
		return "just now"
	case d < time.Hour:
		amount = plural(int(d/time.Minute), "minute", "minutes")
	case d < 48*time.Hour:
		amount = plural(int(d/time.Hour), "hour", "hours")
	case d < 21*24*time.Hour:
		amount = plural(int(d/(24*time.Hour)), "day", "days")
	default:
		return "on " + t.UTC().Format("2 January 2006")
	}
	if future {
		return "in " + amount
	}
	return amount + " ago"
}

// plural writes a count with its noun: "1 team", "3 teams".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// list joins items as a sentence does: "a", "a and b", "a, b and c".
func list(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// browserName names the browser and system of a User-Agent in a few words, for the list of
// sessions: "Firefox on Linux"; the start of the text for a client it does not know.
func browserName(ua string) string {
	if ua == "" {
		return "an unknown client"
	}
	var browser, system string
	for _, b := range []struct{ token, name string }{
		{"Edg/", "Edge"}, {"OPR/", "Opera"}, {"Firefox/", "Firefox"}, {"Chromium/", "Chromium"}, {"Chrome/", "Chrome"},
		{"Safari/", "Safari"}, {"curl/", "curl"}, {"octoinvite", "the octoinvite command line"}, {"Go-http-client", "a Go program"},
		{"PowerShell", "PowerShell"}, {"Octopus", "an Octopus client"},
	} {
		if strings.Contains(ua, b.token) {
			browser = b.name
			break
		}
	}
	for _, s := range []struct{ token, name string }{
		{"Android", "Android"}, {"iPhone", "iOS"}, {"iPad", "iPadOS"}, {"Windows", "Windows"}, {"Mac OS X", "macOS"},
		{"CrOS", "ChromeOS"}, {"Linux", "Linux"},
	} {
		if strings.Contains(ua, s.token) {
			system = s.name
			break
		}
	}
	switch {
	case browser != "" && system != "":
		return browser + " on " + system
	case browser != "":
		return browser
	}
	return octoinvite.Truncate(ua, 40)
}
