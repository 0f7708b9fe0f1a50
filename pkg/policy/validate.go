package policy

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/kubectl-ship/kubectl-ship/pkg/gate"
	"github.com/kubectl-ship/kubectl-ship/pkg/notify"
	"github.com/kubectl-ship/kubectl-ship/pkg/strategy"
	"github.com/kubectl-ship/kubectl-ship/pkg/strategy/httproute"
	"github.com/kubectl-ship/kubectl-ship/pkg/strategy/route"
)

// maxWeightTotal is the largest weight an HTTPRoute backend may have.
const maxWeightTotal = 1000000

// Validate checks every field as the flag of the same name checks its
// value; the first error names the field. Fields that only make sense
// together (analyses and prometheus, interval and checkEvery) are checked
// once the policies and the flags are merged: a team's default may hold
// one, the workload the other.
func (s *Spec) Validate() error {
	checks := []func() error{
		s.validateStrategy, s.validateSteps, s.validateDurations, s.validateGates,
		s.validateRoute, s.validateWaves, s.validateNotify,
	}
	for _, check := range checks {
		if err := check(); err != nil {
			return err
		}
	}
	return nil
}

func (s *Spec) validateStrategy() error {
	if s.Strategy != nil && *s.Strategy != Canary && *s.Strategy != BlueGreen {
		return fmt.Errorf("spec.strategy: want %s or %s, not %q", Canary, BlueGreen, *s.Strategy)
	}
	return nil
}

// validateSteps checks each step's type, then the list as --steps does.
func (s *Spec) validateSteps() error {
	if s.Steps == nil {
		return nil
	}
	if len(s.Steps) == 0 {
		return fmt.Errorf("spec.steps: empty: give the weights, e.g. [10, 25, pause, 50], or leave it out")
	}
	for i, st := range s.Steps {
		// "50%" is a percentage, as --steps takes it: of a DaemonSet's nodes.
		if st.Type == intstr.String && st.StrVal != "pause" && !strings.HasSuffix(st.StrVal, "%") {
			return fmt.Errorf("spec.steps[%d]: %q is neither a weight in percent nor pause", i, st.StrVal)
		}
	}
	steps, err := strategy.ParseSteps(StepsString(s.Steps))
	if err != nil {
		return fmt.Errorf("spec.steps: %w", err)
	}
	if s.Strategy != nil && *s.Strategy == BlueGreen {
		for _, st := range steps {
			if st.Pause {
				return fmt.Errorf("spec.steps: a blue-green switch does not pause: give green's shares only, e.g. [10, 50]")
			}
		}
	}
	return nil
}

// StepsString is steps as --steps takes them: "10,25,pause,50".
func StepsString(steps []intstr.IntOrString) string {
	parts := make([]string, len(steps))
	for i, st := range steps {
		parts[i] = st.String()
	}
	return strings.Join(parts, ",")
}

func (s *Spec) validateDurations() error {
	durations := []struct {
		field string
		value *string
		min   time.Duration
	}{
		{"interval", s.Interval, time.Nanosecond}, {"checkEvery", s.CheckEvery, time.Second}, {"readyGrace", s.ReadyGrace, 0},
		{"verifyFor", s.VerifyFor, 0}, {"soak", s.Soak, 0}, {"scaleDownDelay", s.ScaleDownDelay, 0},
	}
	for _, d := range durations {
		if d.value == nil {
			continue
		}
		v, err := time.ParseDuration(*d.value)
		switch {
		case err != nil:
			return fmt.Errorf("spec.%s: %q is not a duration such as 90s or 10m", d.field, *d.value)
		case v < d.min && d.min == time.Nanosecond:
			return fmt.Errorf("spec.%s: must be more than 0, not %s", d.field, *d.value)
		case v < d.min:
			return fmt.Errorf("spec.%s: must be at least %s, not %s", d.field, d.min, *d.value)
		}
	}
	return nil
}

func (s *Spec) validateGates() error {
	switch {
	case s.FailureLimit != nil && *s.FailureLimit < 0:
		return fmt.Errorf("spec.failureLimit: must not be negative, not %d", *s.FailureLimit)
	case s.InconclusiveLimit != nil && *s.InconclusiveLimit < 1:
		return fmt.Errorf("spec.inconclusiveLimit: must be at least 1, not %d", *s.InconclusiveLimit)
	}
	if s.Prometheus != nil {
		if _, err := gate.ParseLocation(*s.Prometheus); err != nil {
			return fmt.Errorf("spec.prometheus: %w", err)
		}
	}
	for i, a := range s.Analyses {
		if _, err := gate.ParseAnalysis(a); err != nil {
			return fmt.Errorf("spec.analyses[%d]: %w", i, err)
		}
	}
	for i, w := range s.Webhooks {
		if _, err := gate.ParseWebhook(w); err != nil {
			return fmt.Errorf("spec.webhooks[%d]: %w", i, err)
		}
	}
	return nil
}

