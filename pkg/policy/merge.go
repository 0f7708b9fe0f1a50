package policy

import (
	"reflect"
	"strings"
)

// Layer is a policy and where it came from: "--steps" for a flag typed,
// the file of --policy, "deployment/web" for the workload's annotation,
// "configmap/team (namespace default)", or "default".
type Layer struct {
	Source string
	Spec   *Spec
}

// Effective is a merged policy and where each of its fields came from.
type Effective struct {
	Spec Spec
	// Sources names, by field, the layer it came from.
	Sources map[string]string
}

// Merge merges layers, the first over the others, field by field: a field
// comes whole from the first layer that sets it, so a list is never
// appended to one beneath.
func Merge(layers ...Layer) Effective {
	out := Effective{Sources: map[string]string{}}
	merged := reflect.ValueOf(&out.Spec).Elem()
	for i := range merged.NumField() {
		name := jsonName(merged.Type().Field(i))
		for _, l := range layers {
			if l.Spec == nil {
				continue
			}
			if v := reflect.ValueOf(l.Spec).Elem().Field(i); !v.IsNil() {
				merged.Field(i).Set(v)
				out.Sources[name] = l.Source
				break
			}
		}
	}
	return out
}

// Without is s with the fields named left out.
func (s Spec) Without(names ...string) Spec {
	v := reflect.ValueOf(&s).Elem()
	for i := range v.NumField() {
		for _, name := range names {
			if jsonName(v.Type().Field(i)) == name {
				v.Field(i).Set(reflect.Zero(v.Field(i).Type()))
			}
		}
	}
	return s
}

func jsonName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	return name
}
