package release

import (
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
)

// The kinds of router ship drives: the Gateway API's HTTPRoute and
// networking.k8s.io's Ingress (with ingress-nginx's canary annotations).
const (
	KindHTTPRoute = "HTTPRoute"
	KindIngress   = "Ingress"
	// GatewayGroup is the Gateway API's group; ship reads and writes its
	// objects as unstructured, without the Gateway API's Go types.
	GatewayGroup = "gateway.networking.k8s.io"
)

// RouteRef names a route: "httproute/NAME", "httproute/NAMESPACE/NAME" for
// one in another namespace, or "ingress/NAME".
type RouteRef struct {
	Kind string
	// Namespace is "" for the release's own.
	Namespace, Name string
}

// ParseRouteRef reads a --route value (other than "none").
func ParseRouteRef(s string) (RouteRef, error) {
	parts := strings.Split(s, "/")
	if len(parts) < 2 || len(parts) > 3 || parts[len(parts)-1] == "" {
		return RouteRef{}, fmt.Errorf("%q is not a route: use httproute/NAME, httproute/NAMESPACE/NAME, ingress/NAME or none", s)
	}
	ref := RouteRef{Name: parts[len(parts)-1]}
	if len(parts) == 3 {
		ref.Namespace = parts[1]
	}
	switch strings.ToLower(parts[0]) {
	case "httproute", "httproutes", "httproute." + GatewayGroup:
		ref.Kind = KindHTTPRoute
	case "ingress", "ingresses", "ingress.networking.k8s.io", "ing":
		ref.Kind = KindIngress
		if ref.Namespace != "" {
			return RouteRef{}, fmt.Errorf("%q: an ingress-nginx canary Ingress must be in the namespace of the Ingress and the Services: use ingress/NAME", s)
		}
	default:
		return RouteRef{}, fmt.Errorf("%q: kind %s is not a route kubectl-ship drives: use httproute/NAME, ingress/NAME or none", s, parts[0])
	}
	return ref, nil
}

// String is the ref as --route takes it.
func (r RouteRef) String() string {
	kind := strings.ToLower(r.Kind)
	if r.Namespace != "" {
		return kind + "/" + r.Namespace + "/" + r.Name
	}
	return kind + "/" + r.Name
}

// In returns r with its namespace filled in: namespace when r names none.
func (r RouteRef) In(namespace string) RouteRef {
	if r.Namespace == "" {
		r.Namespace = namespace
	}
	return r
}

// Relative returns r without its namespace when that is namespace.
func (r RouteRef) Relative(namespace string) RouteRef {
	if r.Namespace == namespace {
		r.Namespace = ""
	}
	return r
}

// HTTPRoute is a Gateway API HTTPRoute as ship reads it: the object whole,
// so that what ship writes back keeps every field it does not know, and the
// fields it reads, decoded.
type HTTPRoute struct {
	Object *unstructured.Unstructured
	Spec   HTTPRouteSpec
	Status struct {
		Parents []RouteParentStatus `json:"parents,omitempty"`
	}
}

// HTTPRouteSpec is the part of an HTTPRoute's spec ship reads.
type HTTPRouteSpec struct {
	ParentRefs []ParentRef     `json:"parentRefs,omitempty"`
	Rules      []HTTPRouteRule `json:"rules,omitempty"`
}

// HTTPRouteRule is one rule: which requests, and where they go.
type HTTPRouteRule struct {
	Name        string           `json:"name,omitempty"`
	Matches     []HTTPRouteMatch `json:"matches,omitempty"`
	BackendRefs []BackendRef     `json:"backendRefs,omitempty"`
}

// HTTPRouteMatch is one way a request matches a rule.
type HTTPRouteMatch struct {
	Path *struct {
		Type  string `json:"type,omitempty"`
		Value string `json:"value,omitempty"`
	} `json:"path,omitempty"`
	Headers     []HeaderMatch `json:"headers,omitempty"`
	QueryParams []HeaderMatch `json:"queryParams,omitempty"`
	Method      string        `json:"method,omitempty"`
}

// HeaderMatch matches a header (or a query parameter) by name: its value
// exactly (Type "Exact", the default) or by a regular expression
// ("RegularExpression").
type HeaderMatch struct {
	Type  string `json:"type,omitempty"`
	Name  string `json:"name"`
	Value string `json:"value"`
}

