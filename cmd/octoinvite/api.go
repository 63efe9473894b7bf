package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"

	"github.com/spf13/cobra"

	"github.com/octoinvite/octoinvite/client"
)

// apiOptions are the flags of every command that calls a server, and what they need to run.
type apiOptions struct {
	Server  string
	APIKey  string
	Output  string
	Compact bool
	Timeout time.Duration

	stdout io.Writer
	getenv func(string) string
	// passwordSignIn is set by commands that sign in with a password instead of an API key.
	passwordSignIn bool
	// last keeps the body of the last answer, which --output json prints as it came.
	last *recorder
}

func newAPIOptions(stdout io.Writer, getenv func(string) string) *apiOptions {
	return &apiOptions{stdout: stdout, getenv: getenv}
}

// addFlags adds the flags of every command that calls a server (--server, --api-key, --output,
// --compact, --timeout) to cmd as persistent flags, so that its subcommands have them too. Their
// variables, OCTOPUS_URL and OCTOPUS_API_KEY, are read when the command runs, by client.
func (o *apiOptions) addFlags(cmd *cobra.Command) {
	f := cmd.PersistentFlags()
	f.StringVar(&o.Server, "server", "", "the server's address, such as https://octopus.example.com (OCTOPUS_URL)")
	f.StringVar(&o.APIKey, "api-key", "", "your API key; prefer OCTOPUS_API_KEY, which other users cannot see in the process list (OCTOPUS_API_KEY)")
	f.StringVarP(&o.Output, "output", "o", outputText, "output format: text (tables and fields), json (what the server sent), or basic (names or IDs only, one a line)")
	f.BoolVar(&o.Compact, "compact", false, "print JSON on one line even to a terminal")
	f.DurationVar(&o.Timeout, "timeout", 30*time.Second, "how long to wait for each answer of the server")
}

// client returns a client configured from the flags, with OCTOPUS_URL and OCTOPUS_API_KEY, the
// variables the Octopus CLI reads, as fallbacks.
func (o *apiOptions) client(cmd *cobra.Command) (*client.Client, error) {
	if err := envFallbacks(cmd.Flags(), o.getenv, map[string]string{"server": "OCTOPUS_URL", "api-key": "OCTOPUS_API_KEY"}); err != nil {
		return nil, &configError{err}
	}
	if err := checkOutput(o.Output); err != nil {
		return nil, err
	}
	switch {
	case o.Server == "":
		return nil, &configError{errors.New("no server: give --server or set OCTOPUS_URL, such as https://octopus.example.com")}
	case strings.TrimSpace(o.APIKey) == "" && !o.passwordSignIn:
		return nil, &configError{errors.New("no API key: set OCTOPUS_API_KEY or give --api-key")}
	case o.Timeout <= 0:
		return nil, usagef("invalid --timeout %s: it must be positive", o.Timeout)
	}
	key := strings.TrimSpace(o.APIKey)
	if o.passwordSignIn {
		key = ""
	}
	o.last = &recorder{next: http.DefaultTransport}
	c, err := client.New(o.Server,
		client.WithAPIKey(key),
		client.WithHTTPClient(&http.Client{Transport: o.last, Timeout: o.Timeout, CheckRedirect: client.SameHostRedirects}),
		client.WithUserAgent("octoinvite-cli/"+version()),
	)
	if err != nil {
		return nil, &configError{err}
	}
	return c, nil
}

// print writes the outcome of a command on one resource: with --output json the body of the
// server's last answer, as it came; with basic the line basic (its name, or its ID); otherwise
// what text writes.
func (o *apiOptions) print(basic string, text func(w io.Writer)) error {
	var buf bytes.Buffer
	switch o.Output {
	case outputJSON:
		return o.printJSON(o.last.body)
	case outputBasic:
		buf.WriteString(printable(basic) + "\n")
	default:
		text(&buf)
	}
	_, err := o.stdout.Write(buf.Bytes())
	return err
}

// printJSON writes the JSON document: indented when standard output is a terminal and
// --compact is not given, on one line otherwise.
func (o *apiOptions) printJSON(doc []byte) error {
	return writeJSON(o.stdout, doc, !o.Compact && isTerminal(o.stdout))
}

