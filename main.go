// Command quarry is a terminal workbench for threat hunting and incident response:
// the headless verbs of package cli, and with no verb the TUI of package tui, over
// the embedded demo workspace or a folder or SIEM of the analyst's choosing.
package main

import (
	"context"
	"embed"
	"io/fs"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // display time zones work on hosts without a zone database

	"golang.org/x/term"

	"github.com/quarry-sec/quarry/cli"
	"github.com/quarry-sec/quarry/tui"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "0.1.0-dev"

//go:embed testdata/demo/workspace
var demo embed.FS

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	demoFS, err := fs.Sub(demo, "testdata/demo/workspace")
	if err != nil {
		demoFS = nil
	}
	env := cli.Env{
		Version:    version,
		Demo:       demoFS,
		Stdin:      os.Stdin,
		Stdout:     os.Stdout,
		Stderr:     os.Stderr,
		IsTerminal: term.IsTerminal(int(os.Stdout.Fd())) && term.IsTerminal(int(os.Stdin.Fd())),
		RunTUI: func(ctx context.Context, app *cli.App) error {
			ui, err := app.UI()
			if err != nil {
				return err
			}
			return tui.Run(ctx, app, ui)
		},
	}
	code := cli.Execute(ctx, env, os.Args[1:])
	stop()
	os.Exit(code)
}