// BackendRef is where a rule sends requests, with its weight.
type BackendRef struct {
	Group     *string `json:"group,omitempty"`
	Kind      *string `json:"kind,omitempty"`
	Name      string  `json:"name"`
	Namespace *string `json:"namespace,omitempty"`
	Port      *int32  `json:"port,omitempty"`
	Weight    *int32  `json:"weight,omitempty"`
}

// ParentRef names a Gateway (or other parent) a route attaches to.
type ParentRef struct {
	Group       *string `json:"group,omitempty"`
	Kind        *string `json:"kind,omitempty"`
	Namespace   *string `json:"namespace,omitempty"`
	Name        string  `json:"name"`
	SectionName *string `json:"sectionName,omitempty"`
}

// RouteParentStatus is what a parent's controller says of the route.
type RouteParentStatus struct {
	ParentRef      ParentRef          `json:"parentRef"`
	ControllerName string             `json:"controllerName"`
	Conditions     []metav1.Condition `json:"conditions,omitempty"`
}

// NewHTTPRoute decodes what ship reads of an HTTPRoute.
func NewHTTPRoute(obj *unstructured.Unstructured) (*HTTPRoute, error) {
	r := &HTTPRoute{Object: obj}
	spec, _, _ := unstructured.NestedMap(obj.Object, "spec")
	status, _, _ := unstructured.NestedMap(obj.Object, "status")
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(spec, &r.Spec); err != nil {
		return nil, fmt.Errorf("httproute %s: %w", obj.GetName(), err)
	}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(status, &r.Status); err != nil {
		return nil, fmt.Errorf("httproute %s: %w", obj.GetName(), err)
	}
	return r, nil
}

// Name is the route's name.
func (r *HTTPRoute) Name() string { return r.Object.GetName() }

// Namespace is the route's namespace.
func (r *HTTPRoute) Namespace() string { return r.Object.GetNamespace() }

// Ref names the route, relative to namespace.
func (r *HTTPRoute) Ref(namespace string) RouteRef {
	return RouteRef{Kind: KindHTTPRoute, Namespace: r.Namespace(), Name: r.Name()}.Relative(namespace)
}

// Service is the Service in namespace the ref names, or "" when it names
// something else (another kind, another namespace). A ref's namespace is
// the route's unless it says otherwise.
func (b BackendRef) Service(routeNamespace, namespace string) string {
	if b.Group != nil && *b.Group != "" || b.Kind != nil && *b.Kind != "Service" {
		return ""
	}
	ns := routeNamespace
	if b.Namespace != nil {
		ns = *b.Namespace
	}
	if ns != namespace {
		return ""
	}
	return b.Name
}

// WeightOf is the ref's weight, 1 when unset as the Gateway API defaults it.
func (b BackendRef) WeightOf() int32 {
	if b.Weight == nil {
		return 1
	}
	return *b.Weight
}

// SplitTo is the weight the route gives service (of namespace) in its
// first rule that splits traffic between it and one other backend, and
// that rule's total weight; false when no rule does.
func (r *HTTPRoute) SplitTo(namespace, service string) (weight, total int32, ok bool) {
	for _, rule := range r.Spec.Rules {
		var sum int32
		found := false
		for _, b := range rule.BackendRefs {
			sum += b.WeightOf()
			if b.Service(r.Namespace(), namespace) == service {
				weight, found = b.WeightOf(), true
			}
		}
		if found && len(rule.BackendRefs) == 2 {
			return weight, sum, true
		}
	}
	return 0, 0, false
}

// Services are the Services of namespace the route sends traffic to.
func (r *HTTPRoute) Services(namespace string) []string {
	var out []string
	for _, rule := range r.Spec.Rules {
		for _, b := range rule.BackendRefs {
			if name := b.Service(r.Namespace(), namespace); name != "" && !slices.Contains(out, name) {
				out = append(out, name)
			}
		}
	}
	return out
}

// Accepted reports whether a parent's controller accepted the route.
func (p RouteParentStatus) Accepted() bool {
	return meta.IsStatusConditionTrue(p.Conditions, "Accepted")
}
