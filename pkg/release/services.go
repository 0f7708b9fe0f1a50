package release

import (
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// StickyServices are the Services of the namespace that select the
// release's pods and that a canary made sticky (they keep their own session
// affinity in AnnotationSavedAffinity), sorted by name: also those --service
// left out.
func (r *Release) StickyServices() []*corev1.Service {
	pods := []labels.Set{labels.Set(r.Stable.Spec.Template.Labels)}
	if r.Canary != nil {
		pods = append(pods, labels.Set(r.Canary.Spec.Template.Labels))
	}
	var out []*corev1.Service
	for _, svc := range r.Services {
		if _, ok := svc.Annotations[AnnotationSavedAffinity]; ok {
			out = append(out, svc)
		}
	}
	for _, svc := range r.otherServices {
		if _, ok := svc.Annotations[AnnotationSavedAffinity]; ok && selectsAny(svc, pods) {
			out = append(out, svc)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// routingServices returns the Services whose selector matches the pods of
// the stable or the green Deployment, explaining what it considered when
// there is none.
func routingServices(rel *Release, services []corev1.Service) ([]*corev1.Service, error) {
	pods := []labels.Set{labels.Set(rel.Stable.Spec.Template.Labels)}
	if rel.Green != nil {
		pods = append(pods, labels.Set(rel.Green.Spec.Template.Labels))
	}
	var matches []*corev1.Service
	var rejected []string
	for i := range services {
		svc := &services[i]
		owner, ok := OwnerOf(svc)
		ok = ok && owner == rel.Stable.Name
		if ok && (svc.Labels[LabelRole] == RolePreview || svc.Name == PreviewName(rel.Stable.Name)) {
			rel.Preview = svc // routes to the idle color, not a release Service
			continue
		}
		if ok && rel.setRouteService(svc) {
			continue // routes to one track only, for a route
		}
		switch {
		case rel.explicit != "" && svc.Name != rel.explicit:
			rel.otherServices[svc.Name] = svc
		case selectsAny(svc, pods):
			matches = append(matches, svc)
		default:
			rel.otherServices[svc.Name] = svc
			rejected = append(rejected, fmt.Sprintf("%s (selector %s)", svc.Name, describeSelector(svc)))
		}
	}
	sort.Slice(matches, func(i, j int) bool { return matches[i].Name < matches[j].Name })
	sort.Strings(rejected)
	stable := rel.Stable
	switch {
	case len(matches) > 0:
		return matches, nil
	case rel.explicit != "" && len(rejected) == 0:
		return nil, NotRelease("service %s not found in namespace %s", rel.explicit, stable.Namespace)
	case rel.explicit != "":
		return nil, NotRelease("service %s does not select the pods of deployment %s (pod labels %s)",
			rejected[0], stable.Name, pods[0])
	case len(rejected) == 0:
		return nil, NotRelease("no service in namespace %s selects the pods of deployment %s: create one (kubectl expose deployment %s)",
			stable.Namespace, stable.Name, stable.Name)
	}
	considered := strings.Join(rejected, ", ")
	if len(rejected) > 3 {
		considered = fmt.Sprintf("%s and %d more", strings.Join(rejected[:3], ", "), len(rejected)-3)
	}
	return nil, NotRelease("no service selects the pods of deployment %s (pod labels %s); considered: %s",
		stable.Name, pods[0], considered)
}

func selectsAny(svc *corev1.Service, pods []labels.Set) bool {
	if len(svc.Spec.Selector) == 0 {
		return false
	}
	// A Service's selector is a set of label pairs, every one of which the
	// pods must carry: compared as maps, with no selector built, as a
	// namespace's every Service may be weighed against every Deployment.
	for _, p := range pods {
		if carries(p, svc.Spec.Selector) {
			return true
		}
	}
	return false
}

// carries says whether set has every label pair of pairs.
func carries(set labels.Set, pairs map[string]string) bool {
	for k, v := range pairs {
		if w, ok := set[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func describeSelector(svc *corev1.Service) string {
	if len(svc.Spec.Selector) == 0 {
		return "none"
	}
	return labels.Set(svc.Spec.Selector).String()
}
