package ioc

import "strings"

// winPath reads a Windows path around the backslash at i: its root (a drive
// "C:", a UNC "\\host", dots, or a relative first folder such as "temp" or
// "%TEMP%"), then folders (spaces allowed) and a file name (none), as msticpy's
// expression does. JSON-escaped paths ("C:\\Windows\\cmd.exe") are read with
// their doubled separators and reported with single ones. It reports the path
// (and a UNC host that is no public domain, as hostname) and returns its end,
// or 0.
func (x *Extractor) winPath(text []byte, i, base int) int {
	n := len(text)
	start := i
	sep := 1
	switch {
	case i+1 < n && text[i+1] == '\\' && (i == 0 || text[i-1] != '\\') && i >= 2 && text[i-1] == ':' && is(text[i-2], cAlpha) && (i < 3 || !is(text[i-3], cWord)):
		// "C:\\Windows\\…": a drive in JSON-escaped text.
		start, sep = i-2, 2
	case i+1 < n && text[i+1] == '\\' && (i == 0 || text[i-1] != '\\'):
		// "\\host\share": a UNC root.
		h := i + 2
		for h < n && (is(text[h], cAlnum) || text[h] == '_' || text[h] == '.' || text[h] == '$' || text[h] == '-') {
			h++
		}
		if h == i+2 || h >= n || text[h] != '\\' {
			return 0
		}
		if x.want&bHostname != 0 {
			host := strings.TrimRight(string(text[i+2:h]), ".")
			if t, _ := x.hostType(host, false); t == Hostname && !x.allowed(host) {
				x.add(Hostname, host, base+i+2, base+i+2+len(host), false)
			}
		}
		i = h
	case i >= 2 && text[i-1] == ':' && is(text[i-2], cAlpha) && (i < 3 || !is(text[i-3], cWord)):
		start = i - 2
	default:
		for start > 0 && relByte(text[start-1]) {
			start--
		}
	}
	p := i
	last := 0
	for p+sep <= n && text[p] == '\\' && (sep == 1 || text[p+1] == '\\') {
		f := p + sep
		for f < n && cls[text[f]]&cWinFile != 0 {
			f++
		}
		if f > p+sep {
			last = f
		}
		d := p + sep
		for d < n && cls[text[d]]&cWinDir != 0 {
			d++
		}
		if d > p+sep && d+sep <= n && text[d] == '\\' && (sep == 1 || text[d+1] == '\\') && folderName(text[p+sep:d]) {
			p = d
			continue
		}
		break
	}
	if last == 0 {
		return 0
	}
	end := trimTail(text, start, last)
	if end <= i+sep {
		return 0
	}
	v := string(text[start:end])
	if sep == 2 {
		v = strings.ReplaceAll(v, `\\`, `\`)
	}
	x.add(WindowsPath, v, base+start, base+end, false)
	return end
}

// relByte is a byte of a relative path's first folder: letters, digits and
// . _ $ % ~ - (so "%TEMP%\x.exe", ".\x", "..\x" and "temp\x" keep their start).
func relByte(c byte) bool {
	return is(c, cAlnum) || c == '.' || c == '_' || c == '$' || c == '%' || c == '~' || c == '-'
}

// linPath reads a Linux path from the slash at i: its root (slashes, "./",
// "../", "~/"), folders and a file name, as msticpy's expression does, but only
// where the slash does not follow a word ("and/or" and "evil.com/x" are no
// paths). It reports the path and returns its end, or 0.
func (x *Extractor) linPath(text []byte, i, base int) int {
	n := len(text)
	start := i
	for start > 0 && (text[start-1] == '.' || text[start-1] == '~') && i-start < 2 {
		start--
	}
	if start > 0 && (is(text[start-1], cWord) || text[start-1] == '.' || text[start-1] == '-' || text[start-1] == '/') {
		return 0
	}
	p := i
	for p+1 < n && text[p+1] == '/' {
		p++
	}
	last := 0
	for p < n && text[p] == '/' {
		f := p + 1
		for f < n && cls[text[f]]&cLinFile != 0 && text[f] != 0 {
			f++
		}
		if f > p+1 {
			last = f
		}
		d := p + 1
		for d < n && cls[text[d]]&cLinDir != 0 {
			d++
		}
		if d > p+1 && d < n && text[d] == '/' && folderName(text[p+1:d]) {
			p = d
			continue
		}
		break
	}
	if last == 0 {
		return 0
	}
	end := trimTail(text, start, last)
	if end <= i+1 {
		return 0
	}
	x.add(LinuxPath, string(text[start:end]), base+start, base+end, false)
	return end
}

// folderName reports whether a folder name with spaces is one ("Program Files",
// "Microsoft Office 15.0") rather than the end of one path and the start of the
// next ("x.ps1 and .", "run.bat temp"): a word before a space may not end in a
// file extension, no word may start like an option ("-o", "/c"), the name may
// not start or end with a space, and the last word may not be a relative root
// ("." or "..").
func folderName(seg []byte) bool {
	sp := indexByte(seg, ' ')
	if sp < 0 {
		return true
	}
	if seg[0] == ' ' || seg[len(seg)-1] == ' ' {
		return false
	}
	word := 0
	for k := 0; k <= len(seg); k++ {
		if k < len(seg) && seg[k] != ' ' {
			continue
		}
		w := seg[word:k]
		if len(w) > 0 && (w[0] == '-' || w[0] == '/') {
			return false
		}
		if k < len(seg) && hasExtension(w) {
			return false
		}
		if k == len(seg) && (string(w) == "." || string(w) == "..") {
			return false
		}
		word = k + 1
	}
	return true
}

// hasExtension reports a word that ends like a file name: a dot, then one to four
// letters or digits of which the first is a letter.
func hasExtension(w []byte) bool {
	d := len(w) - 1
	for d >= 0 && w[d] != '.' {
		d--
	}
	ext := len(w) - d - 1
	if d <= 0 || ext < 1 || ext > 4 || !is(w[d+1], cAlpha) {
		return false
	}
	for _, c := range w[d+1:] {
		if !is(c, cAlnum) {
			return false
		}
	}
	return true
}
