package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/spf13/cobra"

	"github.com/quarry-sec/quarry/engine/frame"
	"github.com/quarry-sec/quarry/providers/geoip"
	"github.com/quarry-sec/quarry/providers/httpx"
	"github.com/quarry-sec/quarry/providers/whois"
)

type geoFlags struct {
	city, asn string
	ipstack   bool
	input     string
	columns   []string
}

func newGeoIPCmd(app *App) *cobra.Command {
	var fl geoFlags
	cmd := &cobra.Command{
		Use:   "geoip [IP...|-]",
		Short: "Place IP addresses on the map: country, subdivision, city, coordinates, ASN",
		Long: `Look addresses up in MaxMind databases (GeoLite2/GeoIP2 City and ASN, from
--db/--asn-db, the settings' geoip.city_db/asn_db, or the GeoIP folder that
'quarry geoip update' fills), or with IPStack over HTTP (--ipstack, with
geoip.ipstack.key or QUARRY_IPSTACK_KEY). Private, loopback, link-local and
reserved addresses are answered locally with their class (ip_type), as
msticpy's get_ip_type names them.

Addresses come as arguments, one a line from stdin ('-'), or from a column of
a CSV/TSV/JSON-lines file (--input with --column).`,
		Example: `  quarry geoip 81.2.69.160 1.128.0.1 -o json
  quarry geoip --db GeoIP2-City-Test.mmdb --asn-db GeoLite2-ASN-Test.mmdb 81.2.69.160
  quarry geoip --input signins.csv --column IPAddress -o csv`,
		RunE: func(cmd *cobra.Command, args []string) error {
			format, err := app.format()
			if err != nil {
				return err
			}
			addrs, err := app.geoAddresses(cmd.Context(), args, fl)
			if err != nil {
				return err
			}
			locs, err := app.locate(cmd.Context(), addrs, fl)
			if err != nil {
				return err
			}
			if format == frame.JSON {
				b, err := json.MarshalIndent(locs, "", "  ")
				if err != nil {
					return err
				}
				_, err = fmt.Fprintf(app.Env.Stdout, "%s\n", b)
				return err
			}
			b := frame.NewBuilder([]string{"ip", "country_code", "country", "subdivision", "city", "latitude", "longitude", "asn", "asn_org", "ip_type", "source", "found"},
				[]frame.Kind{frame.String, frame.String, frame.String, frame.String, frame.String, frame.Float, frame.Float, frame.Int, frame.String, frame.String, frame.String, frame.Bool})
			for _, l := range locs {
				b.Append([]any{l.IP, l.CountryCode, l.Country, l.Subdivision, l.City, l.Latitude, l.Longitude, int64(l.ASN), l.ASNOrg, l.IPType, l.Source, l.Found})
			}
			f, err := b.Frame(frame.Meta{})
			if err != nil {
				return err
			}
			return frame.Encode(app.Env.Stdout, f, format)
		},
	}
	f := cmd.Flags()
	f.StringVar(&fl.city, "db", "", "MaxMind City (or Country) database (default: geoip.city_db, or the GeoIP folder's GeoLite2-City.mmdb)")
	f.StringVar(&fl.asn, "asn-db", "", "MaxMind ASN database (default: geoip.asn_db, or the GeoIP folder's GeoLite2-ASN.mmdb)")
	f.BoolVar(&fl.ipstack, "ipstack", false, "ask IPStack over HTTP instead of a local database")
	f.StringVar(&fl.input, "input", "", "read addresses from a CSV, TSV or JSON-lines data file")
	f.StringArrayVar(&fl.columns, "column", nil, "with --input: the column to read (repeatable)")
	cmd.AddCommand(newGeoIPUpdateCmd(app))
	return cmd
}

