package ioc

import (
	"slices"
	"strings"
	"testing"
)

// got lists the matches as "type value" (with " !" when defanged), in order.
func got(ms []Match) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = string(m.Type) + " " + m.Value
		if m.Defanged {
			out[i] += " !"
		}
	}
	return out
}

func extract(t *testing.T, text string, opts Options) []Match {
	t.Helper()
	ms, err := Extract(text, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.Start < 0 || m.End > len(text) || m.Start >= m.End {
			t.Errorf("%q: match %+v has offsets outside the text", text, m)
		}
	}
	return ms
}

func TestExtractTypes(t *testing.T) {
	paths := Options{Paths: true}
	linux := Options{Types: []Type{LinuxPath}}
	cases := []struct {
		name string
		text string
		opts Options
		want []string
	}{
		// IPv4
		{"ipv4", "conn from 10.0.0.1 port 22", Options{}, []string{"ipv4 10.0.0.1"}},
		{"ipv4 edges", "0.0.0.0 255.255.255.255", Options{}, []string{"ipv4 0.0.0.0", "ipv4 255.255.255.255"}},
		{"ipv4 with port and cidr", "1.2.3.4:443 and 192.168.0.0/16", Options{}, []string{"ipv4 1.2.3.4", "ipv4 192.168.0.0"}},
		{"ipv4 end of sentence", "blocked 8.8.8.8.", Options{}, []string{"ipv4 8.8.8.8"}},
		{"ipv4 in brackets", "unknown[203.0.113.9]:", Options{}, []string{"ipv4 203.0.113.9"}},
		{"ipv4 leading zeros", "010.001.002.003", Options{}, []string{"ipv4 10.1.2.3"}},
		{"not ipv4: version", "version 1.2.3.4.5 released", Options{}, nil},
		{"not ipv4: octet", "999.1.1.1 and 1.256.1.1", Options{}, nil},
		{"not ipv4: three parts", "1.2.3 and 1.2", Options{}, nil},
		{"not ipv4: four digits", "1234.1.1.1", Options{}, nil},
		// IPv6
		{"ipv6 full", "2001:0db8:85a3:0000:0000:8a2e:0370:7334", Options{}, []string{"ipv6 2001:0db8:85a3:0000:0000:8a2e:0370:7334"}},
		{"ipv6 short forms", "2001:db8::1 ::1 fe80::a%eth0 ff02::2", Options{}, []string{"ipv6 2001:db8::1", "ipv6 ::1", "ipv6 fe80::a", "ipv6 ff02::2"}},
		{"ipv6 mapped", "from ::ffff:10.1.2.3 ok", Options{}, []string{"ipv6 ::ffff:10.1.2.3"}},
		{"not ipv6: clock, mac, bare", "at 12:30:45 mac 00:1a:2b:3c:4d:5e :: std::cout", Options{}, nil},
		// Hashes
		{"md5", "MD5=D41D8CD98F00B204E9800998ECF8427E,", Options{}, []string{"md5_hash D41D8CD98F00B204E9800998ECF8427E"}},
		{"sha1", "sha1: da39a3ee5e6b4b0d3255bfef95601890afd80709", Options{}, []string{"sha1_hash da39a3ee5e6b4b0d3255bfef95601890afd80709"}},
		{"sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Options{}, []string{"sha256_hash e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}},
		{"not hash: lengths and letters", "d41d8cd98f00b204e9800998ecf8427 d41d8cd98f00b204e9800998ecf8427ef g41d8cd98f00b204e9800998ecf8427e", Options{}, nil},
		{"not hash: guid", "{3f2504e0-4f89-11d3-9a0c-0305e82c3301}", Options{}, nil},
		// DNS
		{"dns", "resolved evil-cdn.com and www.bbc.co.uk", Options{}, []string{"dns evil-cdn.com", "dns www.bbc.co.uk"}},
		{"dns punycode", "xn--80ak6aa92e.com", Options{}, []string{"dns xn--80ak6aa92e.com"}},
		{"dns trailing dot and version", "host evil.com. and evil.net.2", Options{}, []string{"dns evil.com", "dns evil.net"}},
		{"not dns: file names and bad TLDs", "ran a.exe with config.json and setup.dll on foo.notatld", Options{}, nil},
		{"not dns: ignore_tlds takes it", "config.json", Options{IgnoreTLDs: true}, []string{"dns config.json"}},
		{"not dns: bad labels", "-evil.com is", Options{}, []string{"dns evil.com"}},
		{"not dns: file after a path separator", `C:\tmp\update.sh and /tmp/run.py`, Options{}, nil},
		{"not dns: property names", "scope User.Read and ServicePrincipal.Name", Options{}, nil},
		{"dns upper case", "realm SIMULANDLABS.COM host DC01.simulandlabs.com", Options{}, []string{"dns SIMULANDLABS.COM", "dns DC01.simulandlabs.com"}},
		// Hostname
		{"hostname", "dc01.corp.local and nas.home.arpa and build.internal", Options{}, []string{"hostname dc01.corp.local", "hostname nas.home.arpa", "hostname build.internal"}},
		// Email
		{"email", "from=<spam@evil.org> to bob.smith+x@mail.example.com", Options{}, []string{"email spam@evil.org", "dns evil.org", "email bob.smith+x@mail.example.com", "dns mail.example.com"}},
		{"email display name", `"John Doe" <john@example.com>`, Options{}, []string{"email john@example.com", "dns example.com"}},
		{"email local part is no domain", "bob.info@evil.com", Options{}, []string{"email bob.info@evil.com", "dns evil.com"}},
		{"not email: local host", "root@localhost and a@b", Options{}, nil},
		// URL (msticpy's cases: user info, ports, queries, fragments)
		{"url", "GET http://evil.com/a/b.php?x=1&y=2#frag now", Options{}, []string{"url http://evil.com/a/b.php?x=1&y=2#frag", "dns evil.com"}},
		{"url userinfo port", "ftp://user:pass@ftp.example.org:2121/pub/file.zip", Options{}, []string{"url ftp://user:pass@ftp.example.org:2121/pub/file.zip", "dns ftp.example.org"}},
		{"url ip host", "curl https://203.0.113.5:8443/x", Options{}, []string{"url https://203.0.113.5:8443/x", "ipv4 203.0.113.5"}},
		{"url ipv6 host", "http://[2001:db8::2]:80/x", Options{}, []string{"url http://[2001:db8::2]:80/x", "ipv6 2001:db8::2"}},
		{"url intranet host", "http://intranet/wiki", Options{}, []string{"url http://intranet/wiki", "hostname intranet"}},
		{"url schemes", "ldap://dc.example.com telnet://10.0.0.9 sftp://files.example.net/a file:///etc/passwd", Options{},
			[]string{"url ldap://dc.example.com", "dns dc.example.com", "url telnet://10.0.0.9", "ipv4 10.0.0.9", "url sftp://files.example.net/a", "dns files.example.net", "url file:///etc/passwd"}},
		{"url trailing punctuation", "see (https://evil.com/x). Or 'http://evil.org/y', or https://en.wikipedia.org/wiki/A_(b)", Options{},
			[]string{"url https://evil.com/x", "dns evil.com", "url http://evil.org/y", "dns evil.org", "url https://en.wikipedia.org/wiki/A_(b)", "dns en.wikipedia.org"}},
		{"url percent-decoded", "http://x.com/r?u=http%3A%2F%2Fevil.net%2Fp", Options{}, []string{
			"url http://x.com/r?u=http%3A%2F%2Fevil.net%2Fp", "url http://x.com/r?u=http://evil.net/p", "url http://evil.net/p", "dns x.com", "dns evil.net"}},
		{"url list", "aud=https://a.example.com;https://b.example.com/,http://c.example.com", Options{}, []string{
			"url https://a.example.com", "dns a.example.com", "url https://b.example.com/", "dns b.example.com", "url http://c.example.com", "dns c.example.com"}},
		{"url json escaped quote", `{"u":"http://schemas.microsoft.com/win/2004/08/events/event\"}`, Options{}, []string{
			"url http://schemas.microsoft.com/win/2004/08/events/event", "dns schemas.microsoft.com"}},
		{"url in quotes", `"url":"https://evil.com/a"`, Options{}, []string{"url https://evil.com/a", "dns evil.com"}},
		{"not url: unknown scheme or none", "gopher://evil.com javascript:alert(1) http://", Options{}, []string{"dns evil.com"}},
		// Defanged forms, reported refanged
		{"defanged url", "hxxps://evil[.]com/a hXXp://bad(.)org fxp://files[.]example[.]net", Options{}, []string{
			"url https://evil.com/a !", "dns evil.com !", "url http://bad.org !", "dns bad.org !", "url ftp://files.example.net !", "dns files.example.net !"}},
		{"defanged scheme separator", "http[:]//evil.com/x and https[://]evil.org", Options{}, []string{
			"url http://evil.com/x !", "dns evil.com", "url https://evil.org !", "dns evil.org"}},
		{"defanged ipv4", "c2 at 10[.]0[.]0[.]1 and 8(.)8(.)8(.)8", Options{}, []string{"ipv4 10.0.0.1 !", "ipv4 8.8.8.8 !"}},
		{"defanged dns", "evil[dot]com and evil (dot) org and bad{.}net and EVIL[DOT]INFO", Options{}, []string{
			"dns evil.com !", "dns evil.org !", "dns bad.net !", "dns EVIL.INFO !"}},
		{"defanged email", "bob[at]evil[.]com and eve (at) bad.org and x[@]y.net", Options{}, []string{
			"email bob@evil.com !", "dns evil.com !", "email eve@bad.org !", "dns bad.org", "email x@y.net !", "dns y.net"}},
		// Windows paths (only when asked)
		{"no paths by default", `C:\Windows\System32\cmd.exe`, Options{}, nil},
		{"windows path", `C:\Windows\System32\cmd.exe /c whoami`, paths, []string{`windows_path C:\Windows\System32\cmd.exe`}},
		{"windows path spaces", `"C:\Program Files (x86)\Microsoft Office 15.0\winword.exe" /q`, paths, []string{`windows_path C:\Program Files (x86)\Microsoft Office 15.0\winword.exe`}},
		{"windows unc", `copy \\fileserv\share$\x.ps1 .`, paths, []string{`windows_path \\fileserv\share$\x.ps1`, "hostname fileserv"}},
		{"windows relative", `run .\payload.exe then ..\..\tools\nc.exe and temp\evil.bat and %TEMP%\a.dll`, paths, []string{
			`windows_path .\payload.exe`, `windows_path ..\..\tools\nc.exe`, `windows_path temp\evil.bat`, `windows_path %TEMP%\a.dll`}},
		{"windows paths side by side", `\\srv\s\x.ps1 and .\run.bat temp\e.exe`, paths, []string{
			`windows_path \\srv\s\x.ps1`, "hostname srv", `windows_path .\run.bat`, `windows_path temp\e.exe`}},
		{"windows json escaped", `{"Image":"C:\\Windows\\System32\\svchost.exe"}`, paths, []string{`windows_path C:\Windows\System32\svchost.exe`}},
		// Linux paths (only when named)
		{"linux path", "exec /usr/bin/curl -o /tmp/.x/a.sh and ./run.sh ~/.ssh/id_rsa", linux, []string{
			"linux_path /usr/bin/curl", "linux_path /tmp/.x/a.sh", "linux_path ./run.sh", "linux_path ~/.ssh/id_rsa"}},
		{"not linux path: words", "and/or evil.com/x", linux, nil},
		// Type selection
		{"types filter", "10.0.0.1 evil.com d41d8cd98f00b204e9800998ecf8427e", Options{Types: []Type{MD5}}, []string{"md5_hash d41d8cd98f00b204e9800998ecf8427e"}},
		{"url host needs its type", "http://evil.com/x", Options{Types: []Type{URL}}, []string{"url http://evil.com/x"}},
		// Filters
		{"ignore private", "10.0.0.1 192.168.1.1 127.0.0.1 169.254.1.1 8.8.8.8 192.0.2.1 fe80::1 2001:db8::1 2606:4700::1111 http://10.0.0.2/x", Options{IgnorePrivate: true}, []string{
			"ipv4 8.8.8.8", "ipv6 2606:4700::1111"}},
		{"allow list", "update.microsoft.com microsoft.com evilmicrosoft.com http://x.microsoft.com/a bob@microsoft.com", Options{Allow: []string{"Microsoft.com"}}, []string{"dns evilmicrosoft.com"}},
		// Hostile text: control characters around indicators
		{"control characters", "\x1b]52;c;10.0.0.1\x07 \x1b[31mevil.com\x1b[0m", Options{}, []string{"ipv4 10.0.0.1", "dns evil.com"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := got(extract(t, c.text, c.opts))
			if !slices.Equal(g, c.want) {
				t.Errorf("Extract(%q)\n got %q\nwant %q", c.text, g, c.want)
			}
		})
	}
}

