package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
)

// deletion is what a delete command asks to confirm.
type deletion struct {
	kind, name, id string
	// consequence says what goes with it, such as "Its API keys stop working at once."
	consequence string
}

// addYesFlag adds --yes (-y), which deletes without asking, to cmd.
func addYesFlag(cmd *cobra.Command, yes *bool) {
	cmd.Flags().BoolVarP(yes, "yes", "y", false, "delete without asking for confirmation (needed where standard input is not a terminal)")
}

// confirm asks the person at the terminal to type the name of what is about to be deleted, as
// Octopus's CLI does, unless yes (--yes) is set. Where standard input is not a terminal (a
// script, a pipe), nobody can answer: it refuses, with a usage error naming --yes, rather than
// delete unasked. A name typed wrong is an error, and nothing is deleted.
func confirm(cmd *cobra.Command, yes bool, d deletion) error {
	if yes {
		return nil
	}
	in := cmd.InOrStdin()
	if !isTerminal(in) {
		return usagef("%s", printable(fmt.Sprintf("not deleting the %s '%s' (%s) unasked: standard input is not a terminal to confirm on; give --yes to delete it",
			d.kind, d.name, d.id)))
	}
	prompt := fmt.Sprintf("You are about to delete the %s '%s' (%s). %s This cannot be undone.", d.kind, d.name, d.id, d.consequence)
	fmt.Fprintf(cmd.ErrOrStderr(), "%s\nTo confirm, type the %s's name: ", printable(prompt), d.kind)
	line, err := bufio.NewReader(io.LimitReader(in, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	if strings.TrimSpace(line) != strings.TrimSpace(d.name) {
		return errors.New(printable(fmt.Sprintf("not deleted: the name typed is not '%s'", d.name)))
	}
	return nil
}

// deleted writes, in text output, that the resource was deleted; JSON and basic output print
// nothing, since nothing remains to print.
func (o *apiOptions) deleted(d deletion) error {
	if o.Output == outputJSON || o.Output == outputBasic {
		return nil
	}
	_, err := io.WriteString(o.stdout, printable(fmt.Sprintf("Deleted the %s '%s' (%s).", d.kind, d.name, d.id))+"\n")
	return err
}
