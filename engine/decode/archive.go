package decode

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"io"
	"math"
)

// inflaters are decompressors kept for reuse across the streams of one Unpack.
type inflaters struct {
	gz *gzip.Reader
	zl io.ReadCloser
}

// inflate decompresses data of a compressed kind (gzip, zlib, bz2) within the
// expansion and output limits, and returns the bytes with, for gzip, the file name
// in its header. A stream that is corrupt or cut short gives what was read before
// the fault; ok is false when nothing came out of a stream that failed.
func (u *unpacker) inflate(kind Kind, data []byte) (out []byte, name string, ok bool) {
	br := bytes.NewReader(data)
	var r io.Reader
	switch kind {
	case Gzip:
		if u.gz == nil {
			g, err := gzip.NewReader(br)
			if err != nil {
				return nil, "", false
			}
			u.gz = g
		} else if err := u.gz.Reset(br); err != nil {
			return nil, "", false
		}
		name, r = u.gz.Name, u.gz
	case Zlib:
		if u.zl == nil {
			z, err := zlib.NewReader(br)
			if err != nil {
				return nil, "", false
			}
			u.zl = z
		} else if err := u.zl.(zlib.Resetter).Reset(br, nil); err != nil {
			return nil, "", false
		}
		r = u.zl
	case Bzip2:
		r = bzip2.NewReader(br)
	default:
		return nil, "", false
	}
	var size int64
	if kind == Gzip && len(data) >= 18 { // ISIZE: the last member's length mod 2³²
		size = int64(binary.LittleEndian.Uint32(data[len(data)-4:]))
	}
	out, err := u.readLimited(r, int64(len(data)), true, size)
	return out, name, len(out) > 0 || err == nil
}

// readLimited reads r to its end or to a limit: the output budget and, when
// expands is set, MaxRatio times inSize plus 1 MiB. Reaching a limit keeps what was
// read and records the reason (the output limit halts all work, the expansion
// limit only this stream). The bytes read are taken from the budget. size is the
// length the stream claims (0 for none), used only to size the buffer. Any read error is returned with the
// bytes read before it.
func (u *unpacker) readLimited(r io.Reader, inSize int64, expands bool, size int64) ([]byte, error) {
	lim, reason := u.budget, StopOutput
	if expands && u.lim.ratio != noRatio {
		ratio := int64(u.lim.ratio)
		if inSize <= (math.MaxInt64-1<<20)/ratio {
			if rl := ratio*inSize + 1<<20; rl < lim {
				lim, reason = rl, StopExpansion
			}
		}
	}
	lim = max(0, min(lim, math.MaxInt64-1))
	b, err := readAtMost(r, lim+1, size)
	if int64(len(b)) > lim {
		b, err = b[:lim], nil
		u.stop(reason, reason == StopOutput)
	}
	u.budget -= int64(len(b))
	return b, err
}

// readAtMost reads r to its end or to n bytes. size is the length expected (0 if
// unknown): when it is right the bytes are read into one allocation, and when it
// lies it costs no more than n.
func readAtMost(r io.Reader, n, size int64) ([]byte, error) {
	c := int64(512)
	if size > 0 {
		c = size + 1 // room to see the end of the stream without growing
	}
	buf := make([]byte, 0, min(c, n))
	for int64(len(buf)) < n {
		if len(buf) == cap(buf) {
			grown := make([]byte, len(buf), min(2*int64(cap(buf))+512, n))
			copy(grown, buf)
			buf = grown
		}
		m, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+m]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
	return buf, nil
}

// archive walks the file members of a zip or tar archive.
type archive interface {
	// next moves to the next file member, reading its bytes when read is set, and
	// reports whether there was one.
	next(read bool) bool
	// name and data are the member moved to.
	name() string
	data() []byte
}

// openArchive opens a zip or tar archive; ok is false when its directory cannot be
// read.
func (u *unpacker) openArchive(kind Kind, data []byte) (archive, bool) {
	switch kind {
	case Zip:
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil && !(errors.Is(err, zip.ErrInsecurePath) && zr != nil) {
			return nil, false
		}
		return &zipArchive{u: u, files: zr.File, size: int64(len(data))}, true
	case Tar:
		return &tarArchive{u: u, tr: tar.NewReader(bytes.NewReader(data)), size: int64(len(data))}, true
	}
	return nil, false
}

type member struct {
	n string
	b []byte
}

func (m *member) name() string { return m.n }
func (m *member) data() []byte { return m.b }

type zipArchive struct {
	member
	u     *unpacker
	files []*zip.File
	i     int
	size  int64
}

func (z *zipArchive) next(read bool) bool {
	for z.i < len(z.files) {
		f := z.files[z.i]
		z.i++
		if f.Mode().IsDir() {
			continue
		}
		z.n, z.b = f.Name, nil
		if !read {
			return true
		}
		rc, err := f.Open()
		if err != nil {
			continue // an unsupported method: nothing to read
		}
		z.b, _ = z.u.readLimited(rc, int64(min(f.CompressedSize64, uint64(z.size))), true, int64(min(f.UncompressedSize64, math.MaxInt64)))
		rc.Close()
		return true
	}
	return false
}

type tarArchive struct {
	member
	u    *unpacker
	tr   *tar.Reader
	size int64
}

func (t *tarArchive) next(read bool) bool {
	for {
		h, err := t.tr.Next()
		if err != nil {
			return false
		}
		if h.Typeflag != tar.TypeReg && h.Typeflag != '\x00' {
			continue
		}
		t.n, t.b = h.Name, nil
		if !read {
			return true
		}
		t.b, _ = t.u.readLimited(t.tr, 0, false, min(h.Size, t.size))
		return true
	}
}
