package data

import (
	"context"
	"errors"
	"testing"

	"github.com/quarry-sec/quarry/engine/frame"
)

type fake struct{ name string }

func (f fake) Name() string                          { return f.name }
func (fake) Dialect() frame.Dialect                  { return frame.KQL }
func (fake) Connect(context.Context) error           { return nil }
func (fake) Schema(context.Context) ([]Table, error) { return nil, nil }
func (fake) Close() error                            { return nil }
func (fake) Query(context.Context, frame.Statement) (*frame.Frame, error) {
	return frame.New()
}

func TestRegistry(t *testing.T) {
	r := NewRegistry()
	r.Register("Local", func(map[string]any) (Provider, error) { return fake{"local"}, nil })
	r.Register("splunk", func(map[string]any) (Provider, error) { return fake{"splunk"}, nil })
	p, err := r.New("LOCAL", nil)
	if err != nil || p.Name() != "local" {
		t.Fatalf("New(LOCAL) = %v, %v", p, err)
	}
	if got := r.Names(); len(got) != 2 || got[0] != "local" || got[1] != "splunk" {
		t.Errorf("Names() = %v", got)
	}
	_, err = r.New("nope", nil)
	if !errors.Is(err, ErrUnknownProvider) {
		t.Errorf("New(nope) err = %v, want ErrUnknownProvider", err)
	}
}
