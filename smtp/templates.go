package smtp

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	texttemplate "text/template"

	"github.com/octoinvite/octoinvite"
)

//go:embed templates/*.tmpl
var defaultTemplates embed.FS

// kinds names the templates of each kind of email: KIND.subject.tmpl, KIND.txt.tmpl and
// KIND.html.tmpl.
var kinds = map[string]string{
	octoinvite.EmailInvitation: "invitation",
	octoinvite.EmailAccepted:   "accepted",
}

// TemplateFiles lists the files a template folder may hold, each replacing the built-in
// template of that name.
func TemplateFiles() []string {
	var files []string
	for _, kind := range []string{"invitation", "accepted"} {
		files = append(files, kind+".subject.tmpl", kind+".txt.tmpl", kind+".html.tmpl")
	}
	return files
}

// Templates compose the subject, the text part and the HTML part of each kind of email. The
// subject and the text are text/template; the HTML is html/template, which escapes every value
// for where it appears.
type Templates struct {
	subject map[string]*texttemplate.Template
	text    map[string]*texttemplate.Template
	html    map[string]*htmltemplate.Template
}

// Message is what a template sees: the fields of an email, said for a person.
type Message struct {
	// Product names the server, such as "octoinvite".
	Product string
	// InviterName is the display name of whoever created the invitation.
	InviterName string
	// InvitationID is the invitation's ID, such as "Invitations-4".
	InvitationID string
	// SpaceName is the name of the invitation's space, "" for none; TeamNames the names of the
	// teams it adds its users to.
	SpaceName string
	TeamNames []string
	// Link is the registration page with the code (invitation emails).
	Link string
	// ExpiresIn says when the invitation expires in words ("in 2 days"); ExpiresOn says the
	// date, in UTC ("Saturday 28 November 2026, 10:00 UTC").
	ExpiresIn string
	ExpiresOn string
	// AcceptedByName, AcceptedByUsername and AcceptedByEmail name the user who accepted the
	// invitation (acceptance emails).
	AcceptedByName     string
	AcceptedByUsername string
	AcceptedByEmail    string
}

var templateFuncs = map[string]any{"join": strings.Join}

// LoadTemplates returns the built-in templates, each replaced by the file of its name in dir
// if dir is not empty and holds one (see TemplateFiles). Every template is parsed and run
// once on a sample message, so that a broken one is an error here, at start, naming its file;
// so is a file in dir that replaces no template (a misspelt name would otherwise be ignored).
func LoadTemplates(dir string) (*Templates, error) {
	t := &Templates{subject: map[string]*texttemplate.Template{}, text: map[string]*texttemplate.Template{}, html: map[string]*htmltemplate.Template{}}
	if dir != "" {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return nil, fmt.Errorf("email templates: %w", err)
		}
		known := map[string]bool{}
		for _, f := range TemplateFiles() {
			known[f] = true
		}
		for _, e := range entries {
			if !known[e.Name()] {
				return nil, fmt.Errorf("email templates: %s replaces no template; the files a template folder may hold are %s",
					filepath.Join(dir, e.Name()), strings.Join(TemplateFiles(), ", "))
			}
		}
	}
	read := func(name string) (string, string, error) {
		if dir != "" {
			path := filepath.Join(dir, name)
			b, err := os.ReadFile(path)
			if err == nil {
				return string(b), path, nil
			} else if !errors.Is(err, fs.ErrNotExist) {
				return "", "", fmt.Errorf("email templates: %w", err)
			}
		}
		b, err := defaultTemplates.ReadFile("templates/" + name)
		return string(b), "built-in " + name, err
	}
	for kind, base := range kinds {
		for _, part := range []string{"subject", "txt", "html"} {
			src, where, err := read(base + "." + part + ".tmpl")
			if err != nil {
				return nil, err
			}
			switch part {
			case "subject":
				t.subject[kind], err = texttemplate.New(where).Funcs(templateFuncs).Option("missingkey=error").Parse(src)
			case "txt":
				t.text[kind], err = texttemplate.New(where).Funcs(templateFuncs).Option("missingkey=error").Parse(src)
			case "html":
				t.html[kind], err = htmltemplate.New(where).Funcs(templateFuncs).Option("missingkey=error").Parse(src)
			}
			if err != nil {
				return nil, fmt.Errorf("email template %s: %w", where, err)
			}
		}
		if _, _, _, err := t.compose(kind, sampleMessage); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// sampleMessage is what LoadTemplates runs every template on.
var sampleMessage = &Message{Product: "octoinvite", InviterName: "Administrator", InvitationID: "Invitations-1",
	SpaceName: "Default", TeamNames: []string{"Developers"}, Link: "https://octoinvite.example.com/app/register?invitation=sample",
	ExpiresIn: "in 2 days", ExpiresOn: "Saturday 28 November 2026, 10:00 UTC",
	AcceptedByName: "Jane Doe", AcceptedByUsername: "jane", AcceptedByEmail: "jane@example.com"}

// ErrHeaderBreak refuses a subject that holds a line break, which would end the header and
// start another.
var ErrHeaderBreak = errors.New("the subject holds a line break")

// compose runs the templates of the kind on m.
func (t *Templates) compose(kind string, m *Message) (subject, text, html string, err error) {
	s, ok := t.subject[kind]
	if !ok {
		return "", "", "", fmt.Errorf("no template for emails of kind %q", kind)
	}
	var b bytes.Buffer
	if err := s.Execute(&b, m); err != nil {
		return "", "", "", fmt.Errorf("email template %s: %w", s.Name(), err)
	}
	subject = strings.TrimSpace(b.String())
	if strings.ContainsAny(subject, "\r\n") {
		return "", "", "", fmt.Errorf("email template %s: %w", s.Name(), ErrHeaderBreak)
	}
	b.Reset()
	if err := t.text[kind].Execute(&b, m); err != nil {
		return "", "", "", fmt.Errorf("email template %s: %w", t.text[kind].Name(), err)
	}
	text = b.String()
	b.Reset()
	if err := t.html[kind].Execute(&b, m); err != nil {
		return "", "", "", fmt.Errorf("email template %s: %w", t.html[kind].Name(), err)
	}
	return subject, text, b.String(), nil
}

// Compose returns the subject, text part and HTML part of the email.
func (t *Templates) Compose(e *octoinvite.Email) (subject, text, html string, err error) {
	return t.compose(e.Kind, messageOf(e))
}

// expiryLayout says a date for a person, in UTC: the reader's zone is not known.
const expiryLayout = "Monday 2 January 2006, 15:04 MST"

func messageOf(e *octoinvite.Email) *Message {
	m := &Message{Product: e.Product, InviterName: e.InviterName, SpaceName: e.SpaceName, TeamNames: e.TeamNames, Link: e.Link}
	if inv := e.Invitation; inv != nil {
		m.InvitationID = inv.ID
		m.ExpiresIn = octoinvite.ExpiryInWords(inv.Expires.Time, e.Now)
		m.ExpiresOn = inv.Expires.UTC().Format(expiryLayout)
	}
	if u := e.AcceptedBy; u != nil {
		m.AcceptedByName, m.AcceptedByUsername, m.AcceptedByEmail = u.DisplayName, u.Username, u.EmailAddress
	}
	if m.TeamNames == nil {
		m.TeamNames = []string{}
	}
	return m
}
