package tui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/quarry-sec/quarry/engine/frame"
	"github.com/quarry-sec/quarry/providers/data"
	"github.com/quarry-sec/quarry/views/pane"
)

// task is one piece of long work: a query, an export, opening the workspace. It
// runs in its own goroutine with its own context; the status bar shows it with a
// spinner, its elapsed time, and a progress bar when its total is known.
type task struct {
	id     int
	label  string
	pane   pane.ID
	began  time.Time
	cancel context.CancelFunc
	// done and total are written by the task's goroutine, read by the view.
	done, total atomic.Int64
}

// progress is the task's fraction done, or -1 when its total is not known.
func (t *task) progress() float64 {
	total := t.total.Load()
	if total <= 0 {
		return -1
	}
	return min(float64(t.done.Load())/float64(total), 1)
}

// taskDone carries a finished task's result back to the shell.
type taskDone struct {
	id  int
	msg tea.Msg
}

// opened is the result of opening the provider.
type opened struct {
	info data.Info
	err  error
}

// exported is the result of an export.
type exported struct {
	path string
	rows int
	err  error
}

// spawn starts work as a task and returns the command that runs it. work gets the
// task's context and the task (for progress) and returns the message to deliver.
func (m *Model) spawn(label string, to pane.ID, work func(ctx context.Context, t *task) tea.Msg) tea.Cmd {
	m.nextTask++
	ctx, cancel := context.WithCancel(m.ctx)
	t := &task{id: m.nextTask, label: label, pane: to, began: m.now(), cancel: cancel}
	m.tasks = append(m.tasks, t)
	run := func() tea.Msg {
		defer cancel()
		return taskDone{id: t.id, msg: safely(func() tea.Msg { return work(ctx, t) })}
	}
	if len(m.tasks) == 1 {
		return tea.Batch(run, m.spin.Tick)
	}
	return run
}

// safely turns a panic in work into an error message: no panic crosses into the UI.
func safely(work func() tea.Msg) (msg tea.Msg) {
	defer func() {
		if r := recover(); r != nil {
			msg = pane.Notify{Level: pane.Error, Text: fmt.Sprintf("internal error: %v", r)}
		}
	}()
	return work()
}

// finish removes a task and returns it (nil if it was already gone).
func (m *Model) finish(id int) *task {
	for i, t := range m.tasks {
		if t.id == id {
			m.tasks = append(m.tasks[:i], m.tasks[i+1:]...)
			return t
		}
	}
	return nil
}

// cancelTasks cancels every running task and reports how many there were.
func (m *Model) cancelTasks() int {
	n := len(m.tasks)
	for _, t := range m.tasks {
		t.cancel()
	}
	return n
}

// cancelFor cancels the tasks working for a pane (a newer request supersedes them).
func (m *Model) cancelFor(p pane.ID) {
	for _, t := range m.tasks {
		if t.pane == p {
			t.cancel()
		}
	}
}

// open starts opening the provider.
func (m *Model) open() tea.Cmd {
	b := m.backend
	return m.spawn("opening workspace", "", func(ctx context.Context, _ *task) tea.Msg {
		info, err := b.Open(ctx)
		return opened{info: info, err: err}
	})
}

// runQuery starts a library query for a pane. The time range is the picker's
// unless the request carries one; the request number for the pane goes up, so an
// older answer still on its way is dropped when it lands.
func (m *Model) runQuery(req pane.RunQuery) tea.Cmd {
	if req.To == "" {
		req.To = pane.Results
	}
	if m.lib == nil {
		return pane.Fail(fmt.Errorf("no query library: %v", m.libErr))
	}
	q, err := m.lib.Get(req.Query)
	if err != nil {
		return pane.Fail(err)
	}
	if req.Range.IsZero() {
		req.Range = m.rng
	}
	params := make(map[string]any, len(req.Params)+2)
	for k, v := range req.Params {
		params[k] = v
	}
	if !req.Range.IsZero() {
		for _, name := range []string{"start", "end"} {
			if _, ok := q.Param(name); ok {
				if _, given := params[name]; !given {
					params[name] = map[string]time.Time{"start": req.Range.Start, "end": req.Range.End}[name]
				}
			}
		}
	}
	if req.Crumb == "" {
		req.Crumb = req.Query
	}
	if req.Range.Label != "" || !req.Range.IsZero() {
		req.Crumb += " · " + m.rangeText(req.Range)
	}
	m.cancelFor(req.To)
	m.seq[req.To]++
	seq := m.seq[req.To]
	b := m.backend
	return m.spawn(req.Query, req.To, func(ctx context.Context, _ *task) tea.Msg {
		f, err := b.RunQuery(ctx, req.Query, params)
		return pane.QueryResult{To: req.To, Seq: seq, Request: req, Frame: f, Err: err}
	})
}

// export writes rows of a frame to a new file, through a temporary file renamed
// into place, so that a failed or cancelled export leaves nothing half-written.
func (m *Model) export(e pane.Export) tea.Cmd {
	path := e.Path
	if path == "" {
		return pane.Fail(errors.New("export: no file name"))
	}
	if _, err := os.Stat(path); err == nil {
		return pane.Fail(fmt.Errorf("export: %s exists; choose another name", path))
	}
	return m.spawn("export "+filepath.Base(path), e.From, func(ctx context.Context, t *task) tea.Msg {
		sub, err := e.Frame.Take(e.Rows, e.Columns)
		if err != nil {
			return exported{path: path, err: err}
		}
		t.total.Store(int64(sub.Len()))
		tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
		if err != nil {
			return exported{path: path, err: err}
		}
		err = frame.EncodeContext(ctx, tmp, sub, e.Format, func(done, total int) { t.done.Store(int64(done)) })
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = place(tmp.Name(), path)
		}
		os.Remove(tmp.Name())
		return exported{path: path, rows: sub.Len(), err: err}
	})
}

// place puts a finished file at path without replacing one that appeared there
// meanwhile: a hard link fails if path exists. Where links are not supported (some
// network and FAT file systems) it falls back to a rename.
func place(tmp, path string) error {
	err := os.Link(tmp, path)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, os.ErrExist):
		return fmt.Errorf("%s exists; choose another name", path)
	}
	if _, serr := os.Stat(path); serr == nil {
		return fmt.Errorf("%s exists; choose another name", path)
	}
	return os.Rename(tmp, path)
}