func (s *Spec) validateRoute() error {
	if s.Route != nil {
		if _, err := route.ParseChoice(*s.Route); err != nil {
			return fmt.Errorf("spec.route: %w", err)
		}
	}
	switch {
	case s.WeightTotal != nil && (*s.WeightTotal < 1 || *s.WeightTotal > maxWeightTotal):
		return fmt.Errorf("spec.weightTotal: must be between 1 and %d, not %d", maxWeightTotal, *s.WeightTotal)
	case s.StickySeconds != nil && (*s.StickySeconds < 1 || *s.StickySeconds > 86400):
		return fmt.Errorf("spec.stickySeconds: want a number of seconds from 1 to 86400, not %d", *s.StickySeconds)
	case s.StickySeconds != nil && s.Sticky != nil && !*s.Sticky:
		return fmt.Errorf("spec.stickySeconds: sticky is false: leave out one of them")
	}
	if s.Header != nil {
		if _, err := httproute.ParseHeader(*s.Header); err != nil {
			return fmt.Errorf("spec.header: %w", err)
		}
	}
	if s.Cookie != nil {
		if err := httproute.ValidateCookie(*s.Cookie); err != nil {
			return fmt.Errorf("spec.cookie: %w", err)
		}
	}
	return nil
}

func (s *Spec) validateWaves() error {
	for i, wave := range s.Waves {
		if len(wave) == 0 {
			return fmt.Errorf("spec.waves[%d]: empty: give it context names or globs", i)
		}
		for j, c := range wave {
			if strings.TrimSpace(c) == "" || strings.Contains(c, ",") {
				return fmt.Errorf("spec.waves[%d][%d]: %q: want one context name or glob", i, j, c)
			}
		}
	}
	if s.OnFailure != nil && *s.OnFailure != "abort" && *s.OnFailure != "stop" {
		return fmt.Errorf(`spec.onFailure: want "abort" or "stop", not %q`, *s.OnFailure)
	}
	return nil
}

// envName is a name a shell takes for an environment variable; compiled
// when a policy names one, not at every start.
var envName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`) })

func (s *Spec) validateNotify() error {
	names := map[string]bool{}
	for i, n := range s.Notify {
		at := fmt.Sprintf("spec.notify[%d]", i)
		if n.Format != FormatSlack && n.Format != FormatCloudEvents {
			return fmt.Errorf("%s.format: want %s or %s, not %q", at, FormatSlack, FormatCloudEvents, n.Format)
		}
		name := n.NameOr(i)
		if names[name] {
			return fmt.Errorf("%s.name: %q is given twice", at, name)
		}
		names[name] = true
		if err := n.URLFrom.validate(at + ".urlFrom"); err != nil {
			return err
		}
		for j, e := range n.Events {
			if !notify.Known(e) {
				return fmt.Errorf("%s.events[%d]: %q is not an event: want one of %s", at, j, e, eventNames())
			}
		}
	}
	return nil
}

func (u URLSource) validate(at string) error {
	switch {
	case u.SecretKeyRef == nil && u.Env == "":
		return fmt.Errorf("%s: give secretKeyRef (a Secret's key) or env (an environment variable): a webhook URL is a secret, never written in a policy", at)
	case u.SecretKeyRef != nil && u.Env != "":
		return fmt.Errorf("%s: give secretKeyRef or env, not both", at)
	case u.Env != "" && !envName().MatchString(u.Env):
		return fmt.Errorf("%s.env: %q is not an environment variable's name", at, u.Env)
	case u.SecretKeyRef != nil:
		if errs := validation.IsDNS1123Subdomain(u.SecretKeyRef.Name); len(errs) > 0 {
			return fmt.Errorf("%s.secretKeyRef.name: %q is not a Secret's name: %s", at, u.SecretKeyRef.Name, errs[0])
		}
		if errs := validation.IsConfigMapKey(u.SecretKeyRef.Key); len(errs) > 0 {
			return fmt.Errorf("%s.secretKeyRef.key: %q is not a Secret's key: %s", at, u.SecretKeyRef.Key, errs[0])
		}
	}
	return nil
}

// NameOr is the receiver's name: its own, or FORMAT-N for the i-th.
func (n Notify) NameOr(i int) string {
	if n.Name != "" {
		return n.Name
	}
	return fmt.Sprintf("%s-%d", n.Format, i+1)
}

func eventNames() string {
	names := make([]string, len(notify.Types))
	for i, t := range notify.Types {
		names[i] = string(t)
	}
	return strings.Join(names, ", ")
}
