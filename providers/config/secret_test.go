package config

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zalando/go-keyring"
	"gopkg.in/yaml.v3"
)

// TestMain keeps every test away from the real system keyring.
func TestMain(m *testing.M) {
	keyring.MockInit()
	os.Exit(m.Run())
}

func TestSecretKind(t *testing.T) {
	for s, want := range map[Secret]string{
		"":              "",
		"env:VT_KEY":    KindEnv,
		"file:~/.k/vt":  KindFile,
		"keyring:vt":    KindKeyring,
		"abc123":        KindLiteral,
		"ENV:VT_KEY":    KindLiteral,
		"environment:x": KindLiteral,
	} {
		if got := s.Kind(); got != want {
			t.Errorf("%q.Kind() = %q, want %q", string(s), got, want)
		}
	}
}

func TestSecretResolve(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	nl := write("nl", "file-secret-1\n")
	crlf := write("crlf", "  file-secret-2 \r\nsecond line\n")
	empty := write("empty", "\n\n")
	t.Setenv("QUARRY_TEST_SET", "env-secret-3\n")
	t.Setenv("QUARRY_TEST_EMPTY", "")
	keyring.MockInit()
	if err := keyring.Set(KeyringService, "vt", "keyring-secret-4"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		s       Secret
		want    string
		wantErr string // substring of the error ("" = no error)
	}{
		{"", "", ""},
		{"literal-5", "literal-5", ""},
		{"env:QUARRY_TEST_SET", "env-secret-3", ""},
		{"env:QUARRY_TEST_EMPTY", "", "QUARRY_TEST_EMPTY is not set"},
		{"env:QUARRY_TEST_UNSET_XYZ", "", "QUARRY_TEST_UNSET_XYZ is not set"},
		{"env:", "", "names no environment variable"},
		{Secret("file:" + nl), "file-secret-1", ""},
		{Secret("file:" + crlf), "file-secret-2", ""},
		{Secret("file:" + empty), "", "first line of " + empty + " is empty"},
		{Secret("file:" + filepath.Join(dir, "missing")), "", filepath.Join(dir, "missing")},
		{Secret("file:" + dir), "", "is a folder"},
		{"file:", "", "names no file"},
		{"keyring:vt", "keyring-secret-4", ""},
		{"keyring:nope", "", `no secret for service "quarry", user "nope"`},
		{"keyring:", "", "names no entry"},
		{Redacted, "", "put the real key"},
	}
	for _, tt := range tests {
		got, err := tt.s.Resolve()
		if tt.wantErr == "" {
			if err != nil || got != tt.want {
				t.Errorf("%q.Resolve() = %q, %v; want %q", string(tt.s), got, err, tt.want)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) || got != "" {
			t.Errorf("%q.Resolve() = %q, %v; want an error with %q", string(tt.s), got, err, tt.wantErr)
		}
	}
}

func TestSecretFileHome(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	os.MkdirAll(filepath.Join(home, ".keys"), 0o700)
	os.WriteFile(filepath.Join(home, ".keys", "vt"), []byte("home-secret\n"), 0o600)
	s := Secret("file:~/.keys/vt")
	if got, err := s.Resolve(); err != nil || got != "home-secret" {
		t.Errorf("Resolve = %q, %v", got, err)
	}
	if s.Path() != filepath.Join(home, ".keys", "vt") {
		t.Errorf("Path = %q", s.Path())
	}
}

func TestSecretKeyringErrors(t *testing.T) {
	defer keyring.MockInit()
	for _, tt := range []struct {
		err  error
		want string
	}{
		{errors.New("The name org.freedesktop.secrets was not provided by any .service files"), "unavailable (no secret service on a headless box?); use env:NAME or file:PATH"},
		{keyring.ErrUnsupportedPlatform, "no system keyring on"},
		{keyring.ErrNotFound, "no secret for service"},
	} {
		keyring.MockInitWithError(tt.err)
		_, err := Secret("keyring:vt").Resolve()
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "keyring:vt: ") {
			t.Errorf("keyring error %v: got %v, want %q", tt.err, err, tt.want)
		}
	}
}

func TestSecretKeyringTimeout(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	blocked := func(service, user string) (string, error) {
		<-release
		return "late-value", nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	v, err := keyringGet(ctx, "slow", blocked)
	if v != "" || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "keyring:slow: the system keyring did not answer") {
		t.Errorf("blocked keyring: %q, %v", v, err)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("waited %v", time.Since(start))
	}
	empty := func(service, user string) (string, error) { return "  ", nil }
	if _, err := keyringGet(context.Background(), "e", empty); err == nil || !strings.Contains(err.Error(), "entry is empty") {
		t.Errorf("empty entry: %v", err)
	}
	var gotService, gotUser string
	spy := func(service, user string) (string, error) { gotService, gotUser = service, user; return " v \n", nil }
	if v, err := keyringGet(context.Background(), "vt", spy); v != "v" || err != nil || gotService != "quarry" || gotUser != "vt" {
		t.Errorf("spy: %q %v %q %q", v, err, gotService, gotUser)
	}
}

func TestSecretPrinters(t *testing.T) {
	const key = "literal-key-ABCDEF-123"
	for _, tt := range []struct {
		s    Secret
		want string
	}{
		{key, Redacted},
		{"env:VT_KEY", "env:VT_KEY"},
		{"file:~/.keys/vt", "file:~/.keys/vt"},
		{"keyring:vt", "keyring:vt"},
		{"", ""},
	} {
		y, _ := yaml.Marshal(struct{ K Secret }{tt.s})
		j, _ := json.Marshal(struct{ K Secret }{tt.s})
		outs := []string{tt.s.String(), fmt.Sprint(tt.s), fmt.Sprintf("%v|%+v|%#v|%s|%q", tt.s, tt.s, tt.s, tt.s, tt.s), string(y), string(j)}
		for _, o := range outs {
			if strings.Contains(o, key) {
				t.Errorf("output shows the key: %s", o)
			}
		}
		if tt.s.String() != tt.want {
			t.Errorf("String() = %q, want %q", tt.s.String(), tt.want)
		}
		if tt.want != "" && (!strings.Contains(string(y), tt.want) || !strings.Contains(string(j), tt.want)) {
			t.Errorf("yaml %q / json %q want %q", y, j, tt.want)
		}
		if tt.s.Reference() != string(tt.s) {
			t.Errorf("Reference() = %q", tt.s.Reference())
		}
	}
}
