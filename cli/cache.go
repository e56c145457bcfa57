package cli

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/quarry-sec/quarry/engine/frame"
	"github.com/quarry-sec/quarry/providers/httpx"
	"github.com/quarry-sec/quarry/providers/ti/registry"
)

func newCacheCmd(app *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cache",
		Short: "Show or clear the threat-intelligence look-up cache",
		Args:  noArgs,
		RunE:  func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	var provider string
	var remove bool
	clear := &cobra.Command{
		Use:   "clear",
		Short: "Remove cached look-up answers (all, or one provider's)",
		Long: `Remove cached look-up answers: every provider's, or one provider's with
--provider. --remove deletes the cache file itself (use it if the file is
damaged).`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			path, err := app.cachePath()
			if err != nil {
				return err
			}
			if remove {
				if provider != "" {
					return usage("--remove deletes the whole file; leave out --provider")
				}
				if err := httpx.RemoveCache(path); err != nil {
					return err
				}
				fmt.Fprintf(app.Env.Stdout, "removed %s\n", path)
				return nil
			}
			if provider != "" {
				spec, ok := registry.Find(provider)
				if !ok {
					return usage("no provider %q (known: %s)", provider, strings.Join(registry.Names(), ", "))
				}
				provider = spec.Name
			}
			if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
				fmt.Fprintf(app.Env.Stdout, "no cache at %s: nothing to clear\n", path)
				return nil
			}
			c, err := httpx.OpenCache(path)
			if errors.Is(err, httpx.ErrCacheCorrupt) && provider == "" {
				// A damaged file cannot be opened to clear it: start afresh.
				if err := httpx.RemoveCache(path); err != nil {
					return err
				}
				fmt.Fprintf(app.Env.Stdout, "the cache at %s was damaged; removed it\n", path)
				return nil
			}
			if err != nil {
				return err
			}
			n, err := c.Clear(provider)
			if cerr := c.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
			what := "every provider's"
			if provider != "" {
				what = provider + "'s"
			}
			fmt.Fprintf(app.Env.Stdout, "cleared %d cached answers (%s) from %s\n", n, what, path)
			return nil
		},
	}
	clear.Flags().StringVar(&provider, "provider", "", "clear only this provider's answers")
	clear.Flags().BoolVar(&remove, "remove", false, "delete the cache file")
	stats := &cobra.Command{
		Use:   "stats",
		Short: "Count the cached answers per provider",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			format, err := app.format()
			if err != nil {
				return err
			}
			path, err := app.cachePath()
			if err != nil {
				return err
			}
			b := frame.NewBuilder([]string{"provider", "entries"}, []frame.Kind{frame.String, frame.Int})
			if _, err := os.Stat(path); err == nil {
				c, err := httpx.OpenCache(path)
				if err != nil {
					return err
				}
				st, err := c.Stats()
				c.Close()
				if err != nil {
					return err
				}
				names := make([]string, 0, len(st.Entries))
				for n := range st.Entries {
					names = append(names, n)
				}
				sort.Strings(names)
				for _, n := range names {
					b.Append([]any{n, st.Entries[n]})
				}
				if format == frame.Table {
					defer fmt.Fprintf(app.Env.Stderr, "quarry: %s: %d entries (%d expired), %d bytes\n", path, st.Total, st.Expired, st.Size)
				}
			} else if format == frame.Table {
				defer fmt.Fprintf(app.Env.Stderr, "quarry: no cache at %s yet\n", path)
			}
			f, err := b.Frame(frame.Meta{})
			if err != nil {
				return err
			}
			return frame.Encode(app.Env.Stdout, f, format)
		},
	}
	cmd.AddCommand(clear, stats)
	return cmd
}

// cachePath is the look-up cache's file from the settings.
func (a *App) cachePath() (string, error) {
	cfg, err := a.Config()
	if err != nil {
		return "", err
	}
	p := cfg.CachePath()
	if p == "" {
		return "", fmt.Errorf("no cache folder on this system; set cache.path in the settings")
	}
	return p, nil
}
