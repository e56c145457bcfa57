package pane

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/charmbracelet/bubbles/key"
)

// Rebind applies key overrides from the settings to a keymap struct: each entry
// names a key.Binding field (case-insensitive) and gives its new keys. The help
// text's key label becomes the keys joined by "/". Unknown names are an error that
// lists the known ones.
func Rebind(keymap any, overrides map[string][]string) error {
	v := reflect.ValueOf(keymap)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("rebind: want a pointer to a keymap struct, got %T", keymap)
	}
	v = v.Elem()
	fields := map[string]reflect.Value{}
	var names []string
	bt := reflect.TypeOf(key.Binding{})
	for i := 0; i < v.NumField(); i++ {
		f := v.Type().Field(i)
		if f.Type == bt && f.IsExported() {
			fields[strings.ToLower(f.Name)] = v.Field(i)
			names = append(names, f.Name)
		}
	}
	sort.Strings(names)
	for name, keys := range overrides {
		f, ok := fields[strings.ToLower(name)]
		if !ok {
			return fmt.Errorf("rebind: no key named %q (known: %s)", name, strings.Join(names, ", "))
		}
		if len(keys) == 0 {
			return fmt.Errorf("rebind: key %q given no keys", name)
		}
		b := f.Addr().Interface().(*key.Binding)
		b.SetKeys(keys...)
		b.SetHelp(strings.Join(keys, "/"), b.Help().Desc)
	}
	return nil
}

// Bindings lists every key.Binding field of a keymap struct with its field name,
// in declaration order; the shell's conflict test and key reference use it.
func Bindings(keymap any) []Named {
	v := reflect.Indirect(reflect.ValueOf(keymap))
	if v.Kind() != reflect.Struct {
		return nil
	}
	var out []Named
	bt := reflect.TypeOf(key.Binding{})
	for i := 0; i < v.NumField(); i++ {
		f := v.Type().Field(i)
		if f.Type == bt && f.IsExported() {
			out = append(out, Named{Name: f.Name, Binding: v.Field(i).Interface().(key.Binding)})
		}
	}
	return out
}

// Named is a binding with its keymap field name.
type Named struct {
	Name    string
	Binding key.Binding
}
