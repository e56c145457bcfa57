package decode

import (
	"bytes"
	"compress/zlib"
	"io"
	"unicode/utf8"
)

// Kind is what a run of decoded bytes is.
type Kind int

// The kinds Sniff tells apart. Archives and compressed streams can be unpacked;
// the executable and document kinds are reported by name and hashed, not opened.
const (
	Binary  Kind = iota // bytes of no known kind
	UTF8                // UTF-8 text
	UTF16LE             // UTF-16 little-endian text (PowerShell -EncodedCommand)
	Gzip
	Zlib
	Zip
	Tar
	Bzip2
	PE  // Windows executable or DLL (MZ)
	PDF // PDF document
	SevenZip
	Rar
	OLE // OLE compound file: MSI, legacy Office
	WIM // Windows imaging format
)

var kindNames = [...]string{
	Binary: "binary", UTF8: "utf-8", UTF16LE: "utf-16le", Gzip: "gzip", Zlib: "zlib", Zip: "zip",
	Tar: "tar", Bzip2: "bz2", PE: "pe", PDF: "pdf", SevenZip: "7z", Rar: "rar", OLE: "ole", WIM: "wim",
}

// String is the kind's name as it appears in an encoding chain ("base64>gzip>utf-16le").
func (k Kind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "binary"
}

// IsText reports whether the kind is text.
func (k Kind) IsText() bool { return k == UTF8 || k == UTF16LE }

// IsContainer reports whether the kind holds further bytes to unpack.
func (k Kind) IsContainer() bool {
	switch k {
	case Gzip, Zlib, Zip, Tar, Bzip2:
		return true
	}
	return false
}

// magics are the signatures that sit at offset 0.
var magics = []struct {
	sig  []byte
	kind Kind
}{
	{[]byte{0x1f, 0x8b}, Gzip},
	{[]byte("PK\x03\x04"), Zip},
	{[]byte("PK\x05\x06"), Zip}, // an empty zip
	{[]byte{'7', 'z', 0xbc, 0xaf, 0x27, 0x1c}, SevenZip},
	{[]byte("Rar!\x1a\x07"), Rar},
	{[]byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1}, OLE},
	{[]byte("MSWIM\x00\x00\x00"), WIM},
	{[]byte("%PDF-"), PDF},
}

// Sniff says what b is, by content: a signature at the start (or, for tar, the
// ustar mark at offset 257), a valid zlib header, an MZ header that points at a PE
// signature, then text by its encoding.
func Sniff(b []byte) Kind {
	for _, m := range magics {
		if bytes.HasPrefix(b, m.sig) {
			return m.kind
		}
	}
	if len(b) >= 262 && bytes.Equal(b[257:262], []byte("ustar")) {
		return Tar
	}
	if len(b) >= 4 && b[0] == 'B' && b[1] == 'Z' && b[2] == 'h' && b[3] >= '1' && b[3] <= '9' {
		return Bzip2
	}
	if isPE(b) {
		return PE
	}
	if isZlib(b) {
		return Zlib
	}
	if isUTF16LEText(b) {
		return UTF16LE
	}
	if isUTF8Text(b) {
		return UTF8
	}
	return Binary
}

// isPE reports an MZ header with a plausible e_lfanew. When the bytes reach that
// offset it must hold "PE\0\0" (a text that merely starts with "MZ" is no
// executable); a fragment cut before it counts on the header alone.
func isPE(b []byte) bool {
	if len(b) < 0x40 || b[0] != 'M' || b[1] != 'Z' {
		return false
	}
	off := int(b[0x3c]) | int(b[0x3d])<<8 | int(b[0x3e])<<16 | int(b[0x3f])<<24
	if off < 0x40 || off > 1<<16 {
		return false
	}
	if off+4 <= len(b) {
		return bytes.Equal(b[off:off+4], []byte("PE\x00\x00"))
	}
	return true
}

// isZlib checks the two-byte zlib header (RFC 1950): deflate, a window no larger
// than 32 KiB, no preset dictionary, and the check bits. One text in 31 that starts
// with H, X, h, x, ( or 8 passes that ("HKLM\…" does), so the stream must also
// inflate: its first bytes are read, and corrupt deflate data means it is not zlib.
func isZlib(b []byte) bool {
	if len(b) < 3 {
		return false
	}
	cmf, flg := b[0], b[1]
	if cmf&0x0f != 8 || cmf>>4 > 7 || flg&0x20 != 0 || (uint(cmf)<<8|uint(flg))%31 != 0 {
		return false
	}
	r, err := zlib.NewReader(bytes.NewReader(b))
	if err != nil {
		return false
	}
	var buf [256]byte
	_, err = io.ReadFull(r, buf[:])
	// A stream cut short (a fragment) ends in io.ErrUnexpectedEOF; text read as
	// deflate fails as corrupt input.
	return err == nil || err == io.EOF || err == io.ErrUnexpectedEOF
}

// isUTF8Text reports valid UTF-8 with no NUL and few other control characters
// (tabs and line breaks aside): at most one in ten.
func isUTF8Text(b []byte) bool {
	if len(b) == 0 || !utf8.Valid(b) {
		return false
	}
	ctl, n := 0, 0
	for i := 0; i < len(b); { // not range string(b): that copies b
		r := rune(b[i])
		if r < utf8.RuneSelf {
			i++
		} else {
			var size int
			r, size = utf8.DecodeRune(b[i:])
			i += size
		}
		n++
		switch {
		case r == 0:
			return false
		case r == '\t' || r == '\n' || r == '\r':
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			ctl++
		}
	}
	return ctl*10 <= n
}

// isUTF16LEText reports UTF-16LE text: a byte-order mark, or an even length with
// at least nine in ten code units that are printable ASCII or whitespace with a
// zero high byte (how PowerShell's -EncodedCommand looks).
func isUTF16LEText(b []byte) bool {
	if len(b) >= 2 && b[0] == 0xff && b[1] == 0xfe {
		return true
	}
	if len(b) < 4 || len(b)%2 != 0 {
		return false
	}
	ascii := 0
	units := len(b) / 2
	for i := 0; i+1 < len(b); i += 2 {
		lo, hi := b[i], b[i+1]
		if hi == 0 && (lo >= 0x20 && lo < 0x7f || lo == '\t' || lo == '\n' || lo == '\r') {
			ascii++
		}
	}
	return ascii*10 >= units*9
}
