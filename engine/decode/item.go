package decode

// Options bound an unpacking. The zero value means the defaults (see Defaults);
// a negative limit means none.
type Options struct {
	// MaxDepth is how deep decoding recurses: an item decoded from an item is one
	// level deeper (msticpy's max_recursion, 20 by default).
	MaxDepth int
	// MaxOutput caps the decoded bytes kept across all items (64 MiB by default):
	// every byte that decoding base64 or hex, decompressing or reading an archive
	// member produces counts, so a gzip'd payload counts twice.
	MaxOutput int64
	// MaxRatio caps how much a compressed stream may expand: its output may be at
	// most MaxRatio times its input, plus 1 MiB (100 by default).
	MaxRatio int
	// MaxEntries caps the members read from one archive (1,000 by default).
	MaxEntries int
	// MaxItems caps the items in a result (10,000 by default).
	MaxItems int
	// MinBase64 is the shortest base64 run decoded (MinBase64, msticpy's 30, by
	// default; lower values are raised to it).
	MinBase64 int
	// NoHex turns off hex-string decoding.
	NoHex bool
}

// Defaults is the options used for zero fields.
var Defaults = Options{
	MaxDepth:   20,
	MaxOutput:  64 << 20,
	MaxRatio:   100,
	MaxEntries: 1000,
	MaxItems:   10000,
	MinBase64:  MinBase64,
}

// Item is one decoded payload: a base64 or hex run, or a member of an archive.
type Item struct {
	// Index is the item's position in Result.Items.
	Index int
	// Parent is the index of the item this one was found in, -1 for the input.
	Parent int
	// Reference is the item's place in the tree: "1" is the first payload found in
	// the input, "1.2" the second found inside it (or its second archive member).
	Reference string
	// Depth is 1 for payloads in the input, one more for each level of nesting.
	Depth int
	// Encoding is the chain of what was undone, outermost first: "base64>gzip>utf-16le".
	// It starts with the parent's chain, so a payload found in a decoded text reads
	// "base64>utf-16le>base64>utf-8", and an archive member "base64>zip>pe".
	Encoding string
	// Start and End are the byte offsets of the encoded run in the parent's text
	// (the input's for depth 1); both are 0 for archive members.
	Start, End int
	// Original is the encoded text as found (for archive members, empty), cut at
	// 4 KiB with "…" when longer.
	Original string
	// FileName is an archive member's name, or the name in a gzip header
	// ("gzip_file", as msticpy says, when the header has none); "" otherwise.
	FileName string
	// FileType is what the decoded bytes are (Kind.String: "utf-8", "gzip", "pe"…).
	FileType string
	// Size is the length of the decoded bytes.
	Size int
	// MD5, SHA1 and SHA256 are the hex digests of the decoded bytes.
	MD5, SHA1, SHA256 string
	// Decoded is the decoded text when the bytes are text (with its own payloads
	// left encoded), else the bytes as space-separated hex pairs (msticpy's
	// printable form), cut at 4 KiB of bytes.
	Decoded string
	// Text reports whether Decoded is text.
	Text bool
	// Children are the indexes of the items found inside this one.
	Children []int
}

// Result is what Unpack found.
type Result struct {
	// Decoded is the input with every payload replaced, as msticpy marks it, by a
	// <decoded …>…</decoded> tag holding its (recursively) decoded form.
	Decoded string
	// Items are the payloads in tree order (depth-first, parents first).
	Items []Item
	// Stopped is empty when everything was decoded, else what stopped the work:
	// "depth limit", "output limit", "expansion limit", "archive entry limit",
	// "item limit" or "cancelled". The result holds what was done before it.
	Stopped string
}
