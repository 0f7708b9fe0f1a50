package policy

import (
	"fmt"
	"strconv"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/util/intstr"
)

// Field is one field of a policy's spec and the flag of the same meaning,
// whose values it holds as that flag takes them.
type Field struct {
	// Name is the field's name in the document ("checkEvery").
	Name string
	// Flag is the flag it stands for ("check-every"); "" for none.
	Flag string
	// Doc says what it holds, for explain and completion.
	Doc string
	// MaskedBy are flags that, typed, make the field not apply: a one-off
	// canary at --weight has no steps.
	MaskedBy []string
	get      func(*Spec) []string
	set      func(*Spec, []string) error
}

// Values are the field's values in s as its flag takes them (one for a
// scalar, one per item for a list); nil when s leaves it out.
func (f Field) Values(s *Spec) []string { return f.get(s) }

// Set sets the field in s from its flag's values.
func (f Field) Set(s *Spec, values []string) error { return f.set(s, values) }

// Fields are the fields of a spec, in the order a policy is shown; made on
// first use, so that a command that reads no policy does not pay for them.
var Fields = sync.OnceValue(func() []Field {
	return []Field{
		{Name: "strategy", Doc: "canary (kubectl ship canary) or blueGreen (kubectl ship bluegreen-switch): the verb that follows this policy",
			get: str(func(s *Spec) **string { return &s.Strategy }), set: setStr(func(s *Spec) **string { return &s.Strategy })},
		{Name: "steps", Flag: "steps", MaskedBy: []string{"weight", "replicas"},
			Doc: "the weights a canary advances through, in percent, with pause where a person approves: [10, 25, pause, 50]; for a DaemonSet, numbers of nodes or percentages of them: [1, 50%]",
			get: func(s *Spec) []string {
				if s.Steps == nil {
					return nil
				}
				return []string{StepsString(s.Steps)}
			},
			set: func(s *Spec, v []string) error {
				s.Steps = nil
				for _, part := range strings.Split(v[0], ",") {
					s.Steps = append(s.Steps, intstr.Parse(strings.TrimSpace(part)))
				}
				return nil
			}},
		stringField("interval", "interval", "how long each step holds while the gates are checked", func(s *Spec) **string { return &s.Interval }, "weight", "replicas"),
		boolField("noPromote", "no-promote", "stay at the last step instead of promoting", func(s *Spec) **bool { return &s.NoPromote }, "weight", "replicas"),
		stringField("checkEvery", "check-every", "time between checks of the gates", func(s *Spec) **string { return &s.CheckEvery }),
		stringField("readyGrace", "ready-grace", "how long a pod may stay not Ready before it fails the built-in gate", func(s *Spec) **string { return &s.ReadyGrace }),
		intField("failureLimit", "failure-limit", "failed checks to survive; the next one rolls the release back", func(s *Spec) **int { return &s.FailureLimit }),
		intField("inconclusiveLimit", "inconclusive-limit", "inconclusive results in a row of one gate that count as one failed check", func(s *Spec) **int { return &s.InconclusiveLimit }),
		stringField("prometheus", "prometheus", "where the analyses' queries go: an http(s) URL or service/NAMESPACE/NAME:PORT", func(s *Spec) **string { return &s.Prometheus }),
		listField("analyses", "analysis", "Prometheus checks, 'QUERY OP THRESHOLD'", func(s *Spec) *[]string { return &s.Analyses }),
		listField("webhooks", "webhook", "URLs that must answer 2xx to a POST of the release's state at every check", func(s *Spec) *[]string { return &s.Webhooks }),
		stringField("verifyFor", "verify-for", "blue-green: how long the gates are checked after the switch", func(s *Spec) **string { return &s.VerifyFor }),
		stringField("route", "route", "the router: httproute/NAME, httproute/NAMESPACE/NAME, ingress/NAME or none", func(s *Spec) **string { return &s.Route }),
		int32Field("weightTotal", "weight-total", "what the weights are out of, through a route", func(s *Spec) **int32 { return &s.WeightTotal }),
		stringField("header", "header", "send requests with this header to the canary: NAME=VALUE or NAME~REGEX", func(s *Spec) **string { return &s.Header }),
		stringField("cookie", "cookie", "send requests whose cookie NAME is 'always' to the canary", func(s *Spec) **string { return &s.Cookie }),
		boolField("sticky", "sticky", "pin each client IP to the pods it first reached (ClientIP session affinity)", func(s *Spec) **bool { return &s.Sticky }),
		int32Field("stickySeconds", "sticky", "the session affinity's timeout, in seconds (implies sticky)", func(s *Spec) **int32 { return &s.StickySeconds }),
		boolField("exact", "exact", "refuse a weight the replica counts reach only within five points, not one", func(s *Spec) **bool { return &s.Exact }),
		{Name: "waves", Flag: "wave", MaskedBy: acrossContexts, Doc: "waves of kubeconfig contexts (names or globs), in order, the clusters of a wave at once",
			get: func(s *Spec) []string {
				if s.Waves == nil {
					return nil
				}
				out := make([]string, len(s.Waves))
				for i, w := range s.Waves {
					out[i] = strings.Join(w, ",")
				}
				return out
			},
			set: func(s *Spec, v []string) error {
				s.Waves = make([][]string, len(v))
				for i, w := range v {
					for _, c := range strings.Split(w, ",") {
						if c = strings.TrimSpace(c); c != "" {
							s.Waves[i] = append(s.Waves[i], c)
						}
					}
				}
				return nil
			}},
		stringField("soak", "soak", "after each wave, how long its clusters must stay healthy", func(s *Spec) **string { return &s.Soak }, acrossContexts...),
		stringField("onFailure", "on-failure", "abort rolls back the cluster that fails, stop leaves it", func(s *Spec) **string { return &s.OnFailure }, acrossContexts...),
		stringField("scaleDownDelay", "scale-down-delay", "blue-green: after the switch, scale the old color to zero this much later", func(s *Spec) **string { return &s.ScaleDownDelay }),
		{Name: "notify", Flag: "notify", Doc: "where notifications go: format (slack or cloudevents), urlFrom (secretKeyRef or env), events",
			get: func(s *Spec) []string {
				if s.Notify == nil {
					return nil
				}
				out := make([]string, len(s.Notify))
				for i, n := range s.Notify {
					out[i] = n.Flag()
				}
				return out
			},
			set: func(s *Spec, v []string) error {
				s.Notify = make([]Notify, len(v))
				for i, value := range v {
					n, err := ParseNotifyFlag(value)
					if err != nil {
						return err
					}
					s.Notify[i] = n
				}
				return nil
			}},
	}
})

