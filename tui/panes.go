package tui

import "github.com/quarry-sec/quarry/views/pane"

// paneInfo is a navigator entry.
type paneInfo struct {
	id      pane.ID
	title   string
	aliases []string
	// about says what a pane not built yet will hold.
	about string
}

// paneOrder is the navigator, top to bottom; number keys 1–8 follow it.
var paneOrder = []paneInfo{
	{id: pane.Queries, title: "Queries", aliases: []string{"library"}},
	{id: pane.Results, title: "Results", aliases: []string{"res"}},
	{id: pane.Alerts, title: "Alerts", about: "The alerts of the workspace and of a host or account under investigation, " +
		"grouped and ranked by severity, with their entities one key away: pick one to open its events, its process tree " +
		"or its pivots. Until then, the SecurityAlert queries in Queries list the alerts as a table."},
	{id: pane.ProcTree, title: "Process tree", aliases: []string{"tree"}, about: "Process trees rebuilt from any " +
		"process-creation log (Windows 4688, Sysmon 1, MDE, auditd execve): collapsible, with command lines decoded, " +
		"parent–child links across logons, and the path from a suspicious process to its root."},
	{id: pane.TimeSeries, title: "Time series", aliases: []string{"ts"}, about: "Event counts over time as " +
		"sparklines and line charts, with anomalies found by seasonal decomposition (STL) marked on them, " +
		"from any result with a time column."},
	{id: pane.ThreatIntel, title: "Threat intel", aliases: []string{"intel"}, about: "Threat-intelligence look-ups " +
		"of IPs, domains, URLs and hashes across providers (VirusTotal, OTX, GreyNoise, AbuseIPDB and more) with one " +
		"normalised severity, plus GeoIP and whois, cached and rate-limited."},
	{id: pane.Pivots, title: "Pivots", aliases: []string{"pivot"}, about: "The entities in the selected row or cell " +
		"(IP, host, account, URL, domain, hash, file, process) and everything that can be done with each: the queries " +
		"whose parameters fit, TI, GeoIP, decode and process tree, each opening a new result card."},
	{id: pane.Decode, title: "Decode", about: "IoCs extracted from the selected text and encoded payloads " +
		"(base64, hex, gzip/zip archives) unpacked layer by layer, with the decoded tree and the IoCs found inside."},
}

// paneIndex is the navigator position of a pane, -1 if none.
func paneIndex(id pane.ID) int {
	for i, p := range paneOrder {
		if p.id == id {
			return i
		}
	}
	return -1
}
