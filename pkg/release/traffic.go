package release

import (
	"sort"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// RoleOther counts the ready endpoints whose pods belong to no Deployment
// of the release: a hand-made canary, a Deployment that lost ship's role
// label, a bare pod the Service's selector happens to match.
const RoleOther = "other"

// OtherOwner is what controls the pods behind some of a Service's ready
// endpoints when they belong to no Deployment of the release.
type OtherOwner struct {
	// Kind is Deployment for the pods of a Deployment, the controller's kind
	// (StatefulSet, ReplicaSet, ...) otherwise, and Pod for a pod that no
	// controller owns (or that was not found) with Name the pod's name.
	Kind           string  `json:"kind"`
	Name           string  `json:"name"`
	ReadyEndpoints int     `json:"readyEndpoints"`
	Traffic        float64 `json:"traffic"`
}

// Endpoints indexes listed EndpointSlices by Service and pods by name, so
// counting a release's traffic costs only its own endpoints, however many
// pods the namespace has. Of the pods only the metadata is needed: their
// owner references and labels tell which Deployment an endpoint belongs to.
type Endpoints struct {
	slices map[string][]*discoveryv1.EndpointSlice
	pods   map[string]*metav1.PartialObjectMetadata
}

// NewEndpoints indexes the EndpointSlices and pods of one namespace.
func NewEndpoints(slices []discoveryv1.EndpointSlice, pods []metav1.PartialObjectMetadata) *Endpoints {
	ep := &Endpoints{slices: map[string][]*discoveryv1.EndpointSlice{}, pods: make(map[string]*metav1.PartialObjectMetadata, len(pods))}
	for i := range slices {
		name := slices[i].Labels[discoveryv1.LabelServiceName]
		ep.slices[name] = append(ep.slices[name], &slices[i])
	}
	for i := range pods {
		ep.pods[pods[i].Name] = &pods[i]
	}
	return ep
}

// owner is what controls a pod, as kind and name.
type owner struct{ kind, name string }

// ownerOf finds the Deployment that owns a pod with no request: the pod's
// controller is a ReplicaSet whose name is the Deployment's, "-" and the
// pod-template-hash label the pod carries. Selectors cannot tell: the seed's
// stable selector (app=NAME) matches its canary's pods too.
func ownerOf(pod metav1.Object) owner {
	ref := metav1.GetControllerOfNoCopy(pod)
	if ref == nil {
		return owner{"Pod", pod.GetName()}
	}
	if ref.Kind == "ReplicaSet" && strings.HasPrefix(ref.APIVersion, appsv1.GroupName+"/") {
		if hash := pod.GetLabels()[appsv1.DefaultDeploymentUniqueLabelKey]; hash != "" {
			if name, ok := strings.CutSuffix(ref.Name, "-"+hash); ok {
				return owner{"Deployment", name}
			}
		}
	}
	return owner{ref.Kind, ref.Name}
}

// DeploymentOf names the Deployment that owns pod, as ownerOf finds it, or
// "" for a pod of no Deployment.
func DeploymentOf(pod metav1.Object) string {
	if o := ownerOf(pod); o.kind == "Deployment" {
		return o.name
	}
	return ""
}

// Ready counts the ready endpoints of the Service named service.
func (e *Endpoints) Ready(service string) int {
	n := 0
	for _, slice := range e.slices[service] {
		for _, ep := range slice.Endpoints {
			if ep.TargetRef != nil && ep.Conditions.Ready != nil && *ep.Conditions.Ready {
				n++
			}
		}
	}
	return n
}

// roleOf is the role of the member that is o, or other.
func roleOf(members []member, o owner) string {
	if o.kind == "Deployment" {
		for _, m := range members {
			if m.d.Name == o.name {
				return m.role
			}
		}
	}
	return RoleOther
}

func serviceStatus(rel *Release, svc *corev1.Service, ep *Endpoints) ServiceStatus {
	ss := ServiceStatus{
		Name: svc.Name, Selector: svc.Spec.Selector, SessionAffinity: string(svc.Spec.SessionAffinity),
		ReadyEndpoints: map[string]int{}, Traffic: map[string]float64{},
	}
	members := rel.members()
	var others map[owner]int
	total := 0
	for _, slice := range ep.slices[svc.Name] {
		for _, e := range slice.Endpoints {
			if e.TargetRef == nil || e.Conditions.Ready == nil || !*e.Conditions.Ready {
				continue
			}
			total++
			o := owner{"Pod", e.TargetRef.Name} // a pod not listed: gone since, or not selected
			if pod := ep.pods[e.TargetRef.Name]; pod != nil {
				o = ownerOf(pod)
			}
			role := roleOf(members, o)
			if role == RoleOther {
				if others == nil {
					others = map[owner]int{}
				}
				others[o]++
			}
			ss.ReadyEndpoints[role]++
		}
	}
	for role, n := range ss.ReadyEndpoints {
		ss.Traffic[role] = 100 * float64(n) / float64(total)
	}
	for o, n := range others {
		ss.Others = append(ss.Others, OtherOwner{Kind: o.kind, Name: o.name, ReadyEndpoints: n, Traffic: 100 * float64(n) / float64(total)})
	}
	sort.Slice(ss.Others, func(i, j int) bool {
		a, b := ss.Others[i], ss.Others[j]
		return a.Kind < b.Kind || (a.Kind == b.Kind && a.Name < b.Name)
	})
	if rel.Canary != nil {
		if w, err := strconv.ParseInt(rel.Canary.Annotations[AnnotationWeight], 10, 32); err == nil {
			weight := int32(w)
			ss.RequestedWeight = &weight
		}
	}
	return ss
}

// String names the owner as a person reads it: a Deployment by its name,
// anything else as kind/name ("statefulset/db", "pod/debug").
func (o OtherOwner) String() string {
	if o.Kind == "Deployment" {
		return o.Name
	}
	return strings.ToLower(o.Kind) + "/" + o.Name
}

// DescribeOthers lists at most limit owners, with their ready endpoints
// when there are several: "ctwoc-canary", "ctwoc-canary 2, pod/debug 1",
// "a 1, b 1, c 1 and 4 more". Unbounded, one bare pod each could fill a
// screen.
func DescribeOthers(others []OtherOwner, limit int) string {
	if len(others) == 1 {
		return others[0].String()
	}
	limit = max(limit, 1)
	parts := make([]string, 0, limit+1)
	for i, o := range others {
		if i == limit {
			parts[len(parts)-1] += " and " + strconv.Itoa(len(others)-limit) + " more"
			break
		}
		parts = append(parts, o.String()+" "+strconv.Itoa(o.ReadyEndpoints))
	}
	return strings.Join(parts, ", ")
}
