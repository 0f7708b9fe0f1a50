package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/policy"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
	"github.com/kubectl-ship/kubectl-ship/pkg/ship"
)

// PolicyFlags are --policy and --notify: a release policy from a file,
// under the flags typed and over the policy the workload carries, and where
// notifications go.
type PolicyFlags struct {
	File   string
	Notify []string
	// Recorded, when set, is the policy a progression was started with, in
	// place of the file: for the process that carries it on.
	Recorded string

	layer *policy.Layer
}

// AddFlags binds --policy and --notify to cmd.
func (p *PolicyFlags) AddFlags(cmd *cobra.Command) {
	cmd.Flags().StringVar(&p.File, "policy", "", "A ReleasePolicy document (YAML or JSON) to follow: under the flags typed, over the policy the workload (its Deployment, StatefulSet or DaemonSet) carries (annotation "+policy.Annotation+").")
	cmd.Flags().StringArrayVar(&p.Notify, "notify", nil, "Send notifications: FORMAT=env:VAR or FORMAT=secret:NAME/KEY, FORMAT slack or cloudevents, the receiver's URL read from that variable or Secret key (repeatable).")
	_ = cmd.MarkFlagFilename("policy", "yaml", "yml", "json")
	_ = cmd.RegisterFlagCompletionFunc("notify", cobra.FixedCompletions([]string{policy.FormatSlack + "=", policy.FormatCloudEvents + "="}, cobra.ShellCompDirectiveNoSpace))
}

// Read reads and checks the policy of --policy (or the one recorded); no
// request. Its errors name the file and the field.
func (p *PolicyFlags) Read() error {
	var doc []byte
	source := "--policy " + p.File
	switch {
	case p.Recorded != "":
		doc, source = []byte(p.Recorded), "the progression's record"
	case p.File != "":
		var err error
		if doc, err = os.ReadFile(p.File); err != nil {
			return fmt.Errorf("--policy: %w", err)
		}
	default:
		return nil
	}
	parsed, err := policy.Parse(doc)
	if err != nil {
		return fmt.Errorf("%s: %w", source, err)
	}
	p.layer = &policy.Layer{Source: source, Spec: &parsed.Spec}
	return nil
}

// Layers are the policy's layers the flags give: the file, if any.
func (p *PolicyFlags) Layers() []policy.Layer {
	if p.layer == nil {
		return nil
	}
	return []policy.Layer{*p.layer}
}

// WorkloadLayers are the policies the workload d of kind (a Deployment, a
// StatefulSet or a DaemonSet) carries: its own, in its annotation, and the
// namespace default its other annotation names, read through r (one
// request). None costs no request. On a DaemonSet, a field its canary
// cannot follow is refused, named with where it came from.
func WorkloadLayers(ctx context.Context, kind string, d metav1.Object, r ship.Reader) ([]policy.Layer, error) {
	var layers []policy.Layer
	if doc, ok := d.GetAnnotations()[policy.Annotation]; ok {
		p, err := parseFor(kind, doc)
		if err != nil {
			return nil, fmt.Errorf("%s %s: annotation %s: %w", kind, d.GetName(), policy.Annotation, err)
		}
		layers = append(layers, policy.Layer{Source: kind + "/" + d.GetName(), Spec: &p.Spec})
	}
	if name := d.GetAnnotations()[policy.DefaultsAnnotation]; name != "" {
		data, err := r.ConfigMapData(ctx, name)
		if err != nil {
			return nil, fmt.Errorf("%s %s: annotation %s: %w", kind, d.GetName(), policy.DefaultsAnnotation, err)
		}
		doc, ok := data[policy.DefaultsKey]
		if !ok {
			return nil, fmt.Errorf("configmap %s: no key %s holding a %s", name, policy.DefaultsKey, policy.Kind)
		}
		p, err := parseFor(kind, doc)
		if err != nil {
			return nil, fmt.Errorf("configmap %s: %s: %w", name, policy.DefaultsKey, err)
		}
		layers = append(layers, policy.Layer{Source: "configmap/" + name + " (namespace default)", Spec: &p.Spec})
	}
	return layers, nil
}

// parseFor parses a policy the workload of kind carries: on a DaemonSet,
// with the fields its canary cannot follow refused.
func parseFor(kind, doc string) (*policy.Policy, error) {
	p, err := policy.Parse([]byte(doc))
	if err == nil && kind == release.KindDaemonSet {
		err = p.Spec.ValidateDaemonSet()
	}
	return p, err
}

