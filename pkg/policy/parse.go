package policy

import (
	"errors"
	"fmt"
	"strings"

	sigsjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// Parse reads a ReleasePolicy document, YAML or JSON, and validates it:
// an unknown or duplicated field, a wrong version or kind, or a field whose
// value the flag of the same name would refuse, is an error of one line
// naming the field ("spec.steps[1]: ...").
func Parse(data []byte) (*Policy, error) {
	if strings.TrimSpace(string(data)) == "" {
		return nil, fmt.Errorf("empty: want a %s document", Kind)
	}
	raw, err := yaml.YAMLToJSONStrict(data)
	if err != nil {
		return nil, fmt.Errorf("not YAML or JSON: %s", oneLine(err.Error()))
	}
	var p Policy
	strict, err := sigsjson.UnmarshalStrict(raw, &p)
	if err != nil {
		return nil, typeError(err)
	}
	if len(strict) > 0 {
		return nil, strictError(strict[0])
	}
	switch {
	case p.APIVersion != APIVersion:
		return nil, fmt.Errorf("apiVersion: want %s, not %q", APIVersion, p.APIVersion)
	case p.Kind != Kind:
		return nil, fmt.Errorf("kind: want %s, not %q", Kind, p.Kind)
	}
	if err := p.Spec.Validate(); err != nil {
		return nil, err
	}
	return &p, nil
}

// typeError says which field had a value of the wrong type:
// "spec.failureLimit: want a number, not string".
func typeError(err error) error {
	msg := err.Error()
	// encoding/json: "json: cannot unmarshal string into Go struct field
	// Spec.spec.failureLimit of type int"
	if _, rest, ok := strings.Cut(msg, "Go struct field "); ok {
		field, goType, _ := strings.Cut(rest, " of type ")
		if _, path, ok := strings.Cut(field, "."); ok {
			field = path
		}
		got := ""
		if _, after, ok := strings.Cut(msg, "cannot unmarshal "); ok {
			got, _, _ = strings.Cut(after, " into")
		}
		return fmt.Errorf("%s: want %s, not %s", field, describeType(goType), got)
	}
	return errors.New(oneLine(strings.TrimPrefix(msg, "json: ")))
}

func describeType(goType string) string {
	switch {
	case strings.HasPrefix(goType, "[]"):
		return "a list"
	case strings.Contains(goType, "int"):
		return "a whole number"
	case goType == "bool":
		return "true or false"
	case goType == "string":
		return "a string"
	}
	return "an object"
}

// strictError puts the field first: "spec.stpes: unknown field".
func strictError(err error) error {
	msg := oneLine(err.Error())
	for _, kind := range []string{"unknown field", "duplicate field"} {
		if field, ok := strings.CutPrefix(msg, kind+" "); ok {
			return fmt.Errorf("%s: %s", strings.Trim(field, `"`), kind)
		}
	}
	return errors.New(msg)
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
