package tui

import (
	"context"
	"errors"
	"fmt"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/quarry-sec/quarry/engine/decode"
	"github.com/quarry-sec/quarry/engine/ioc"
	"github.com/quarry-sec/quarry/views/pane"
)

// decodeText unpacks a text's payloads and lists its indicators as a task for the
// Decode pane, which it focuses; a newer request supersedes an older one.
func (m *Model) decodeText(req pane.DecodeText) tea.Cmd {
	m.cancelFor(pane.Decode)
	m.seq[pane.Decode]++
	seq := m.seq[pane.Decode]
	m.setFocus(pane.Decode)
	return tea.Batch(m.decoder.Update(req), m.spawn("decode", pane.Decode, func(ctx context.Context, _ *task) tea.Msg {
		return decodeAndExtract(ctx, req, seq)
	}))
}

// decodeAndExtract is the Decode pane's work: msticpy's base64unpack, then the
// indicators (Windows paths included: the pane shows command lines) in the input
// and in every decoded text.
func decodeAndExtract(ctx context.Context, req pane.DecodeText, seq int) pane.Decoded {
	res := decode.Unpack(ctx, []byte(req.Text), decode.Options{})
	out := pane.Decoded{Seq: seq, Request: req, Result: res}
	if res.Stopped == "cancelled" {
		out.Err = context.Canceled
		return out
	}
	x, err := ioc.New(ioc.Options{Paths: true})
	if err != nil {
		out.Err = err
		return out
	}
	out.InputIoCs = x.Extract([]byte(req.Text))
	out.ItemIoCs = make([][]ioc.Match, len(res.Items))
	for i, it := range res.Items {
		if it.Text {
			out.ItemIoCs[i] = x.Extract([]byte(it.Decoded))
		}
	}
	return out
}

// decoded routes a finished decode to the Decode pane, dropping superseded ones.
func (m *Model) decoded(msg pane.Decoded) tea.Cmd {
	if msg.Seq != m.seq[pane.Decode] {
		return nil
	}
	if errors.Is(msg.Err, context.Canceled) {
		return pane.Notice("decoding cancelled")
	}
	m.setFocus(pane.Decode)
	return m.decoder.Update(msg)
}

// valueParams are the query parameters an indicator of each type can fill, in
// order of preference.
var valueParams = map[ioc.Type][]string{
	ioc.IPv4:        {"ip_address", "ip_address_list"},
	ioc.IPv6:        {"ip_address", "ip_address_list"},
	ioc.DNS:         {"host_name"},
	ioc.Hostname:    {"host_name"},
	ioc.Email:       {"account_name"},
	ioc.WindowsPath: {"process_name"},
	ioc.LinuxPath:   {"process_name"},
}

// useValue opens the query browser on the queries that take an indicator.
func (m *Model) useValue(msg pane.UseValue) tea.Cmd {
	n := 0
	if params := valueParams[msg.Type]; params != nil {
		n = m.browser.Offer(params, msg.Value)
	}
	if n == 0 {
		return pane.Cmd(pane.Notify{Level: pane.Warn, Text: fmt.Sprintf("no query in the library takes a %s; copy it with y", msg.Type)})
	}
	m.setFocus(pane.Queries)
	return pane.Notice(fmt.Sprintf("%d queries take %s · enter opens one with it filled in · esc shows all", n, msg.Value))
}
