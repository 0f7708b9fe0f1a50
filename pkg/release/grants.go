package release

import (
	"slices"
	"sort"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
)

// referenceGrant is what ship reads of a ReferenceGrant: whose routes may
// send traffic to which objects of its namespace.
type referenceGrant struct {
	name string
	spec grantSpec
}

// grantSpec is a ReferenceGrant's spec.
type grantSpec struct {
	From []grantFrom `json:"from"`
	To   []struct {
		Group string  `json:"group"`
		Kind  string  `json:"kind"`
		Name  *string `json:"name,omitempty"`
	} `json:"to"`
}

// grantFrom is a ReferenceGrant's from: the kind and namespace of the
// objects it lets in.
type grantFrom struct {
	Group     string `json:"group"`
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
}

// routes says whether f lets in HTTPRoutes.
func (f grantFrom) routes() bool { return f.Group == GatewayGroup && f.Kind == KindHTTPRoute }

// SetReferenceGrants keeps the ReferenceGrants of the release's namespace,
// and the namespaces whose HTTPRoutes they let send traffic to one of the
// release's Services.
func (r *Release) SetReferenceGrants(grants []unstructured.Unstructured) {
	r.GrantedNamespaces, r.grants = nil, []referenceGrant{}
	for _, g := range grants {
		spec, _, _ := unstructured.NestedMap(g.Object, "spec")
		grant := referenceGrant{name: g.GetName()}
		if runtime.DefaultUnstructuredConverter.FromUnstructured(spec, &grant.spec) != nil {
			continue
		}
		r.grants = append(r.grants, grant)
		if !r.grantsServices(grant) {
			continue
		}
		for _, from := range grant.spec.From {
			if from.routes() && !slices.Contains(r.GrantedNamespaces, from.Namespace) {
				r.GrantedNamespaces = append(r.GrantedNamespaces, from.Namespace)
			}
		}
	}
	sort.Strings(r.GrantedNamespaces)
}

func (r *Release) grantsServices(g referenceGrant) bool {
	return slices.ContainsFunc(r.Services, func(s *corev1.Service) bool { return g.allows(s.Name) })
}

// allows says whether the grant lets its routes send traffic to Service
// name of its namespace.
func (g referenceGrant) allows(name string) bool {
	for _, to := range g.spec.To {
		if to.Group == "" && to.Kind == "Service" && (to.Name == nil || *to.Name == name) {
			return true
		}
	}
	return false
}

// lets says whether the grant lets in the HTTPRoutes of namespace.
func (g referenceGrant) lets(namespace string) bool {
	return slices.ContainsFunc(g.spec.From, func(f grantFrom) bool { return f.routes() && f.Namespace == namespace })
}

// NotGranted says which of services the HTTPRoutes of namespace from may
// not send traffic to, as the ReferenceGrants of the release's namespace
// stand, and names the grants that let those routes in at all; read says
// whether the grants were read.
func (r *Release) NotGranted(from string, services []string) (refused, grants []string, read bool) {
	if r.grants == nil {
		return nil, nil, false
	}
	for _, g := range r.grants {
		if g.lets(from) {
			grants = append(grants, g.name)
		}
	}
	for _, svc := range services {
		if !slices.ContainsFunc(r.grants, func(g referenceGrant) bool { return g.lets(from) && g.allows(svc) }) {
			refused = append(refused, svc)
		}
	}
	return refused, grants, true
}
