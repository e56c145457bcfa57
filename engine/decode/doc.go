// Package decode finds encoded payloads in text and says what their bytes are: the
// engine behind `quarry decode` and the Decode pane. It matches msticpy's
// base64unpack where that is documented (a base64 run is at least 30 characters of
// [A-Za-z0-9+/], newlines allowed, then up to two '=') and recognises decoded bytes
// by content rather than by msticpy's table of base64 prefixes, so a payload is
// recognised whatever its alignment inside the run.
//
// This package is pure Go with no I/O: it works on byte slices handed to it.
package decode
