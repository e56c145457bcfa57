package tui

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/aymanbagabas/go-osc52/v2"
)

// MaxCopy is the most bytes one copy sends: many terminals drop larger OSC 52
// writes silently, so a bigger copy is refused with a notice instead.
const MaxCopy = 100_000

// clipboard writes OSC 52 clipboard sequences: the one way to reach the analyst's
// own clipboard from a TUI running over SSH. tmux (set-clipboard) and most modern
// terminals honour it; GNU screen needs its DCS wrapping.
type clipboard struct {
	out    io.Writer
	screen bool
}

func newClipboard(out io.Writer) clipboard {
	term := os.Getenv("TERM")
	return clipboard{out: out, screen: os.Getenv("TMUX") == "" && strings.HasPrefix(term, "screen")}
}

// sequence is the escape sequence that puts text on the clipboard.
func (c clipboard) sequence(text string) string {
	s := osc52.New(text)
	if c.screen {
		s = s.Screen()
	}
	return s.String()
}

// copy writes the sequence; it refuses text over MaxCopy bytes.
func (c clipboard) copy(text string) error {
	if len(text) > MaxCopy {
		return fmt.Errorf("%d bytes is more than a terminal clipboard write takes (%d); export the rows instead", len(text), MaxCopy)
	}
	if c.out == nil {
		return fmt.Errorf("no terminal to write the clipboard sequence to")
	}
	_, err := io.WriteString(c.out, c.sequence(text))
	return err
}
