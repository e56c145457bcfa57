// Package themes holds Quarry's colour themes as data: named palettes from which
// the lipgloss styles every view draws with are derived. Meaning never rides on
// colour alone; views pair colour with glyphs and labels, so the mono theme loses
// nothing but colour.
//
// Colours are given for each terminal class (true colour, 256 and 16 colours), so a
// theme degrades to colours chosen for that class rather than nearest-match guesses.
package themes

import (
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/charmbracelet/lipgloss"
)

// Palette is a theme's colours by role. Each is a lipgloss.CompleteColor (true
// colour, ANSI-256, ANSI-16) or, for mono, lipgloss.NoColor.
type Palette struct {
	Fg, Muted, Accent, SelectedFg, SelectedBg, BarFg, BarBg, Border, Error, Warn, OK lipgloss.TerminalColor
}

// Theme is the set of styles every view draws with.
type Theme struct {
	// Name is the theme's name (dark, light, high-contrast, mono).
	Name string
	// Palette is the colours the styles were made from.
	Palette Palette
	// Title styles pane titles and the app name.
	Title lipgloss.Style
	// Header styles table headers.
	Header lipgloss.Style
	// Selected styles the selected row or item.
	Selected lipgloss.Style
	// Cursor styles the current cell inside the selected row.
	Cursor lipgloss.Style
	// Status styles the status bar.
	Status lipgloss.Style
	// Error, Warn and OK style messages and severities of those weights.
	Error, Warn, OK lipgloss.Style
	// Muted styles secondary text.
	Muted lipgloss.Style
	// Accent styles keys, matches and other highlights.
	Accent lipgloss.Style
	// Border and FocusBorder style pane borders, unfocused and focused.
	Border, FocusBorder lipgloss.Style
	// TabActive and Tab style card tabs and navigator entries.
	TabActive, Tab lipgloss.Style
	// IoCNet, IoCHash, IoCPath and IoCOther mark indicators found in text: network
	// (addresses, URLs, domains, hosts, emails), file hashes, file paths, and
	// user-defined types. Each is underlined as well as coloured, so the mono theme
	// still shows where an indicator is.
	IoCNet, IoCHash, IoCPath, IoCOther lipgloss.Style
	// MarkHigh, MarkMedium and MarkLow style the processes that matched a
	// suspicion rule of that severity. Views pair them with a glyph (‼ ! ·), and
	// the high mark is underlined as well, so the mono theme still ranks them.
	MarkHigh, MarkMedium, MarkLow lipgloss.Style
	// SevHigh, SevWarning, SevInfo and SevUnknown style threat-intelligence
	// verdicts of msticpy's severities (high, warning, information, unknown).
	// Views pair them with a label (HIGH WARN INFO —); high is bold and
	// underlined, warning bold, information plain and unknown muted, so the mono
	// theme still ranks them.
	SevHigh, SevWarning, SevInfo, SevUnknown lipgloss.Style
}

func cc(trueColor, ansi256, ansi string) lipgloss.TerminalColor {
	return lipgloss.CompleteColor{TrueColor: trueColor, ANSI256: ansi256, ANSI: ansi}
}

// FromPalette derives a theme's styles from its colours.
func FromPalette(name string, p Palette) Theme {
	s := lipgloss.NewStyle
	return Theme{
		Name:        name,
		Palette:     p,
		Title:       s().Bold(true).Foreground(p.Accent),
		Header:      s().Bold(true).Foreground(p.Fg).BorderStyle(lipgloss.NormalBorder()).BorderBottom(true).BorderForeground(p.Border),
		Selected:    s().Bold(true).Foreground(p.SelectedFg).Background(p.SelectedBg),
		Cursor:      s().Bold(true).Underline(true).Foreground(p.SelectedFg).Background(p.SelectedBg),
		Status:      s().Foreground(p.BarFg).Background(p.BarBg),
		Error:       s().Bold(true).Foreground(p.Error),
		Warn:        s().Bold(true).Foreground(p.Warn),
		OK:          s().Foreground(p.OK),
		Muted:       s().Foreground(p.Muted),
		Accent:      s().Foreground(p.Accent),
		Border:      s().BorderStyle(lipgloss.NormalBorder()).BorderForeground(p.Border),
		FocusBorder: s().BorderStyle(lipgloss.ThickBorder()).BorderForeground(p.Accent),
		TabActive:   s().Bold(true).Foreground(p.SelectedFg).Background(p.SelectedBg),
		Tab:         s().Foreground(p.Muted),
		IoCNet:      s().Underline(true).Foreground(p.Accent),
		IoCHash:     s().Underline(true).Foreground(p.Warn),
		IoCPath:     s().Underline(true).Foreground(p.OK),
		IoCOther:    s().Underline(true).Italic(true).Foreground(p.Fg),
		MarkHigh:    s().Bold(true).Underline(true).Foreground(p.Error),
		MarkMedium:  s().Bold(true).Foreground(p.Warn),
		MarkLow:     s().Foreground(p.Accent),
		SevHigh:     s().Bold(true).Underline(true).Foreground(p.Error),
		SevWarning:  s().Bold(true).Foreground(p.Warn),
		SevInfo:     s().Foreground(p.Accent),
		SevUnknown:  s().Foreground(p.Muted),
	}
}

