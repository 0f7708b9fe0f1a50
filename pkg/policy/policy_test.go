package policy

import (
	"encoding/json"
	"strings"
	"testing"
)

const header = "apiVersion: kubectl-ship.dev/v1alpha1\nkind: ReleasePolicy\n"

func TestParseReadsYAMLAndJSON(t *testing.T) {
	yamlDoc := header + `metadata: {name: web}
spec:
  steps: [10, 25, pause, 50]
  interval: 10m
  analyses: ['sum(rate(errors[1m])) < 0.01']
  prometheus: http://prometheus.monitoring:9090
  waves: [[staging], [prod-us-east, prod-us-west]]
  sticky: true
  notify:
  - {format: slack, urlFrom: {secretKeyRef: {name: chat, key: url}}, events: [paused, rolledBack]}
`
	p, err := Parse([]byte(yamlDoc))
	if err != nil {
		t.Fatal(err)
	}
	if StepsString(p.Spec.Steps) != "10,25,pause,50" || *p.Spec.Interval != "10m" || len(p.Spec.Waves) != 2 || p.Spec.Waves[1][1] != "prod-us-west" ||
		p.Metadata.Name != "web" || p.Spec.Notify[0].URLFrom.SecretKeyRef.Key != "url" || p.Spec.Notify[0].NameOr(0) != "slack-1" {
		t.Errorf("parsed: %+v", p.Spec)
	}
	raw, _ := json.Marshal(p)
	again, err := Parse(raw)
	if err != nil {
		t.Fatalf("its JSON does not parse back: %v\n%s", err, raw)
	}
	if back, _ := json.Marshal(again); string(back) != string(raw) {
		t.Errorf("round trip:\n%s\n%s", raw, back)
	}
}

// Each error is one line naming the field.
func TestParseRefusals(t *testing.T) {
	tests := []struct{ doc, want string }{
		{"", "empty: want a ReleasePolicy document"},
		{"a: [", "not YAML or JSON"},
		{"apiVersion: v1\nkind: ReleasePolicy\nspec: {}", "apiVersion: want kubectl-ship.dev/v1alpha1, not \"v1\""},
		{"apiVersion: kubectl-ship.dev/v1alpha1\nkind: Rollout\nspec: {}", "kind: want ReleasePolicy, not \"Rollout\""},
		{header + "spec: {stpes: [10]}", "spec.stpes: unknown field"},
		{header + "spec: {}\nspec: {}", "already set"},
		{header + "spec: {failureLimit: x}", "spec.failureLimit: want a whole number, not string"},
		{header + "spec: {steps: 10}", "spec.steps: want a list, not number"},
		{header + "spec: {noPromote: yes please}", "spec.noPromote: want true or false, not string"},
		{header + "spec: {steps: []}", "spec.steps: empty"},
		{header + "spec: {steps: [10, x]}", `spec.steps[1]: "x" is neither a weight in percent nor pause`},
		{header + "spec: {steps: [10, 100]}", "weight 100 is not between 1 and 99 percent"},
		{header + "spec: {strategy: blueGreen, steps: [10, pause, 50]}", "spec.steps: a blue-green switch does not pause"},
		{header + "spec: {interval: 0s}", "spec.interval: must be more than 0"},
		{header + "spec: {checkEvery: 1ms}", "spec.checkEvery: must be at least 1s"},
		{header + "spec: {soak: -1m}", "spec.soak: must be at least 0s"},
		{header + "spec: {weightTotal: 2000000}", "spec.weightTotal: must be between 1 and 1000000"},
		{header + "spec: {sticky: false, stickySeconds: 60}", "spec.stickySeconds: sticky is false"},
		{header + "spec: {waves: [[a, '']]}", `spec.waves[0][1]: "": want one context name or glob`},
		{header + "spec: {waves: [['a,b']]}", `spec.waves[0][0]: "a,b": want one context name or glob`},
		{header + "spec: {notify: [{format: slack, urlFrom: {env: A, secretKeyRef: {name: s, key: k}}}]}", "spec.notify[0].urlFrom: give secretKeyRef or env, not both"},
		{header + "spec: {notify: [{format: slack, urlFrom: {env: 'A-B'}}]}", `spec.notify[0].urlFrom.env: "A-B" is not an environment variable's name`},
		{header + "spec: {notify: [{format: slack, urlFrom: {secretKeyRef: {name: S, key: k}}}]}", `spec.notify[0].urlFrom.secretKeyRef.name: "S" is not a Secret's name`},
		{header + "spec: {notify: [{name: a, format: slack, urlFrom: {env: A}}, {name: a, format: slack, urlFrom: {env: B}}]}", `spec.notify[1].name: "a" is given twice`},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			_, err := Parse([]byte(tt.doc))
			if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("got %v, want one line with %q", err, tt.want)
			}
		})
	}
}

