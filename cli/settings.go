package cli

import (
	"fmt"

	"github.com/quarry-sec/quarry/providers/config"
	"github.com/quarry-sec/quarry/providers/ti/registry"
)

// tiSettings resolves every provider's settings: keys from the settings file
// (env:, file:, keyring: or literal) or, failing that, the provider's
// environment variable. A key that cannot be resolved leaves the provider
// without one and says why in a note (never the key).
func tiSettings(cfg *config.Config) (map[string]registry.Settings, []string, error) {
	out := map[string]registry.Settings{}
	var notes []string
	for _, spec := range registry.Specs() {
		ps, _ := cfg.TIProvider(spec.Name)
		st := registry.Settings{BaseURL: ps.BaseURL, RatePerMinute: ps.RatePerMinute, Burst: ps.Burst,
			Concurrency: ps.Concurrency, Timeout: ps.Timeout, TTL: ps.CacheTTL, Disabled: ps.Disabled, Paths: ps.Paths}
		if spec.KeyEnv != "" || ps.Key.IsSet() {
			key, src, err := cfg.ProviderKey(spec.Name, spec.KeyEnv)
			if err != nil {
				notes = append(notes, fmt.Sprintf("%s: %v", spec.Name, err))
			}
			st.Key, st.KeySource = key, src
		}
		if spec.IDEnv != "" || ps.APIID.IsSet() {
			id, _, err := cfg.ProviderID(spec.Name, spec.IDEnv)
			if err != nil {
				notes = append(notes, fmt.Sprintf("%s: %v", spec.Name, err))
			}
			st.APIID = id
		}
		out[spec.Name] = st
	}
	return out, notes, nil
}

// providerInfos describes the registry's providers for config.Check.
func providerInfos() []config.ProviderInfo {
	var out []config.ProviderInfo
	for _, s := range registry.Specs() {
		out = append(out, config.ProviderInfo{Name: s.Name, KeyEnv: s.KeyEnv, IDEnv: s.IDEnv, NeedsKey: s.NeedsKey, Aliases: s.Aliases})
	}
	return out
}
