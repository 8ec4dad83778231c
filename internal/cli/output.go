package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// printJSON writes v as indented JSON and a newline to the command's output.
func printJSON(ios *IOStreams, v any) error {
	enc := json.NewEncoder(ios.Out)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// table collects rows and writes them aligned in columns on a terminal, or as tab-separated lines
// when the output is piped (so that cut and awk see one field per column).
type table struct {
	out  io.Writer
	tty  bool
	rows [][]string
}

func newTable(ios *IOStreams) *table {
	return &table{out: ios.Out, tty: ios.OutTTY}
}

// addRow appends a row; tabs and newlines in fields become spaces, so a field is one column.
func (t *table) addRow(fields ...string) {
	row := make([]string, len(fields))
	for i, f := range fields {
		row[i] = strings.NewReplacer("\t", " ", "\n", " ", "\r", " ").Replace(f)
	}
	t.rows = append(t.rows, row)
}

// render writes the rows.
func (t *table) render() error {
	if !t.tty {
		for _, r := range t.rows {
			if _, err := fmt.Fprintln(t.out, strings.Join(r, "\t")); err != nil {
				return err
			}
		}
		return nil
	}
	w := tabwriter.NewWriter(t.out, 0, 0, 2, ' ', 0)
	for _, r := range t.rows {
		fmt.Fprintln(w, strings.Join(r, "\t"))
	}
	return w.Flush()
}

// printList prints items as a JSON array with --json (an empty list as [], never null), and
// otherwise as a table with a header row and one row per item.
func printList[T any](f *Factory, items []T, header []string, row func(T) []string) error {
	if f.JSON {
		if items == nil {
			items = []T{}
		}
		return printJSON(f.IO, items)
	}
	t := newTable(f.IO)
	t.addRow(header...)
	for _, it := range items {
		t.addRow(row(it)...)
	}
	return t.render()
}
