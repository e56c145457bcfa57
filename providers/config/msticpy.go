package config

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"gopkg.in/yaml.v3"
)

// msticpyProvider maps a msticpy TI provider class name (any case) to
// Quarry's registry name ("" when Quarry has no equivalent).
func msticpyProvider(class string) string {
	switch c := strings.ToLower(class); c {
	case "virustotal", "otx", "greynoise", "abuseipdb", "xforce", "tor":
		return c
	}
	return ""
}

// ImportMsticpy converts the TIProviders and OtherProviders sections of an
// msticpyconfig.yaml into settings. Each TIProviders entry whose Provider is
// VirusTotal, OTX, GreyNoise, AbuseIPDB, XForce or Tor (any case) becomes a
// ti.providers entry (Args.AuthKey → key, Args.ApiID → api_id) and joins
// ti.primary (Primary: true) or ti.secondary; OtherProviders.GeoIPLite's
// AccountID, AuthKey and DBFolder become geoip.account_id, licence_key and
// folder, and IPStack's AuthKey geoip.ipstack.key. A secret written as
// {EnvironmentVar: NAME} becomes env:NAME; a literal is kept as a literal;
// {KeyVault: …} is left unset. The notes say what was skipped or needs
// attention (they never hold a key). Malformed YAML is an error naming the
// line; so is a file with neither section.
func ImportMsticpy(r io.Reader) (*Config, []string, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxSettingsSize+1))
	if err != nil {
		return nil, nil, fmt.Errorf("msticpy settings: %w", err)
	}
	if len(b) > MaxSettingsSize {
		return nil, nil, fmt.Errorf("msticpy settings: larger than %d bytes", MaxSettingsSize)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, nil, fmt.Errorf("msticpy settings: %w", err)
	}
	if len(doc.Content) == 0 {
		return nil, nil, errors.New("msticpy settings: the file is empty")
	}
	root := deref(doc.Content[0])
	if root.Kind != yaml.MappingNode {
		return nil, nil, fmt.Errorf("msticpy settings: line %d: the top level is not a mapping of sections", root.Line)
	}
	im := &importer{cfg: &Config{}}
	var ignored []string
	found := false
	for _, kv := range pairs(root) {
		switch kv.key {
		case "TIProviders":
			found = true
			im.ti(kv.val)
		case "OtherProviders":
			found = true
			im.other(kv.val)
		default:
			ignored = append(ignored, kv.key)
		}
	}
	if !found {
		return nil, nil, errors.New("msticpy settings: no TIProviders or OtherProviders section to import")
	}
	if len(ignored) > 0 {
		im.note("sections not imported (Quarry has no equivalent or sets them elsewhere): %s", strings.Join(ignored, ", "))
	}
	return im.cfg, im.notes, nil
}

// importer collects the converted settings and the notes.
type importer struct {
	cfg   *Config
	notes []string
}

func (im *importer) note(format string, args ...any) {
	im.notes = append(im.notes, fmt.Sprintf(format, args...))
}

// ti converts the TIProviders section.
func (im *importer) ti(sec *yaml.Node) {
	sec = deref(sec)
	if isNull(sec) {
		return
	}
	if sec.Kind != yaml.MappingNode {
		im.note("TIProviders (line %d) is not a mapping; skipped", sec.Line)
		return
	}
	from := map[string]string{}
	for _, kv := range pairs(sec) {
		entry := deref(kv.val)
		field := "TIProviders." + kv.key
		if entry.Kind != yaml.MappingNode {
			im.note("%s (line %d) is not a mapping; skipped", field, entry.Line)
			continue
		}
		class := scalar(get(entry, "Provider"))
		if class == "" {
			im.note("%s has no Provider; skipped", field)
			continue
		}
		name := msticpyProvider(class)
		if name == "" {
			im.note("msticpy provider %s (%s) has no Quarry equivalent; skipped", class, kv.key)
			continue
		}
		if first, dup := from[name]; dup {
			im.note("%s: a second %s entry (the first is TIProviders.%s); skipped", field, class, first)
			continue
		}
		from[name] = kv.key
		primary := false
		if p := deref(get(entry, "Primary")); !isNull(p) {
			if err := p.Decode(&primary); err != nil {
				im.note("%s.Primary (line %d) is not true or false; taken as false", field, p.Line)
				primary = false
			}
		}
		for _, other := range pairs(entry) {
			if other.key != "Provider" && other.key != "Primary" && other.key != "Args" {
				im.note("%s.%s has no Quarry equivalent; ignored", field, other.key)
			}
		}
		var ps ProviderSettings
		if args := deref(get(entry, "Args")); !isNull(args) {
			if args.Kind != yaml.MappingNode {
				im.note("%s.Args (line %d) is not a mapping; ignored", field, args.Line)
			} else {
				for _, a := range pairs(args) {
					switch a.key {
					case "AuthKey":
						ps.Key = im.secret(field+".Args.AuthKey", "ti.providers."+name+".key", a.val, true)
					case "ApiID":
						ps.APIID = im.secret(field+".Args.ApiID", "ti.providers."+name+".api_id", a.val, true)
					default:
						im.note("%s.Args.%s has no Quarry equivalent; ignored", field, a.key)
					}
				}
			}
		}
		if ps.Key.IsSet() || ps.APIID.IsSet() {
			if im.cfg.TI.Providers == nil {
				im.cfg.TI.Providers = map[string]ProviderSettings{}
			}
			im.cfg.TI.Providers[name] = ps
		}
		if primary {
			im.cfg.TI.Primary = append(im.cfg.TI.Primary, name)
		} else {
			im.cfg.TI.Secondary = append(im.cfg.TI.Secondary, name)
		}
	}
}

