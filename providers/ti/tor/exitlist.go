package tor

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strings"
	"time"
)

// MaxListBytes bounds the exit list read (the real list is a few MB).
const MaxListBytes = 64 << 20

// MaxEntries bounds the number of exit addresses kept (the real list has a
// few thousand).
const MaxEntries = 1 << 20

// maxLine is the longest line considered; longer lines are skipped.
const maxLine = 4096

// timeLayout is the exit list's time format (UTC).
const timeLayout = "2006-01-02 15:04:05"

// limits, variables so tests can lower them.
var (
	maxListBytes int64 = MaxListBytes
	maxEntries         = MaxEntries
)

// Exit is what the exit list says about one exit address.
type Exit struct {
	// NodeID is the relay's fingerprint (40 upper-case hex digits); "" when
	// the list was the bulk format (addresses only).
	NodeID string
	// Published is when the relay's descriptor was published (zero if absent).
	Published time.Time
	// LastStatus is when the relay last appeared in a consensus (zero if absent).
	LastStatus time.Time
	// Seen is when a connection from the relay was last seen leaving from
	// this address (zero if absent).
	Seen time.Time
}

// ExitList is a parsed Tor exit list, indexed by address. It is read-only
// after parsing and safe for concurrent use.
type ExitList struct {
	addrs map[netip.Addr]Exit
	nodes int
}

// Lookup returns what the list says about a (IPv4-mapped IPv6 addresses are
// matched as IPv4; any zone is ignored).
func (l *ExitList) Lookup(a netip.Addr) (Exit, bool) {
	if l == nil {
		return Exit{}, false
	}
	e, ok := l.addrs[a.Unmap().WithZone("")]
	return e, ok
}

// Len returns the number of distinct exit addresses.
func (l *ExitList) Len() int {
	if l == nil {
		return 0
	}
	return len(l.addrs)
}

// Nodes returns the number of relay stanzas read (0 for the bulk format).
func (l *ExitList) Nodes() int {
	if l == nil {
		return 0
	}
	return l.nodes
}

// ErrTooLarge is returned when the input passes MaxListBytes or MaxEntries.
var ErrTooLarge = errors.New("tor exit list too large")

// ParseExitList reads an exit list in the TorDNSEL "exit-addresses" format:
// stanzas of "ExitNode <fingerprint>", "Published <date> <time>",
// "LastStatus <date> <time>" and one or more "ExitAddress <ip> <date> <time>"
// lines. When the text holds no ExitNode line at all it is read as the
// simpler bulk list instead: one address a line ('#' comments allowed).
// Malformed lines, and the addresses of a stanza whose fingerprint is not 40
// hex digits, are skipped. The input is bounded by MaxListBytes and
// MaxEntries; passing either is an error wrapping ErrTooLarge.
func ParseExitList(r io.Reader) (*ExitList, error) {
	lr := &limitReader{r: r, left: maxListBytes}
	br := bufio.NewReaderSize(lr, maxLine)
	p := parser{list: &ExitList{addrs: map[netip.Addr]Exit{}}}
	lineNo := 0
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			// Too long to be a real line: skip to its end.
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = br.ReadSlice('\n')
			}
			lineNo++
			if err != nil && !errors.Is(err, io.EOF) {
				return nil, fmt.Errorf("reading the exit list, line %d: %w", lineNo, err)
			}
			if err != nil {
				break
			}
			continue
		}
		if len(line) > 0 {
			lineNo++
			if perr := p.line(line); perr != nil {
				return nil, fmt.Errorf("exit list line %d: %w", lineNo, perr)
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("reading the exit list, line %d: %w", lineNo, err)
		}
	}
	if err := p.flush(); err != nil {
		return nil, fmt.Errorf("exit list line %d: %w", lineNo, err)
	}
	if !p.sawNode {
		for _, a := range p.bulk {
			p.list.addrs[a] = Exit{}
		}
	}
	p.list.nodes = p.nodes
	return p.list, nil
}

