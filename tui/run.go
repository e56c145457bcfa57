package tui

import (
	"context"
	"errors"
	"io"
	"os"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/muesli/termenv"

	"github.com/quarry-sec/quarry/providers/config"
)

// DefaultFPS is the redraw cap when the settings give none.
const DefaultFPS = 60

// Run starts the shell on the terminal and returns when the user quits. Mouse
// support is off unless the settings turn it on, so terminal text selection works.
func Run(ctx context.Context, b Backend, ui config.UI) error {
	var clip io.Writer = os.Stderr
	if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
		defer tty.Close()
		clip = tty
	}
	noColor := os.Getenv("NO_COLOR") != "" || termenv.EnvColorProfile() == termenv.Ascii
	m, err := New(ctx, b, Options{UI: ui, NoColor: noColor, Clipboard: clip})
	if err != nil {
		return err
	}
	fps := ui.FPS
	if fps == 0 {
		fps = DefaultFPS
	}
	opts := []tea.ProgramOption{tea.WithAltScreen(), tea.WithContext(ctx), tea.WithFPS(fps)}
	if ui.Mouse {
		opts = append(opts, tea.WithMouseCellMotion())
	}
	_, err = tea.NewProgram(m, opts...).Run()
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return nil
	}
	return err
}
