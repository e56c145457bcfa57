// Package themes holds Quarry's colour themes as data: named palettes of lipgloss
// styles. Meaning never rides on colour alone; views pair colour with glyphs and labels.
package themes

import (
	"os"

	"github.com/charmbracelet/lipgloss"
)

// Theme is the set of styles every view draws with.
type Theme struct {
	// Name is the theme's name (dark, mono).
	Name string
	// Title styles pane titles.
	Title lipgloss.Style
	// Header styles table headers.
	Header lipgloss.Style
	// Selected styles the selected row.
	Selected lipgloss.Style
	// Status styles the status bar.
	Status lipgloss.Style
	// Error styles error messages.
	Error lipgloss.Style
	// Muted styles secondary text.
	Muted lipgloss.Style
}

// Dark is the default theme, in ANSI-256 colours.
func Dark() Theme {
	return Theme{
		Name:     "dark",
		Title:    lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("81")),
		Header:   lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("252")).BorderStyle(lipgloss.NormalBorder()).BorderBottom(true).BorderForeground(lipgloss.Color("240")),
		Selected: lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("230")).Background(lipgloss.Color("24")),
		Status:   lipgloss.NewStyle().Foreground(lipgloss.Color("250")).Background(lipgloss.Color("236")),
		Error:    lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("203")),
		Muted:    lipgloss.NewStyle().Foreground(lipgloss.Color("244")),
	}
}

// Mono is the theme for NO_COLOR terminals: emphasis by weight and reverse video only.
func Mono() Theme {
	return Theme{
		Name:     "mono",
		Title:    lipgloss.NewStyle().Bold(true),
		Header:   lipgloss.NewStyle().Bold(true).BorderStyle(lipgloss.NormalBorder()).BorderBottom(true),
		Selected: lipgloss.NewStyle().Reverse(true),
		Status:   lipgloss.NewStyle().Reverse(true),
		Error:    lipgloss.NewStyle().Bold(true),
		Muted:    lipgloss.NewStyle().Faint(true),
	}
}

// Default picks Mono when NO_COLOR is set, else Dark.
func Default() Theme {
	if os.Getenv("NO_COLOR") != "" {
		return Mono()
	}
	return Dark()
}