// CheckFor refuses, when the workload of kind is a DaemonSet, a policy of
// --policy (or the one recorded) with a field its canary cannot follow; no
// request.
func (p *PolicyFlags) CheckFor(kind string) error {
	if p.layer == nil || kind != release.KindDaemonSet {
		return nil
	}
	if err := p.layer.Spec.ValidateDaemonSet(); err != nil {
		return fmt.Errorf("%s: %w", p.layer.Source, err)
	}
	return nil
}

// ApplyPolicy gives the flags of cmd that were not typed the values layers
// hold, the first over the others, and returns the effective policy, where
// each field came from: a flag typed, a layer, or the flag's default. A
// field a typed flag masks (steps under --weight, waves under --context) is
// left out; typedElsewhere are flags typed that cmd does not hold.
func ApplyPolicy(cmd *cobra.Command, strategy string, typedElsewhere []string, layers ...policy.Layer) (policy.Effective, error) {
	flags := cmd.Flags()
	typed := policy.Spec{}
	defaults := policy.Spec{Strategy: &strategy}
	var masked []string
	for _, g := range policy.Fields() {
		for _, m := range g.MaskedBy {
			if f := flags.Lookup(m); f != nil && f.Changed || slices.Contains(typedElsewhere, m) {
				masked = append(masked, g.Name)
			}
		}
	}
	for _, f := range policy.Fields() {
		flag := flags.Lookup(f.Flag)
		if flag == nil {
			continue
		}
		values, set := fieldValues(f, flag)
		if !set && !flag.Changed {
			// The flag's default, when it is a value the policy can hold.
			var d policy.Spec
			if flag.DefValue != "" && flag.DefValue != "[]" && f.Set(&d, []string{flag.DefValue}) == nil && d.Validate() == nil {
				_ = f.Set(&defaults, []string{flag.DefValue})
			}
			continue
		}
		if !set {
			continue
		}
		if err := f.Set(&typed, values); err != nil {
			return policy.Effective{}, fmt.Errorf("--%s: %w", f.Flag, err)
		}
	}
	all := []policy.Layer{{Source: "flag", Spec: &typed}}
	for _, l := range layers {
		spec := l.Spec.Without(masked...)
		all = append(all, policy.Layer{Source: l.Source, Spec: &spec})
	}
	eff := policy.Merge(append(all, policy.Layer{Source: "default", Spec: &defaults})...)
	for name, source := range eff.Sources {
		f, _ := policy.FieldNamed(name)
		flag := flags.Lookup(f.Flag)
		if flag == nil || source == "flag" || source == "default" || f.Name == "notify" {
			if source == "flag" {
				eff.Sources[name] = "--" + f.Flag
			}
			continue
		}
		if err := setFlag(flag, f, &eff.Spec); err != nil {
			return eff, fmt.Errorf("%s: spec.%s: %w", source, name, err)
		}
	}
	return eff, nil
}

// fieldValues are the values of field f a typed flag gives, as the field
// takes them, and whether it gives any.
func fieldValues(f policy.Field, flag *pflag.Flag) ([]string, bool) {
	switch {
	case !flag.Changed:
		return nil, false
	case f.Name == "sticky": // --sticky[=SECONDS] is sticky and stickySeconds
		return []string{"true"}, true
	case f.Name == "stickySeconds":
		return []string{flag.Value.String()}, flag.Value.String() != flag.NoOptDefVal
	}
	if s, ok := flag.Value.(pflag.SliceValue); ok {
		return s.GetSlice(), true
	}
	return []string{flag.Value.String()}, true
}

// setFlag gives flag the value of field f of spec, without marking it
// typed: checks that ask whether a flag was typed ignore a policy's.
func setFlag(flag *pflag.Flag, f policy.Field, spec *policy.Spec) error {
	values := f.Values(spec)
	if flag.Name == "sticky" {
		// sticky and stickySeconds are one flag: --sticky[=SECONDS].
		switch {
		case spec.StickySeconds != nil:
			values = []string{fmt.Sprint(*spec.StickySeconds)}
		case spec.Sticky != nil && *spec.Sticky:
			values = []string{flag.NoOptDefVal}
		default:
			return nil
		}
	}
	if s, ok := flag.Value.(pflag.SliceValue); ok {
		return s.Replace(values)
	}
	return flag.Value.Set(values[0])
}

// Document is the policy layers make, merged, without the fields named in
// leaveOut, as a document: what a progression records to be carried on as
// it was started.
func Document(name string, layers []policy.Layer, leaveOut ...string) string {
	eff := policy.Merge(layers...)
	raw, _ := json.Marshal(policy.New(name, eff.Spec.Without(leaveOut...)))
	return string(raw)
}
