package local

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

// Materialize writes a workspace held in an fs.FS (the demo, embedded in the binary)
// to a folder under root (the user's cache folder when root is ""), so DuckDB can read
// it. The folder is named after a hash of the content: an unchanged workspace is
// written once and reused on every later start.
func Materialize(fsys fs.FS, root string) (string, error) {
	if root == "" {
		c, err := os.UserCacheDir()
		if err != nil {
			c = os.TempDir()
		}
		root = filepath.Join(c, "quarry")
	}
	var files []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("read embedded workspace: %w", err)
	}
	if len(files) == 0 {
		return "", fmt.Errorf("%w: the embedded workspace is empty", ErrNoWorkspace)
	}
	sort.Strings(files)
	// The folder is named after the content, so a binary with a different demo never
	// reuses another's files even when names and sizes match (hashing the ~1 MB demo
	// takes about a millisecond).
	h := sha256.New()
	for _, p := range files {
		f, err := fsys.Open(p)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s\x00", p)
		_, err = io.Copy(h, f)
		f.Close()
		if err != nil {
			return "", fmt.Errorf("read embedded workspace: %w", err)
		}
	}
	dir := filepath.Join(root, "demo-"+hex.EncodeToString(h.Sum(nil))[:16])
	if _, err := os.Stat(filepath.Join(dir, ".complete")); err == nil {
		return dir, nil
	}
	tmp, err := os.MkdirTemp(root+string(os.PathSeparator), ".demo-")
	if err != nil {
		if err := os.MkdirAll(root, 0o755); err != nil {
			return "", fmt.Errorf("cache folder %s: %w", root, err)
		}
		if tmp, err = os.MkdirTemp(root, ".demo-"); err != nil {
			return "", fmt.Errorf("cache folder %s: %w", root, err)
		}
	}
	for _, p := range files {
		if err := copyOut(fsys, p, filepath.Join(tmp, filepath.FromSlash(p))); err != nil {
			os.RemoveAll(tmp)
			return "", err
		}
	}
	if err := os.WriteFile(filepath.Join(tmp, ".complete"), nil, 0o644); err != nil {
		os.RemoveAll(tmp)
		return "", err
	}
	if err := os.Rename(tmp, dir); err != nil {
		os.RemoveAll(tmp)
		// Another process may have written the same folder first.
		if _, serr := os.Stat(filepath.Join(dir, ".complete")); serr == nil {
			return dir, nil
		}
		return "", fmt.Errorf("cache folder %s: %w", dir, err)
	}
	return dir, nil
}

func copyOut(fsys fs.FS, name, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	src, err := fsys.Open(name)
	if err != nil {
		return err
	}
	defer src.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, src); err != nil {
		out.Close()
		return fmt.Errorf("write %s: %w", dst, err)
	}
	return out.Close()
}