// other converts the OtherProviders section (GeoIPLite and IPStack).
func (im *importer) other(sec *yaml.Node) {
	sec = deref(sec)
	if isNull(sec) {
		return
	}
	if sec.Kind != yaml.MappingNode {
		im.note("OtherProviders (line %d) is not a mapping; skipped", sec.Line)
		return
	}
	for _, kv := range pairs(sec) {
		entry := deref(kv.val)
		field := "OtherProviders." + kv.key
		if entry.Kind != yaml.MappingNode {
			im.note("%s (line %d) is not a mapping; skipped", field, entry.Line)
			continue
		}
		class := strings.ToLower(scalar(get(entry, "Provider")))
		key := strings.ToLower(kv.key)
		// msticpy keeps the settings under Args; accept them at the entry too.
		args := entry
		if a := deref(get(entry, "Args")); a != nil && a.Kind == yaml.MappingNode {
			args, field = a, field+".Args"
		}
		switch {
		case key == "geoiplite" || class == "geolitelookup":
			for _, a := range pairs(args) {
				switch a.key {
				case "AccountID":
					im.cfg.GeoIP.AccountID = im.secret(field+".AccountID", "geoip.account_id", a.val, false)
				case "AuthKey":
					im.cfg.GeoIP.LicenceKey = im.secret(field+".AuthKey", "geoip.licence_key", a.val, true)
				case "DBFolder":
					if v := deref(a.val); v.Kind == yaml.ScalarNode {
						im.cfg.GeoIP.Folder = v.Value
					} else {
						im.note("%s.DBFolder (line %d) is not a path; ignored", field, v.Line)
					}
				case "Provider", "Args":
				default:
					im.note("%s.%s has no Quarry equivalent; ignored", field, a.key)
				}
			}
		case key == "ipstack" || class == "ipstacklookup":
			for _, a := range pairs(args) {
				switch a.key {
				case "AuthKey":
					im.cfg.GeoIP.IPStack.Key = im.secret(field+".AuthKey", "geoip.ipstack.key", a.val, true)
				case "Provider", "Args":
				default:
					im.note("%s.%s has no Quarry equivalent; ignored", field, a.key)
				}
			}
		default:
			im.note("msticpy provider %s (%s) has no Quarry equivalent; skipped", scalar(get(entry, "Provider")), kv.key)
		}
	}
}

// secret converts one msticpy secret setting (field) for the Quarry setting
// to. isKey marks a real secret (a literal gets a warning note).
func (im *importer) secret(field, to string, n *yaml.Node, isKey bool) Secret {
	n = deref(n)
	if isNull(n) {
		return ""
	}
	switch n.Kind {
	case yaml.ScalarNode:
		v := strings.TrimSpace(n.Value)
		if v == "" {
			return ""
		}
		s := Secret(v)
		if s.Kind() != KindLiteral {
			im.note("%s looks like a Quarry reference (%s); kept as one", field, s)
		} else if isKey {
			im.note("%s is written in the file itself; copied to %s as is: better store it with env:NAME or keyring:NAME", field, to)
		}
		return s
	case yaml.MappingNode:
		if env := deref(get(n, "EnvironmentVar")); env != nil {
			name := strings.TrimSpace(scalar(env))
			if name == "" || strings.ContainsAny(name, "= \t\n\x00") {
				im.note("%s.EnvironmentVar (line %d) names no usable variable; %s left unset", field, env.Line, to)
				return ""
			}
			return Secret("env:" + name)
		}
		if get(n, "KeyVault") != nil {
			im.note("%s is kept in Azure Key Vault, which Quarry does not support yet; %s left unset: store the key in the system keyring and set keyring:NAME", field, to)
			return ""
		}
	}
	im.note("%s (line %d) is in a form Quarry does not know; %s left unset", field, n.Line, to)
	return ""
}

// pair is one key and value of a mapping node.
type pair struct {
	key string
	val *yaml.Node
}

// pairs lists a mapping's entries in order (scalar keys only).
func pairs(m *yaml.Node) []pair {
	m = deref(m)
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	out := make([]pair, 0, len(m.Content)/2)
	for i := 0; i+1 < len(m.Content); i += 2 {
		k := deref(m.Content[i])
		if k == nil || k.Kind != yaml.ScalarNode {
			continue
		}
		out = append(out, pair{k.Value, m.Content[i+1]})
	}
	return out
}

// get is a mapping's value for key (nil when absent).
func get(m *yaml.Node, key string) *yaml.Node {
	for _, kv := range pairs(m) {
		if kv.key == key {
			return kv.val
		}
	}
	return nil
}

// deref follows alias nodes to what they name (a null node when the chain
// does not end).
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 8; i++ {
		n = n.Alias
	}
	if n != nil && n.Kind == yaml.AliasNode {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null"}
	}
	return n
}

// scalar is a scalar node's text ("" for anything else).
func scalar(n *yaml.Node) string {
	n = deref(n)
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return strings.TrimSpace(n.Value)
}

// isNull reports an absent or null node.
func isNull(n *yaml.Node) bool {
	return n == nil || (n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null")
}
