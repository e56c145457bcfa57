package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"github.com/quarry-sec/quarry/engine/frame"
	"github.com/quarry-sec/quarry/providers/config"
)

func newConfigCmd(app *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Check the settings, or import msticpy's",
		Args:  noArgs,
		RunE:  func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newConfigCheckCmd(app), newConfigImportCmd(app), &cobra.Command{
		Use:   "path",
		Short: "Print where the settings file is looked for",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			p := app.configPath
			if p == "" {
				p = config.DefaultPath()
			}
			fmt.Fprintln(app.Env.Stdout, p)
			return nil
		},
	})
	return cmd
}

func newConfigCheckCmd(app *App) *cobra.Command {
	return &cobra.Command{
		Use:   "check",
		Short: "Report which providers, keys and databases are set, missing or invalid (never a key)",
		Long: `Report the state of the settings: each threat-intelligence provider's key
(and where it comes from: the settings' env:, file: or keyring: reference, or
the QUARRY_*_KEY environment variable), keys written into the file, files
other users can read, unknown provider names, the GeoIP databases and
credentials, the cache and the RDAP server. No secret is ever printed.
Exits 1 when something is invalid.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			format, err := app.format()
			if err != nil {
				return err
			}
			cfg, err := app.Config()
			if err != nil {
				return err
			}
			items := config.Check(cfg, providerInfos())
			b := frame.NewBuilder([]string{"area", "name", "state", "detail"}, []frame.Kind{frame.String, frame.String, frame.String, frame.String})
			invalid := 0
			for _, it := range items {
				b.Append([]any{it.Area, it.Name, it.State, it.Detail})
				if it.State == config.StateInvalid {
					invalid++
				}
			}
			f, err := b.Frame(frame.Meta{})
			if err != nil {
				return err
			}
			if format == frame.Table {
				src := cfg.Path
				if src == "" {
					src = "no settings file (defaults); " + config.DefaultPath() + " is read when it exists"
				}
				fmt.Fprintf(app.Env.Stderr, "quarry: settings: %s\n", src)
			}
			// The details are advice to follow: in the table they are not cut.
			if format == frame.Table {
				err = frame.EncodeTable(app.Env.Stdout, f, frame.TableOptions{MaxColWidth: 400})
			} else {
				err = frame.Encode(app.Env.Stdout, f, format)
			}
			if err != nil {
				return err
			}
			if invalid > 0 {
				return fmt.Errorf("%d invalid setting(s); see above", invalid)
			}
			return nil
		},
	}
}

func newConfigImportCmd(app *App) *cobra.Command {
	var force, dry bool
	cmd := &cobra.Command{
		Use:   "import-msticpy FILE",
		Short: "Convert msticpyconfig.yaml's TIProviders and OtherProviders into Quarry's settings",
		Long: `Convert msticpy's TIProviders (VirusTotal, OTX, GreyNoise, AbuseIPDB, XForce,
Tor) and OtherProviders (GeoIPLite, IPStack) sections into the settings file's
ti and geoip sections. {EnvironmentVar: NAME} becomes env:NAME; a key written
in the file stays a literal (move it to env:, file: or keyring: afterwards);
Key Vault references are skipped with a note.

The settings file is written with mode 0600 and keeps its other sections; it
is not overwritten when it already has ti or geoip settings unless --force.
--dry-run prints the result instead, with literal keys redacted.`,
		Example: `  quarry config import-msticpy ~/.msticpy/msticpyconfig.yaml
  quarry config import-msticpy msticpyconfig.yaml --dry-run`,
		Args: exactArgs(1, "the msticpyconfig.yaml file"),
		RunE: func(cmd *cobra.Command, args []string) error {
			fh, err := os.Open(args[0])
			if err != nil {
				return usageError{err}
			}
			imp, notes, err := config.ImportMsticpy(fh)
			fh.Close()
			if err != nil {
				return usageError{err}
			}
			for _, n := range notes {
				fmt.Fprintf(app.Env.Stderr, "quarry: %s\n", frame.SafeText(n))
			}
			path := app.configPath
			if path == "" {
				path = config.DefaultPath()
			}
			var cur *config.Config
			if _, err := os.Stat(path); err == nil {
				if cur, err = config.Load(path); err != nil {
					return usageError{err}
				}
			} else {
				cur = &config.Config{}
			}
			if !dry && !force && (len(cur.TI.Providers) > 0 || len(cur.TI.Primary) > 0 || cur.GeoIP != (config.GeoIP{})) {
				return usage("%s already has ti or geoip settings; --force replaces them, --dry-run shows the import", path)
			}
			cur.TI = imp.TI
			cur.GeoIP = imp.GeoIP
			if dry {
				// yaml.Marshal shows a literal key as redacted.
				b, err := yaml.Marshal(struct {
					TI    config.TI    `yaml:"ti,omitempty"`
					GeoIP config.GeoIP `yaml:"geoip,omitempty"`
				}{imp.TI, imp.GeoIP})
				if err != nil {
					return err
				}
				_, err = app.Env.Stdout.Write(b)
				return err
			}
			b, err := cur.MarshalSettings()
			if err != nil {
				return err
			}
			if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
				return err
			}
			tmp := path + ".tmp"
			if err := os.WriteFile(tmp, b, 0o600); err != nil {
				return err
			}
			if err := os.Rename(tmp, path); err != nil {
				os.Remove(tmp)
				return err
			}
			var names []string
			for n := range imp.TI.Providers {
				names = append(names, n)
			}
			slices.Sort(names)
			fmt.Fprintf(app.Env.Stdout, "wrote %s (mode 0600): %d providers (%s)\n", path, len(names), strings.Join(names, ", "))
			fmt.Fprintln(app.Env.Stdout, "next: quarry config check")
			return nil
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "replace existing ti and geoip settings")
	cmd.Flags().BoolVar(&dry, "dry-run", false, "print the converted settings (literal keys redacted) instead of writing them")
	return cmd
}