// acrossContexts are the flags that choose the clusters: typed, they mask
// the policy's waves.
var acrossContexts = []string{"context", "contexts", "all-contexts"}

// FieldNamed is the field of that name, and whether there is one.
func FieldNamed(name string) (Field, bool) {
	for _, f := range Fields() {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// ParseNotifyFlag reads --notify FORMAT=env:VAR or FORMAT=secret:NAME/KEY.
// A URL is refused: the command line is kept in the release's record.
func ParseNotifyFlag(value string) (Notify, error) {
	format, from, ok := strings.Cut(value, "=")
	n := Notify{Format: format}
	switch kind, ref, _ := strings.Cut(from, ":"); {
	case !ok:
		return n, fmt.Errorf("%q: want FORMAT=env:VAR or FORMAT=secret:NAME/KEY", value)
	case kind == "env":
		n.URLFrom.Env = ref
	case kind == "secret":
		name, key, ok := strings.Cut(ref, "/")
		if !ok {
			return n, fmt.Errorf("%q: want secret:NAME/KEY, the Secret and its key holding the URL", value)
		}
		n.URLFrom.SecretKeyRef = &SecretKeyRef{Name: name, Key: key}
	case kind == "http" || kind == "https":
		return n, fmt.Errorf("a webhook URL is a secret and the command line is recorded: keep it in a Secret (FORMAT=secret:NAME/KEY) or an environment variable (FORMAT=env:VAR)")
	default:
		return n, fmt.Errorf("%q: want FORMAT=env:VAR or FORMAT=secret:NAME/KEY", value)
	}
	spec := Spec{Notify: []Notify{n}}
	if err := spec.validateNotify(); err != nil {
		return n, fmt.Errorf("%q: %s", value, strings.TrimPrefix(err.Error(), "spec.notify[0]"))
	}
	return n, nil
}

// Flag is the receiver as --notify takes it.
func (n Notify) Flag() string {
	if ref := n.URLFrom.SecretKeyRef; ref != nil {
		return n.Format + "=secret:" + ref.Name + "/" + ref.Key
	}
	return n.Format + "=env:" + n.URLFrom.Env
}

func str(field func(*Spec) **string) func(*Spec) []string {
	return func(s *Spec) []string {
		if v := *field(s); v != nil {
			return []string{*v}
		}
		return nil
	}
}

func setStr(field func(*Spec) **string) func(*Spec, []string) error {
	return func(s *Spec, v []string) error {
		value := v[0]
		*field(s) = &value
		return nil
	}
}

// stringField is a string, or a duration kept as written ("10m").
func stringField(name, flag, doc string, field func(*Spec) **string, maskedBy ...string) Field {
	return Field{Name: name, Flag: flag, Doc: doc, MaskedBy: maskedBy, get: str(field), set: setStr(field)}
}

func boolField(name, flag, doc string, field func(*Spec) **bool, maskedBy ...string) Field {
	return Field{Name: name, Flag: flag, Doc: doc, MaskedBy: maskedBy,
		get: func(s *Spec) []string {
			if v := *field(s); v != nil {
				return []string{strconv.FormatBool(*v)}
			}
			return nil
		},
		set: func(s *Spec, v []string) error {
			b, err := strconv.ParseBool(v[0])
			*field(s) = &b
			return err
		}}
}

func intField(name, flag, doc string, field func(*Spec) **int) Field {
	return Field{Name: name, Flag: flag, Doc: doc,
		get: func(s *Spec) []string {
			if v := *field(s); v != nil {
				return []string{strconv.Itoa(*v)}
			}
			return nil
		},
		set: func(s *Spec, v []string) error {
			n, err := strconv.Atoi(v[0])
			*field(s) = &n
			return err
		}}
}

func int32Field(name, flag, doc string, field func(*Spec) **int32) Field {
	return Field{Name: name, Flag: flag, Doc: doc,
		get: func(s *Spec) []string {
			if v := *field(s); v != nil {
				return []string{strconv.Itoa(int(*v))}
			}
			return nil
		},
		set: func(s *Spec, v []string) error {
			n, err := strconv.ParseInt(v[0], 10, 32)
			m := int32(n)
			*field(s) = &m
			return err
		}}
}

func listField(name, flag, doc string, field func(*Spec) *[]string) Field {
	return Field{Name: name, Flag: flag, Doc: doc,
		get: func(s *Spec) []string { return *field(s) },
		set: func(s *Spec, v []string) error {
			*field(s) = append([]string{}, v...)
			return nil
		}}
}
