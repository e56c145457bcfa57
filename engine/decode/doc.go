// Package decode finds encoded payloads in text and says what their bytes are: the
// engine behind `quarry decode` and the Decode pane. It matches msticpy's
// base64unpack where that is documented (a base64 run is at least 30 characters of
// [A-Za-z0-9+/], newlines allowed, then up to two '=') and recognises decoded bytes
// by content rather than by msticpy's table of base64 prefixes, so a payload is
// recognised whatever its alignment inside the run.
//
// Unpack is the recursive unpacker. It finds base64 runs and hex strings (plain
// runs of at least 32 hex digits, "0x" runs, \xNN escapes), decodes them, undoes
// gzip, zlib and bzip2, opens zip and tar archives, and does it again inside every
// decoded text, up to MaxDepth levels. Each payload is an Item in a tree (tree
// order, with parent, reference "1.2.1", depth, offsets, hashes and the encoding
// chain "base64>gzip>utf-16le"), and Result.Decoded is the input with each
// payload replaced by msticpy's <decoded …>…</decoded> tag.
//
// Where it differs from msticpy:
//   - Decoding that yields bytes of no known kind is reported only when the run is
//     a whole number of base64 quanta and does not look like a path (only letters
//     and '/', or a '/' in every eight characters) or a hash (only hex digits):
//     msticpy reports every decodable run. Hex strings are reported only when they
//     decode to text or a known file type, and win over a base64 reading.
//   - A base64 run over several lines is one payload only when it looks wrapped at
//     a fixed width; otherwise each line is a run, so a payload ending a log line
//     is not joined with the next line's first word.
//   - gzip, zlib and bzip2 are steps of the encoding chain, not items: a gzip'd
//     text is one item "base64>gzip>utf-8" named "gzip_file" (or its header name).
//     A zip or tar archive is an item whose members are child items; its tag is
//     msticpy's 'multiple binary' wrapper even with a single member.
//   - A binary item shows the hex pairs of its first 4 KiB; file names in tags
//     have ' " < > & % and control characters percent-escaped.
//
// The work is bounded against hostile input (see Options): every decompressor
// reads through a limit of MaxRatio times its input plus 1 MiB and of what is
// left of MaxOutput; archives are read up to MaxEntries members; a result holds
// at most MaxItems items; recursion stops at MaxDepth; the context is checked
// between payloads and every 1 MiB of scanned text. Reaching a bound keeps what was
// done (a cut stream is a partial item) and says why in Result.Stopped. Nested
// compression layers inside one item count against MaxDepth too. Turning the
// limits off (negative values) leaves only the context to end the work on a
// self-reproducing archive.
//
// This package is pure Go with no I/O: it works on byte slices handed to it.
package decode
