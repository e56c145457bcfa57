package config

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/zalando/go-keyring"
)

// Secret is a reference to a secret (an API key) as written in the settings:
//
//	env:NAME      the environment variable NAME
//	file:PATH     the first line of the file PATH, trimmed (~ is the home folder)
//	keyring:NAME  the system keyring's secret for service "quarry", user NAME
//	anything else the key itself (a literal; allowed, but Check warns)
//
// Its printers (String, GoString, MarshalYAML, MarshalJSON) show references as
// written and a literal as Redacted, so a Config can be printed or logged;
// Reference gives the text as written, for writing the settings file back.
type Secret string

// Redacted is what the printers show in place of a literal secret.
const Redacted = "(literal, redacted)"

// KeyringService is the keyring service name Quarry's secrets are stored under.
const KeyringService = "quarry"

// KeyringTimeout bounds Resolve's wait for the system keyring (which may be
// waiting for the user to unlock it).
const KeyringTimeout = 30 * time.Second

// maxSecretFile bounds how much of a file: secret is read.
const maxSecretFile = 64 << 10

// The kinds of Secret.
const (
	KindEnv     = "env"
	KindFile    = "file"
	KindKeyring = "keyring"
	KindLiteral = "literal"
)

// Kind is the secret's kind: "env", "file", "keyring", "literal", or "" when
// the secret is empty.
func (s Secret) Kind() string {
	switch {
	case s == "":
		return ""
	case strings.HasPrefix(string(s), "env:"):
		return KindEnv
	case strings.HasPrefix(string(s), "file:"):
		return KindFile
	case strings.HasPrefix(string(s), "keyring:"):
		return KindKeyring
	}
	return KindLiteral
}

// name is the part after the kind's prefix (the whole text for a literal).
func (s Secret) name() string {
	if k := s.Kind(); k != KindLiteral && k != "" {
		return string(s)[len(k)+1:]
	}
	return string(s)
}

// IsSet reports whether the secret is not empty.
func (s Secret) IsSet() bool { return s != "" }

// Reference is the secret exactly as written in the settings, a literal key
// included. Use it only to write the settings file back.
func (s Secret) Reference() string { return string(s) }

// String shows the reference, or Redacted for a literal: never a key.
func (s Secret) String() string {
	if s.Kind() == KindLiteral {
		return Redacted
	}
	return string(s)
}

// GoString is String, so %#v never shows a literal key either.
func (s Secret) GoString() string { return fmt.Sprintf("config.Secret(%q)", s.String()) }

// MarshalYAML writes String: a literal key comes out as Redacted. Use
// Config.MarshalSettings to write a settings file with its keys.
func (s Secret) MarshalYAML() (any, error) { return s.String(), nil }

// MarshalJSON writes String as a JSON string.
func (s Secret) MarshalJSON() ([]byte, error) {
	return []byte(fmt.Sprintf("%q", s.String())), nil
}

// Path is a file: secret's file with ~ expanded ("" for other kinds).
func (s Secret) Path() string {
	if s.Kind() != KindFile {
		return ""
	}
	return expandHome(s.name())
}

// relativeTo makes a relative file: secret's path absolute from base; ~ and
// absolute paths are kept as written.
func (s Secret) relativeTo(base string) Secret {
	p := s.name()
	if s.Kind() != KindFile || p == "" || expandHome(p) != p || filepath.IsAbs(p) {
		return s
	}
	return Secret("file:" + filepath.Join(base, p))
}

// Resolve gives the secret's value, waiting at most KeyringTimeout for the
// system keyring. An empty secret gives "" and no error. Errors name the
// reference (the variable, the file, the keyring entry), never a value.
func (s Secret) Resolve() (string, error) {
	if s.Kind() != KindKeyring {
		return s.ResolveContext(context.Background())
	}
	ctx, cancel := context.WithTimeout(context.Background(), KeyringTimeout)
	defer cancel()
	return s.ResolveContext(ctx)
}

// ResolveContext is Resolve, giving up on the system keyring when ctx ends.
func (s Secret) ResolveContext(ctx context.Context) (string, error) {
	name := s.name()
	switch s.Kind() {
	case "":
		return "", nil
	case KindEnv:
		if name == "" {
			return "", errors.New("env: names no environment variable (write env:NAME)")
		}
		v := os.Getenv(name)
		if strings.TrimSpace(v) == "" {
			return "", fmt.Errorf("%s: the environment variable %s is not set", s, name)
		}
		return strings.TrimSpace(v), nil
	case KindFile:
		if name == "" {
			return "", errors.New("file: names no file (write file:PATH)")
		}
		return readSecretFile(string(s), s.Path())
	case KindKeyring:
		if name == "" {
			return "", errors.New("keyring: names no entry (write keyring:NAME)")
		}
		return keyringGet(ctx, name, keyring.Get)
	}
	if s == Redacted {
		return "", errors.New("the key reads " + Redacted + ": the settings were written with the key hidden; put the real key (or env:NAME, file:PATH, keyring:NAME) back")
	}
	return string(s), nil
}

// readSecretFile reads the first line of path, trimmed.
func readSecretFile(ref, path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("%s: %w", ref, err)
	}
	defer f.Close()
	if info, err := f.Stat(); err == nil && info.IsDir() {
		return "", fmt.Errorf("%s: %s is a folder, not a file", ref, path)
	}
	r := bufio.NewReader(io.LimitReader(f, maxSecretFile))
	line, err := r.ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("%s: read %s: %w", ref, path, err)
	}
	line = strings.TrimSpace(line)
	if line == "" {
		return "", fmt.Errorf("%s: the first line of %s is empty", ref, path)
	}
	return line, nil
}

// keyringGet asks the system keyring (get: keyring.Get) for
// KeyringService/name, mapping its errors to advice. go-keyring cannot be
// cancelled, so on ctx's end the request is left to finish in the background.
func keyringGet(ctx context.Context, name string, get func(service, user string) (string, error)) (string, error) {
	type answer struct {
		v   string
		err error
	}
	ch := make(chan answer, 1)
	go func() {
		v, err := get(KeyringService, name)
		ch <- answer{v, err}
	}()
	var a answer
	select {
	case a = <-ch:
	case <-ctx.Done():
		return "", fmt.Errorf("keyring:%s: the system keyring did not answer: %w", name, ctx.Err())
	}
	switch {
	case a.err == nil && strings.TrimSpace(a.v) == "":
		return "", fmt.Errorf("keyring:%s: the keyring entry is empty", name)
	case a.err == nil:
		return strings.TrimSpace(a.v), nil
	case errors.Is(a.err, keyring.ErrNotFound):
		return "", fmt.Errorf("keyring:%s: no secret for service %q, user %q in the system keyring%s", name, KeyringService, name, storeHint(name))
	case errors.Is(a.err, keyring.ErrUnsupportedPlatform):
		return "", fmt.Errorf("keyring:%s: no system keyring on %s; use env:NAME or file:PATH: %w", name, runtime.GOOS, a.err)
	}
	return "", fmt.Errorf("keyring:%s: the system keyring is unavailable (no secret service on a headless box?); use env:NAME or file:PATH instead: %w", name, a.err)
}

// storeHint says how to store a keyring secret on this system.
func storeHint(name string) string {
	switch runtime.GOOS {
	case "darwin":
		return fmt.Sprintf(" (store one with: security add-generic-password -s %s -a %s -w)", KeyringService, name)
	case "windows":
		return ""
	}
	return fmt.Sprintf(" (store one with: secret-tool store --label=%s service %s username %s)", KeyringService, KeyringService, name)
}
