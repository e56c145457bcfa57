package config

import (
	"bytes"
	"errors"
	"fmt"
	"sort"

	"gopkg.in/yaml.v3"
)

// MarshalSettings writes the settings as a settings file that Load reads back
// to the same Config. Unlike yaml.Marshal (which shows a literal key as
// Redacted), it writes every secret as written, literal keys included: write
// the result with mode 0600.
func (c *Config) MarshalSettings() ([]byte, error) {
	if c == nil {
		return nil, errors.New("marshal settings: no settings")
	}
	var doc yaml.Node
	if err := doc.Encode(c); err != nil {
		return nil, fmt.Errorf("marshal settings: %w", err)
	}
	names := make([]string, 0, len(c.TI.Providers))
	for n := range c.TI.Providers {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		p := c.TI.Providers[n]
		setSecret(&doc, p.Key, "ti", "providers", n, "key")
		setSecret(&doc, p.APIID, "ti", "providers", n, "api_id")
	}
	setSecret(&doc, c.GeoIP.AccountID, "geoip", "account_id")
	setSecret(&doc, c.GeoIP.LicenceKey, "geoip", "licence_key")
	setSecret(&doc, c.GeoIP.IPStack.Key, "geoip", "ipstack", "key")
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, fmt.Errorf("marshal settings: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("marshal settings: %w", err)
	}
	return buf.Bytes(), nil
}

// setSecret replaces the (redacted) scalar at path with the secret's reference.
func setSecret(doc *yaml.Node, s Secret, path ...string) {
	if !s.IsSet() {
		return
	}
	n := doc
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	for _, key := range path {
		n = get(n, key)
		if n == nil {
			return
		}
	}
	if n.Kind == yaml.ScalarNode {
		n.Value, n.Tag, n.Style = s.Reference(), "!!str", 0
	}
}
