package release

import (
	"encoding/json"
	"fmt"
	"slices"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// AnnotationDaemonCanary is, on a DaemonSet whose canary runs, what the
// canary changed as it was and the nodes it chose (a DaemonRecord): written
// in the same patch as the change.
const AnnotationDaemonCanary = prefix + "daemon-canary"

// LabelTemplateGeneration is the label the DaemonSet controller puts on each
// pod: the template generation (annotation appsv1.DeprecatedTemplateGeneration
// of the DaemonSet) it was made from.
const LabelTemplateGeneration = "pod-template-generation"

// DaemonRecord is what a DaemonSet's canary changed, to be put back exactly
// by abort (the template and the update strategy) or promote (the update
// strategy), and where it runs.
type DaemonRecord struct {
	// Template and UpdateStrategy are the DaemonSet's before the canary.
	Template       corev1.PodTemplateSpec         `json:"template"`
	UpdateStrategy appsv1.DaemonSetUpdateStrategy `json:"updateStrategy"`
	// StableRevision is the controller-revision-hash every pod carried
	// when the canary started.
	StableRevision string `json:"stableRevision"`
	// Nodes are the nodes the canary runs on, sorted.
	Nodes []string `json:"nodes"`
}

// DaemonCanary returns the record of ds's canary, nil when none runs.
func DaemonCanary(ds *appsv1.DaemonSet) (*DaemonRecord, error) {
	value, ok := ds.Annotations[AnnotationDaemonCanary]
	if !ok {
		return nil, nil
	}
	var rec DaemonRecord
	if err := json.Unmarshal([]byte(value), &rec); err != nil {
		return nil, fmt.Errorf("daemonset %s: annotation %s cannot be read (%v): restore the template and updateStrategy by hand, then remove it", ds.Name, AnnotationDaemonCanary, err)
	}
	return &rec, nil
}

// OnTemplate says whether the DaemonSet controller made pod from ds's
// current template.
func OnTemplate(ds *appsv1.DaemonSet, pod *corev1.Pod) bool {
	gen, ok := ds.Annotations[appsv1.DeprecatedTemplateGeneration]
	return ok && pod.Labels[LabelTemplateGeneration] == gen
}

// MaxUnavailable is how many of ds's desired nodes may be without a ready
// pod while its pods are replaced: its rolling update's maxUnavailable
// (a percentage rounded up, as the controller does), 1 under OnDelete or
// when unset.
func MaxUnavailable(strategy appsv1.DaemonSetUpdateStrategy, desired int32) int32 {
	ru := strategy.RollingUpdate
	if strategy.Type != appsv1.RollingUpdateDaemonSetStrategyType || ru == nil || ru.MaxUnavailable == nil {
		return 1
	}
	n, err := intstr.GetScaledValueFromIntOrPercent(ru.MaxUnavailable, int(desired), true)
	if err != nil {
		return 1
	}
	return int32(n)
}

// DaemonRolloutStatus says, as 'kubectl rollout status daemonset/NAME'
// does, whether every desired node runs an available pod of ds's template:
// the message, done, and an error when ds cannot roll out (OnDelete).
func DaemonRolloutStatus(ds *appsv1.DaemonSet) (string, bool, error) {
	if ds.Spec.UpdateStrategy.Type != appsv1.RollingUpdateDaemonSetStrategyType {
		return "", false, fmt.Errorf("daemonset %s updates its pods only when they are deleted (updateStrategy OnDelete): its rollout cannot be followed", ds.Name)
	}
	st := ds.Status
	switch {
	case st.ObservedGeneration < ds.Generation:
		return "Waiting for daemon set spec update to be observed...", false, nil
	case st.UpdatedNumberScheduled < st.DesiredNumberScheduled:
		return fmt.Sprintf("Waiting for daemon set %q rollout to finish: %d out of %d new pods have been updated...", ds.Name, st.UpdatedNumberScheduled, st.DesiredNumberScheduled), false, nil
	case st.NumberAvailable < st.DesiredNumberScheduled:
		return fmt.Sprintf("Waiting for daemon set %q rollout to finish: %d of %d updated pods are available...", ds.Name, st.NumberAvailable, st.DesiredNumberScheduled), false, nil
	}
	return fmt.Sprintf("daemon set %q successfully rolled out", ds.Name), true, nil
}

// DaemonNodes are a DaemonSet's pods by node: the nodes it runs on, sorted,
// and the pod each runs (the one not going away, if several).
type DaemonNodes struct {
	Names []string
	Pods  map[string]*corev1.Pod
}

// NodesOf sorts the pods ds controls (by UID) by node.
func NodesOf(ds *appsv1.DaemonSet, pods []corev1.Pod) DaemonNodes {
	out := DaemonNodes{Pods: map[string]*corev1.Pod{}}
	for _, p := range podsControlledBy(ds.UID, pods) {
		node := p.Spec.NodeName
		if node == "" {
			continue
		}
		if prev, ok := out.Pods[node]; !ok {
			out.Names = append(out.Names, node)
		} else if prev.DeletionTimestamp == nil {
			continue
		}
		out.Pods[node] = p
	}
	slices.Sort(out.Names)
	return out
}

// Ready counts the nodes whose pod is ready.
func (n DaemonNodes) Ready() int32 {
	ready := int32(0)
	for _, p := range n.Pods {
		if PodReady(p) {
			ready++
		}
	}
	return ready
}
