package results

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/quarry-sec/quarry/engine/frame"
	"github.com/quarry-sec/quarry/views/pane"
)

// openPrompt opens the bottom-line text input for the filter or the export path.
func (t *Table) openPrompt(m mode, prompt, value string) {
	t.mode = m
	t.input = lineInput{prompt: prompt, width: t.width}
	if m == modeFilter {
		t.input.placeholder = "text  col=value  col!=value  col~text"
	}
	t.input.set(value)
}

func (t *Table) closeInput() {
	t.input = lineInput{}
	t.mode = modeTable
	t.settle()
}

// promptKey handles a key while a prompt is open: Enter applies, Esc cancels,
// anything else edits.
func (t *Table) promptKey(msg tea.KeyMsg) tea.Cmd {
	switch {
	case msg.Type == tea.KeyEsc:
		t.closeInput()
		return nil
	case key.Matches(msg, t.keys.Apply):
		if t.mode == modeFilter {
			return t.applyFilterInput()
		}
		return t.applyExport()
	}
	t.input.update(msg)
	return nil
}

// applyFilterInput parses the typed filter; a bad one is reported and stays open
// for fixing.
func (t *Table) applyFilterInput() tea.Cmd {
	text := strings.TrimSpace(t.input.text())
	flt, err := ParseFilter(text, t.f.Names())
	if err != nil {
		return fail(err.Error())
	}
	t.closeInput()
	return t.setFilter(text, flt)
}

// applyExport checks the path's extension and asks the shell to write the rows and
// columns shown, in the order shown.
func (t *Table) applyExport() tea.Cmd {
	path := strings.TrimSpace(t.input.text())
	if path == "" {
		return fail("export: give a file name ending in .csv, .json or .jsonl")
	}
	format, err := exportFormat(path)
	if err != nil {
		return fail(err.Error())
	}
	t.closeInput()
	return pane.Cmd(pane.Export{
		From: pane.Results, Frame: t.f, Rows: t.Rows(), Columns: t.visible(),
		Path: path, Format: format,
	})
}

// exportFormat is the format a file name's extension asks for.
func exportFormat(path string) (frame.Format, error) {
	ext := strings.ToLower(strings.TrimPrefix(filepath.Ext(path), "."))
	switch ext {
	case "csv", "json", "jsonl":
		return frame.ParseFormat(ext)
	}
	return "", fmt.Errorf("export: %s: the file name must end in .csv, .json or .jsonl", frame.SafeText(path))
}

// exportName is the default export file: <query>-<yyyymmddThhmmss>.csv, the query
// name cut to file-name characters.
func (t *Table) exportName() string {
	var b strings.Builder
	for _, r := range t.title {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
		if b.Len() >= 60 {
			break
		}
	}
	name := strings.Trim(b.String(), "._")
	if name == "" {
		name = "results"
	}
	return name + "-" + t.ctx.Clock().Format("20060102T150405") + ".csv"
}