// geoAddresses gathers the addresses to place.
func (a *App) geoAddresses(ctx context.Context, args []string, fl geoFlags) ([]netip.Addr, error) {
	var texts []string
	switch {
	case fl.input != "":
		if len(fl.columns) == 0 {
			return nil, usage("--input needs --column (the column to read)")
		}
		f, err := readDataFile(ctx, fl.input)
		if err != nil {
			return nil, err
		}
		for _, name := range fl.columns {
			c := f.Col(name)
			if c == nil {
				return nil, usage("%s has no column %q (columns: %s)", fl.input, name, strings.Join(f.Names(), ", "))
			}
			for r := range f.Len() {
				if !c.IsNull(r) {
					if s := strings.TrimSpace(frame.DisplayText(c.Value(r))); s != "" {
						texts = append(texts, s)
					}
				}
			}
		}
	case len(args) == 0 || (len(args) == 1 && args[0] == "-"):
		sc := bufio.NewScanner(a.Env.Stdin)
		for sc.Scan() {
			if s := strings.TrimSpace(sc.Text()); s != "" {
				texts = append(texts, s)
			}
		}
		if err := sc.Err(); err != nil {
			return nil, err
		}
	default:
		texts = args
	}
	seen := map[netip.Addr]bool{}
	var out []netip.Addr
	for _, t := range texts {
		ip, err := netip.ParseAddr(t)
		if err != nil {
			if fl.input != "" {
				continue // a data column holds other values too
			}
			return nil, usage("%q is not an IP address", frame.SafeText(t))
		}
		if !seen[ip] {
			seen[ip] = true
			out = append(out, ip)
		}
	}
	if len(out) == 0 {
		return nil, usage("no IP addresses given")
	}
	return out, nil
}

// locate places the addresses with MaxMind or IPStack.
func (a *App) locate(ctx context.Context, addrs []netip.Addr, fl geoFlags) ([]geoip.Location, error) {
	cfg, err := a.Config()
	if err != nil {
		return nil, err
	}
	out := make([]geoip.Location, 0, len(addrs))
	if fl.ipstack {
		key, _, err := cfg.IPStackKey()
		if err != nil {
			return nil, usageError{err}
		}
		if key == "" {
			return nil, usage("IPStack needs a key: set geoip.ipstack.key in the settings or QUARRY_IPSTACK_KEY")
		}
		s := geoip.NewIPStack(key, cfg.GeoIP.IPStack.BaseURL, httpx.New(httpx.Options{Name: "ipstack", Secrets: []string{key}}))
		for _, ip := range addrs {
			l, err := s.Locate(ctx, ip)
			if err != nil {
				if ctx.Err() != nil {
					return nil, ctx.Err()
				}
				return nil, err
			}
			out = append(out, l)
		}
		return out, nil
	}
	city, asn := fl.city, fl.asn
	if city == "" && asn == "" {
		city, asn = cfg.GeoIPCityDB(), cfg.GeoIPASNDB()
		if city == "" && asn == "" {
			return nil, usage("no GeoIP database: none in %s and no geoip.city_db or geoip.asn_db set; run `quarry geoip update` (needs a free MaxMind licence key), or pass --db/--asn-db", cfg.GeoIPFolder())
		}
	}
	m, err := geoip.OpenMaxMind(city, asn)
	if err != nil {
		if errors.Is(err, geoip.ErrNoDatabase) || errors.Is(err, geoip.ErrWrongDatabase) {
			return nil, usageError{err}
		}
		return nil, err
	}
	defer m.Close()
	for _, ip := range addrs {
		out = append(out, m.Locate(ip))
	}
	return out, nil
}