// parser holds the state of one parse.
type parser struct {
	list    *ExitList
	sawNode bool
	nodes   int
	bulk    []netip.Addr
	cur     *stanza
}

// stanza is one relay's lines, kept until the next ExitNode.
type stanza struct {
	fp         string
	published  time.Time
	lastStatus time.Time
	addrs      []seenAddr
}

type seenAddr struct {
	addr netip.Addr
	seen time.Time
}

// line handles one line.
func (p *parser) line(b []byte) error {
	f := bytes.Fields(b)
	if len(f) == 0 || f[0][0] == '#' {
		return nil
	}
	switch string(f[0]) {
	case "ExitNode":
		if err := p.flush(); err != nil {
			return err
		}
		p.sawNode = true
		p.bulk = nil
		if len(f) >= 2 && isFingerprint(f[1]) {
			p.cur = &stanza{fp: strings.ToUpper(string(f[1]))}
			p.nodes++
		}
		return nil
	case "Published":
		if p.cur != nil {
			p.cur.published = parseTime(f[1:])
		}
		return nil
	case "LastStatus":
		if p.cur != nil {
			p.cur.lastStatus = parseTime(f[1:])
		}
		return nil
	case "ExitAddress":
		if p.cur == nil || len(f) < 2 {
			return nil
		}
		a, err := netip.ParseAddr(string(f[1]))
		if err != nil || a.Zone() != "" {
			return nil
		}
		if len(p.cur.addrs) >= maxEntries {
			return fmt.Errorf("%w: more than %d addresses in one stanza", ErrTooLarge, maxEntries)
		}
		p.cur.addrs = append(p.cur.addrs, seenAddr{addr: a.Unmap(), seen: parseTime(f[2:])})
		return nil
	}
	if !p.sawNode && len(f) == 1 {
		if a, err := netip.ParseAddr(string(f[0])); err == nil && a.Zone() == "" {
			if len(p.bulk) >= maxEntries {
				return fmt.Errorf("%w: more than %d addresses", ErrTooLarge, maxEntries)
			}
			p.bulk = append(p.bulk, a.Unmap())
		}
	}
	return nil
}

// flush files the current stanza's addresses. When an address appears in
// several stanzas, the one that saw it most recently wins.
func (p *parser) flush() error {
	s := p.cur
	p.cur = nil
	if s == nil {
		return nil
	}
	for _, sa := range s.addrs {
		e := Exit{NodeID: s.fp, Published: s.published, LastStatus: s.lastStatus, Seen: sa.seen}
		if old, ok := p.list.addrs[sa.addr]; ok {
			if !e.Seen.After(old.Seen) {
				continue
			}
		} else if len(p.list.addrs) >= maxEntries {
			return fmt.Errorf("%w: more than %d addresses", ErrTooLarge, maxEntries)
		}
		p.list.addrs[sa.addr] = e
	}
	return nil
}

// parseTime reads "<date> <time>" fields as UTC; zero when malformed.
func parseTime(f [][]byte) time.Time {
	if len(f) < 2 {
		return time.Time{}
	}
	t, err := time.Parse(timeLayout, string(f[0])+" "+string(f[1]))
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

// isFingerprint reports whether b is 40 hex digits.
func isFingerprint(b []byte) bool {
	if len(b) != 40 {
		return false
	}
	for _, c := range b {
		c |= 0x20
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// limitReader reads at most left bytes and fails with ErrTooLarge past them.
type limitReader struct {
	r    io.Reader
	left int64
}

func (l *limitReader) Read(b []byte) (int, error) {
	if l.left < 0 {
		return 0, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, maxListBytes)
	}
	if int64(len(b)) > l.left+1 {
		b = b[:l.left+1]
	}
	n, err := l.r.Read(b)
	l.left -= int64(n)
	if l.left < 0 {
		return 0, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, maxListBytes)
	}
	return n, err
}