// recorder is a transport that keeps a copy of the body of the last answer and, once keepAll
// is called, of every answer from then on.
type recorder struct {
	next http.RoundTripper
	body []byte
	// all holds the bodies since keepAll, when keeping is set.
	all     [][]byte
	keeping bool
}

func (t *recorder) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, client.MaxResponseBytes+1))
	if err != nil {
		return nil, err
	}
	t.body = body
	if t.keeping {
		t.all = append(t.all, body)
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

// keepAll makes the recorder keep the body of every answer from now on.
func (t *recorder) keepAll() { t.keeping, t.all = true, nil }

// kept returns the bodies kept since keepAll.
func (t *recorder) kept() [][]byte { return t.all }

// apiError words err for a person, on one line: the server's ErrorMessage and Errors, and the
// status; or what kept the request from being answered. An error worded already is returned as
// it is.
func apiError(err error) error {
	var worded *cliError
	var usage *usageError
	var config *configError
	if errors.As(err, &worded) || errors.As(err, &usage) || errors.As(err, &config) {
		return err
	}
	var ce *client.Error
	if errors.As(err, &ce) {
		msg := ce.Summary()
		if ce.StatusCode != 0 {
			msg += fmt.Sprintf(" (%d %s)", ce.StatusCode, http.StatusText(ce.StatusCode))
		}
		return &cliError{msg: printable(msg), err: err}
	}
	msg := strings.Join(strings.Fields(strings.TrimPrefix(err.Error(), "client: ")), " ")
	return &cliError{msg: printable(msg), err: err}
}

// cliError is an error worded for the command line that still unwraps to its cause.
type cliError struct {
	msg string
	err error
}

func (e *cliError) Error() string { return e.msg }
func (e *cliError) Unwrap() error { return e.err }

// timeLayout is how the CLI shows a time, in the local zone (see location).
const timeLayout = "2006-01-02 15:04:05 MST"

// printable returns s safe to write to a terminal: control characters (the escape that starts a
// terminal's sequences for the window title, cursor moves or the clipboard, tabs and line breaks
// that would break a table), line separators and bidirectional controls (which make text read
// other than it is) are each replaced by '?'. Every text the CLI prints goes through it, since
// names, purposes and messages are chosen by users.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || unicode.In(r, unicode.Zl, unicode.Zp) {
			return '?'
		}
		return r
	}, s)
}

// table writes rows under a header, in aligned columns, without trailing blanks; every cell
// printable.
func table(w io.Writer, header []string, rows [][]string) {
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for _, row := range rows {
		cells := make([]string, len(row))
		for i, cell := range row {
			cells[i] = printable(cell)
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	tw.Flush()
	for _, line := range strings.SplitAfter(buf.String(), "\n") {
		if line != "" {
			fmt.Fprintln(w, strings.TrimRight(line, " \n"))
		}
	}
}

// fields writes name and value pairs, one a line, the values aligned and printable.
func fields(w io.Writer, pairs ...[2]string) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, p := range pairs {
		fmt.Fprintf(tw, "%s:\t%s\n", p[0], printable(p[1]))
	}
	tw.Flush()
}

// note writes a line of its own about the outcome, such as a warning, to the command's standard
// error, where it does not mix with the output a script reads.
func note(cmd *cobra.Command, format string, args ...any) {
	fmt.Fprintln(cmd.ErrOrStderr(), printable("octoinvite: "+fmt.Sprintf(format, args...)))
}

// orNone returns s, or "(none)" when it is empty.
func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// spaceOf names the space of a resource; system resources have none.
func spaceOf(id *string) string {
	if id == nil {
		return "(system)"
	}
	return *id
}

// group makes cmd a command that only holds subcommands: without arguments it shows its help,
// and an unknown subcommand is an error rather than the help and success.
func group(cmd *cobra.Command) *cobra.Command {
	cmd.Args = cobra.ArbitraryArgs
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) > 0 {
			return usagef("unknown command %q for %q; see %s --help", args[0], cmd.CommandPath(), cmd.CommandPath())
		}
		return cmd.Help()
	}
	return cmd
}