func newGeoIPUpdateCmd(app *App) *cobra.Command {
	var dir string
	var editions []string
	var base string
	cmd := &cobra.Command{
		Use:   "update",
		Short: "Download MaxMind's GeoLite2 City and ASN databases (needs a free MaxMind licence key)",
		Long: `Download GeoLite2-City and GeoLite2-ASN from MaxMind into the GeoIP folder
(geoip.folder; default ~/.local/share/quarry/geoip), where 'quarry geoip' and
the workbench find them. It needs a MaxMind account ID and licence key
(free at https://www.maxmind.com/en/geolite2/signup): geoip.account_id and
geoip.licence_key in the settings (env:, file: or keyring: references), or
QUARRY_MAXMIND_ACCOUNT_ID and QUARRY_MAXMIND_LICENCE_KEY.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := app.Config()
			if err != nil {
				return err
			}
			id, _, err := cfg.GeoIPAccountID()
			if err != nil {
				return usageError{err}
			}
			key, _, err := cfg.GeoIPLicenceKey()
			if err != nil {
				return usageError{err}
			}
			if id == "" || key == "" {
				return usage("geoip update needs a MaxMind account ID and licence key: set geoip.account_id and geoip.licence_key, or QUARRY_MAXMIND_ACCOUNT_ID and QUARRY_MAXMIND_LICENCE_KEY (free sign-up: https://www.maxmind.com/en/geolite2/signup)")
			}
			if dir == "" {
				dir = cfg.GeoIPFolder()
			}
			paths, err := geoip.Update(cmd.Context(), geoip.UpdateOptions{AccountID: id, LicenceKey: key, Editions: editions, Dir: dir, BaseURL: base,
				Client: httpx.New(httpx.Options{Name: "maxmind", Secrets: []string{id, key}})})
			for _, p := range paths {
				fmt.Fprintf(app.Env.Stdout, "wrote %s\n", p)
			}
			return err
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "", "folder to write the databases to (default: geoip.folder)")
	cmd.Flags().StringSliceVar(&editions, "edition", nil, "MaxMind edition IDs (default GeoLite2-City,GeoLite2-ASN)")
	cmd.Flags().StringVar(&base, "base-url", "", "download service (default https://download.maxmind.com)")
	return cmd
}

func newWhoisCmd(app *App) *cobra.Command {
	var server string
	cmd := &cobra.Command{
		Use:   "whois IP|DOMAIN|ASN",
		Short: "Registration data through RDAP: network, owner, AS, contacts, dates",
		Long: `Look up who holds an IP address, a domain or an AS number through RDAP, the
registries' JSON successor to whois. The registry is found through IANA's
bootstrap files, or --server (or whois.server in the settings) names an RDAP
server to ask directly (a private mirror).`,
		Example: `  quarry whois 81.2.69.160
  quarry whois example.com -o json
  quarry whois AS1221`,
		Args: exactArgs(1, "one IP address, domain or AS number"),
		RunE: func(cmd *cobra.Command, args []string) error {
			format, err := app.format()
			if err != nil {
				return err
			}
			cfg, err := app.Config()
			if err != nil {
				return err
			}
			if server == "" {
				server = cfg.Whois.Server
			}
			r, err := whois.Lookup(cmd.Context(), args[0], whois.Options{Server: server, BootstrapURL: cfg.Whois.BootstrapURL})
			if err != nil {
				if errors.Is(err, whois.ErrBadQuery) || errors.Is(err, whois.ErrNotPublic) {
					return usageError{err}
				}
				return err
			}
			if format == frame.JSON || format == frame.JSONL {
				b, err := json.MarshalIndent(r, "", "  ")
				if err != nil {
					return err
				}
				_, err = fmt.Fprintf(app.Env.Stdout, "%s\n", b)
				return err
			}
			return frame.Encode(app.Env.Stdout, whoisFrame(r), format)
		},
	}
	cmd.Flags().StringVar(&server, "server", "", "RDAP server to ask directly (skips the IANA bootstrap)")
	return cmd
}

// whoisFrame is a registration record as field/value rows.
func whoisFrame(r *whois.Result) *frame.Frame {
	b := frame.NewBuilder([]string{"field", "value"}, []frame.Kind{frame.String, frame.String})
	add := func(k, v string) {
		if v != "" {
			b.Append([]any{k, v})
		}
	}
	add("query", r.Query)
	add("kind", r.Kind)
	add("handle", r.Handle)
	add("name", r.Name)
	add("type", r.Type)
	add("country", r.Country)
	if r.StartAddress != "" {
		add("range", r.StartAddress+" – "+r.EndAddress)
	}
	add("cidrs", strings.Join(r.CIDRs, ", "))
	add("asn", r.ASN)
	add("registrar", r.Registrar)
	add("status", strings.Join(r.Status, ", "))
	for _, k := range sortedKeys(r.Events) {
		add(k, r.Events[k])
	}
	add("nameservers", strings.Join(r.Nameservers, ", "))
	for _, e := range r.Entities {
		v := strings.Join(nonEmpty(e.Name, e.Org, e.Email, e.Phone), " · ")
		add("contact "+strings.Join(e.Roles, "/"), v)
	}
	add("source", r.Source)
	f, _ := b.Frame(frame.Meta{})
	return f
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func nonEmpty(s ...string) []string {
	var out []string
	for _, v := range s {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}