func spec(t *testing.T, doc string) *Spec {
	t.Helper()
	p, err := Parse([]byte(header + "spec: " + doc))
	if err != nil {
		t.Fatal(err)
	}
	return &p.Spec
}

// A field comes whole from the first layer that sets it.
func TestMergeFieldByField(t *testing.T) {
	eff := Merge(
		Layer{Source: "--steps", Spec: spec(t, "{steps: [5, 50]}")},
		Layer{Source: "deployment/web", Spec: spec(t, "{steps: [10, 20], interval: 2m, analyses: [up == 1]}")},
		Layer{Source: "configmap/team", Spec: spec(t, "{interval: 10m, analyses: [down == 0, x == 1], prometheus: 'http://p:9090'}")},
		Layer{Source: "default", Spec: &Spec{}},
	)
	s := eff.Spec
	if StepsString(s.Steps) != "5,50" || *s.Interval != "2m" || len(s.Analyses) != 1 || *s.Prometheus != "http://p:9090" {
		t.Errorf("merged: %+v", s)
	}
	want := map[string]string{"steps": "--steps", "interval": "deployment/web", "analyses": "deployment/web", "prometheus": "configmap/team"}
	if len(eff.Sources) != len(want) {
		t.Errorf("sources: %v", eff.Sources)
	}
	for field, source := range want {
		if eff.Sources[field] != source {
			t.Errorf("%s from %q, want %q", field, eff.Sources[field], source)
		}
	}
	if left := s.Without("steps", "analyses"); left.Steps != nil || left.Analyses != nil || left.Interval == nil {
		t.Errorf("Without: %+v", left)
	}
}

// Each field with a flag goes to the flag's values and back unchanged.
func TestFieldsAsFlags(t *testing.T) {
	s := spec(t, `{strategy: canary, steps: [10, pause, 50], interval: 90s, noPromote: true, checkEvery: 5s, failureLimit: 2,
		analyses: [a < 1, b > 2], waves: [[staging], [us-east, us-west]], stickySeconds: 600, weightTotal: 1000,
		notify: [{format: cloudevents, urlFrom: {env: EVENTS}}, {format: slack, urlFrom: {secretKeyRef: {name: chat, key: url}}}]}`)
	var back Spec
	for _, f := range Fields() {
		if values := f.Values(s); values != nil {
			if err := f.Set(&back, values); err != nil {
				t.Fatalf("%s: %v", f.Name, err)
			}
		}
	}
	a, _ := json.Marshal(s)
	b, _ := json.Marshal(back)
	if string(a) != string(b) {
		t.Errorf("through the flags:\n%s\n%s", a, b)
	}
	if f, _ := FieldNamed("waves"); strings.Join(f.Values(s), " ") != "staging us-east,us-west" {
		t.Errorf("--wave values: %q", f.Values(s))
	}
	for _, f := range Fields() {
		if f.Doc == "" {
			t.Errorf("field %s has no doc for explain and completion", f.Name)
		}
	}
}

func TestNotifyFlag(t *testing.T) {
	tests := []struct{ in, want string }{
		{"slack=env:SLACK_URL", "slack=env:SLACK_URL"},
		{"cloudevents=secret:hooks/events", "cloudevents=secret:hooks/events"},
		{"slack=https://hooks.slack.com/services/T0/B0/X", "a webhook URL is a secret and the command line is recorded"},
		{"slack", "want FORMAT=env:VAR or FORMAT=secret:NAME/KEY"},
		{"slack=secret:hooks", "want secret:NAME/KEY"},
		{"teams=env:X", `"teams=env:X": .format: want slack or cloudevents`},
	}
	for _, tt := range tests {
		n, err := ParseNotifyFlag(tt.in)
		got := n.Flag()
		if err != nil {
			got = err.Error()
		}
		if !strings.Contains(got, tt.want) || strings.Contains(got, "T0/B0/X") {
			t.Errorf("%s: got %q, want %q", tt.in, got, tt.want)
		}
	}
}