// Dark is the default theme.
func Dark() Theme {
	return FromPalette("dark", Palette{
		Fg: cc("#d0d0d0", "252", "7"), Muted: cc("#808080", "244", "8"), Accent: cc("#5fd7ff", "81", "14"),
		SelectedFg: cc("#ffffd7", "230", "15"), SelectedBg: cc("#005f87", "24", "4"),
		BarFg: cc("#bcbcbc", "250", "7"), BarBg: cc("#303030", "236", "0"), Border: cc("#585858", "240", "8"),
		Error: cc("#ff5f5f", "203", "9"), Warn: cc("#ffd75f", "221", "11"), OK: cc("#87d787", "114", "10"),
	})
}

// Light is for light terminal backgrounds.
func Light() Theme {
	return FromPalette("light", Palette{
		Fg: cc("#262626", "235", "0"), Muted: cc("#6c6c6c", "242", "8"), Accent: cc("#005faf", "25", "4"),
		SelectedFg: cc("#000000", "16", "0"), SelectedBg: cc("#afd7ff", "153", "14"),
		BarFg: cc("#262626", "235", "0"), BarBg: cc("#d0d0d0", "252", "7"), Border: cc("#a8a8a8", "248", "7"),
		Error: cc("#af0000", "124", "1"), Warn: cc("#875f00", "94", "3"), OK: cc("#005f00", "22", "2"),
	})
}

// HighContrast is black and white with saturated accents, for low-vision use and
// washed-out projectors.
func HighContrast() Theme {
	return FromPalette("high-contrast", Palette{
		Fg: cc("#ffffff", "231", "15"), Muted: cc("#e4e4e4", "254", "15"), Accent: cc("#ffff00", "226", "11"),
		SelectedFg: cc("#000000", "16", "0"), SelectedBg: cc("#ffff00", "226", "11"),
		BarFg: cc("#000000", "16", "0"), BarBg: cc("#ffffff", "231", "15"), Border: cc("#ffffff", "231", "15"),
		Error: cc("#ff0000", "196", "9"), Warn: cc("#ffaf00", "214", "11"), OK: cc("#00ff00", "46", "10"),
	})
}

// Mono is the theme for NO_COLOR and colourless terminals: emphasis by weight,
// underline and reverse video only.
func Mono() Theme {
	n := lipgloss.NoColor{}
	t := FromPalette("mono", Palette{Fg: n, Muted: n, Accent: n, SelectedFg: n, SelectedBg: n, BarFg: n, BarBg: n, Border: n, Error: n, Warn: n, OK: n})
	t.Selected = lipgloss.NewStyle().Reverse(true)
	t.Cursor = lipgloss.NewStyle().Reverse(true).Underline(true)
	t.Status = lipgloss.NewStyle().Reverse(true)
	t.TabActive = lipgloss.NewStyle().Reverse(true).Bold(true)
	t.Muted = lipgloss.NewStyle().Faint(true)
	t.Tab = lipgloss.NewStyle().Faint(true)
	t.SevUnknown = lipgloss.NewStyle().Faint(true)
	return t
}

var byName = map[string]func() Theme{
	"dark": Dark, "light": Light, "high-contrast": HighContrast, "mono": Mono,
}

// Names lists the themes.
func Names() []string {
	out := make([]string, 0, len(byName))
	for n := range byName {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// ByName returns the named theme ("hc" and "contrast" are aliases of high-contrast).
func ByName(name string) (Theme, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	switch n {
	case "hc", "contrast", "highcontrast":
		n = "high-contrast"
	case "nocolor", "no-color", "none":
		n = "mono"
	}
	if f, ok := byName[n]; ok {
		return f(), nil
	}
	return Theme{}, fmt.Errorf("unknown theme %q (known: %s)", name, strings.Join(Names(), ", "))
}

// Pick chooses the theme for a terminal: mono under NO_COLOR (any value) whatever
// was asked, else the named theme, else dark.
func Pick(name string, noColor bool) (Theme, error) {
	if noColor {
		return Mono(), nil
	}
	if name == "" {
		return Dark(), nil
	}
	return ByName(name)
}

// Default picks Mono when NO_COLOR is set, else Dark.
func Default() Theme {
	t, _ := Pick("", os.Getenv("NO_COLOR") != "")
	return t
}
