package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"os"
	"slices"
	"unicode/utf8"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"

	"github.com/octoinvite/octoinvite"
	"github.com/octoinvite/octoinvite/client"
)

// The output formats of --output. Octopus's CLI names them table, json and basic; text, the
// default, is the table of a list and the fields of a resource, and table is accepted for it.
const (
	outputText  = "text"
	outputTable = "table"
	outputJSON  = "json"
	outputBasic = "basic"
)

// checkOutput refuses an --output format that does not exist.
func checkOutput(output string) error {
	switch output {
	case outputText, outputTable, outputJSON, outputBasic:
		return nil
	}
	return usagef("invalid --output %q: use text (or table), json or basic", output)
}

// isTerminal reports whether w is a terminal (or a Cygwin or MSYS terminal, on Windows).
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

// writeJSON writes the JSON document doc to w on one line, or indented by two spaces when
// indent is set, each followed by a line break. Every character that printable would replace
// (a control, a bidirectional control, a line separator) is written as its \u escape, which
// JSON reads as the same character, so that the document is the one the server sent and still
// cannot act on a terminal.
func writeJSON(w io.Writer, doc []byte, indent bool) error {
	var compact bytes.Buffer
	if err := json.Compact(&compact, doc); err != nil {
		return fmt.Errorf("the server's answer is not JSON: %w", err)
	}
	// After Compact, every such character is inside a string: whitespace between tokens is gone.
	escaped := make([]byte, 0, compact.Len())
	for b := compact.Bytes(); len(b) > 0; {
		r, size := utf8.DecodeRune(b)
		if r != utf8.RuneError && printable(string(r)) != string(r) {
			escaped = fmt.Appendf(escaped, `\u%04x`, r)
		} else {
			escaped = append(escaped, b[:size]...)
		}
		b = b[size:]
	}
	out := escaped
	if indent {
		var buf bytes.Buffer
		if err := json.Indent(&buf, escaped, "", "  "); err != nil {
			return err
		}
		out = buf.Bytes()
	}
	_, err := w.Write(append(out, '\n'))
	return err
}

// itemsOf returns the items of the collections among bodies, as the server sent them: the
// pages of a list, in order. Bodies that are not collections (the root document) are skipped.
func itemsOf(bodies [][]byte) ([]byte, error) {
	var items []json.RawMessage
	for _, body := range bodies {
		var page struct {
			ItemType string            `json:"ItemType"`
			Items    []json.RawMessage `json:"Items"`
		}
		if err := json.Unmarshal(body, &page); err != nil {
			continue
		}
		if page.ItemType != "" || page.Items != nil {
			items = append(items, page.Items...)
		}
	}
	if items == nil {
		items = []json.RawMessage{}
	}
	return json.Marshal(items)
}

// pageFlags are the --take and --skip flags of a list: with either, the list shows one page of
// the server's, otherwise every item, page after page.
type pageFlags struct {
	Take, Skip int
	// noun names the items, such as "teams", in the note under a page.
	noun string
}

func addPageFlags(cmd *cobra.Command, noun string) *pageFlags {
	p := &pageFlags{noun: noun}
	cmd.Flags().IntVar(&p.Take, "take", 0, "show one page of at most this many "+noun+"; without it, --skip shows a page of the server's size (30)")
	cmd.Flags().IntVar(&p.Skip, "skip", 0, "show one page, passing over this many "+noun+" first")
	return p
}

// onePage returns the page --take and --skip ask for, and whether they ask for one.
func (p *pageFlags) onePage(cmd *cobra.Command) (octoinvite.Range, bool, error) {
	take, skip := cmd.Flags().Changed("take"), cmd.Flags().Changed("skip")
	switch {
	case take && p.Take < 1:
		return octoinvite.Range{}, false, usagef("invalid --take %d: it must be at least 1", p.Take)
	case skip && p.Skip < 0:
		return octoinvite.Range{}, false, usagef("invalid --skip %d: it must be 0 or more", p.Skip)
	}
	return octoinvite.Range{Skip: p.Skip, Take: p.Take}, take || skip, nil
}

// columns say how a list shows its items: the table's header and rows, and the one line of
// each with --output basic.
type columns[T any] struct {
	header []string
	row    func(T) []string
	basic  func(T) string
	// extra, if set, returns columns to add to a table of the items, or none.
	extra func(items []T) (header []string, row func(T) []string)
}

// printList prints a list. With --take or --skip, it reads one page (page); otherwise every
// item, following each page's Page.Next link (all). --output json prints the page as the server
// sent it, or the array of every item as the server sent each; text a table, with a note when
// the page is not the last; basic one line an item.
func printList[T any](cmd *cobra.Command, o *apiOptions, p *pageFlags,
	page func(octoinvite.Range) (*client.Collection[T], error), all func() iter.Seq2[T, error], cols columns[T]) error {
	rng, one, err := p.onePage(cmd)
	if err != nil {
		return err
	}
	var items []T
	note := ""
	if one {
		col, err := page(rng)
		if err != nil {
			return apiError(err)
		}
		if o.Output == outputJSON {
			return o.printJSON(o.last.body)
		}
		items = col.Items
		if shown := rng.Skip + len(col.Items); shown < col.TotalResults && len(col.Items) > 0 {
			note = fmt.Sprintf("(%s %d to %d of %d; --skip %d for the next page)\n", p.noun, rng.Skip+1, shown, col.TotalResults, shown)
		}
	} else {
		o.last.keepAll()
		for item, err := range all() {
			if err != nil {
				return apiError(err)
			}
			items = append(items, item)
		}
		if o.Output == outputJSON {
			doc, err := itemsOf(o.last.kept())
			if err != nil {
				return err
			}
			return o.printJSON(doc)
		}
	}
	var buf bytes.Buffer
	if o.Output == outputBasic {
		for _, item := range items {
			fmt.Fprintln(&buf, printable(cols.basic(item)))
		}
	} else {
		header, row := cols.header, cols.row
		if cols.extra != nil {
			if more, moreRow := cols.extra(items); more != nil {
				header = append(slices.Clone(header), more...)
				row = func(item T) []string { return append(cols.row(item), moreRow(item)...) }
			}
		}
		rows := make([][]string, 0, len(items))
		for _, item := range items {
			rows = append(rows, row(item))
		}
		table(&buf, header, rows)
		buf.WriteString(note)
	}
	_, err = o.stdout.Write(buf.Bytes())
	return err
}