func TestExtractOffsets(t *testing.T) {
	text := "ip 10.0.0.1 url hxxp://evil[.]com/a mail bob@x.org"
	for _, m := range extract(t, text, Options{}) {
		raw := text[m.Start:m.End]
		switch m.Type {
		case IPv4:
			if raw != "10.0.0.1" {
				t.Errorf("ipv4 at %q", raw)
			}
		case URL:
			if raw != "hxxp://evil[.]com/a" {
				t.Errorf("url at %q", raw)
			}
		case DNS:
			if raw != "evil[.]com" && raw != "x.org" {
				t.Errorf("dns at %q", raw)
			}
		case Email:
			if raw != "bob@x.org" {
				t.Errorf("email at %q", raw)
			}
		}
	}
}

func TestCustomPatterns(t *testing.T) {
	opts := Options{Custom: []Pattern{
		{Type: "cve", Regexp: `(?i)\bCVE-\d{4}-\d{4,7}\b`},
		{Type: "btc", Regexp: `\b(?P<addr>bc1[a-z0-9]{25,39})\b`, Group: "addr", Priority: 1},
	}}
	g := got(extract(t, "exploits CVE-2021-44228 pays bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq at 10.0.0.1", opts))
	want := []string{"cve CVE-2021-44228", "btc bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "ipv4 10.0.0.1"}
	if !slices.Equal(g, want) {
		t.Errorf("got %q want %q", g, want)
	}
	// Asking for one custom type leaves the built-ins out.
	g = got(extract(t, "CVE-2021-44228 at 10.0.0.1", Options{Types: []Type{"cve"}, Custom: opts.Custom}))
	if !slices.Equal(g, []string{"cve CVE-2021-44228"}) {
		t.Errorf("got %q", g)
	}
	// A custom type that matches what a built-in type matched: the lower
	// priority number wins (msticpy's rule).
	g = got(extract(t, "evil.com", Options{Custom: []Pattern{{Type: "bad", Regexp: `evil\.com`, Priority: 5}}}))
	if !slices.Equal(g, []string{"dns evil.com"}) {
		t.Errorf("priority: got %q", g)
	}
	g = got(extract(t, "evil.com", Options{Custom: []Pattern{{Type: "bad", Regexp: `evil\.com`, Priority: 1}}}))
	if !slices.Equal(g, []string{"bad evil.com"}) {
		t.Errorf("priority: got %q", g)
	}
	for _, bad := range []Options{
		{Custom: []Pattern{{Type: "ipv4", Regexp: "x"}}},
		{Custom: []Pattern{{Type: "x", Regexp: "("}}},
		{Custom: []Pattern{{Type: "x", Regexp: "a", Group: "g"}}},
		{Types: []Type{"nosuch"}},
	} {
		if _, err := New(bad); err == nil {
			t.Errorf("New(%+v) accepted", bad)
		}
	}
}

func TestParseTypes(t *testing.T) {
	ts, err := ParseTypes(" IPv4, url,,sha256_hash ")
	if err != nil || !slices.Equal(ts, []Type{IPv4, URL, SHA256}) {
		t.Errorf("ParseTypes = %v, %v", ts, err)
	}
	if _, err := ParseTypes("ipv4,ipv5"); err == nil || !strings.Contains(err.Error(), "ipv5") {
		t.Errorf("ParseTypes(ipv5) = %v", err)
	}
}

func TestExtractorReuse(t *testing.T) {
	x, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	a := x.Extract([]byte("10.0.0.1"))
	b := x.Extract([]byte("evil.com"))
	if len(a) != 1 || a[0].Value != "10.0.0.1" || len(b) != 1 || b[0].Value != "evil.com" {
		t.Errorf("a reused extractor changed an earlier result: %v %v", a, b)
	}
}
