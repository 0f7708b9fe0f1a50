package release

import (
	"sort"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
)

// ingressStatus describes ship's canary Ingress beside the user's, named.
func ingressStatus(ing *networkingv1.Ingress, name string, services []*corev1.Service, roles map[string]string) RouteStatus {
	st := RouteStatus{Kind: KindIngress, Name: name, Drives: true}
	weight, _ := strconv.ParseFloat(ing.Annotations["nginx.ingress.kubernetes.io/canary-weight"], 64)
	total, err := strconv.ParseFloat(ing.Annotations["nginx.ingress.kubernetes.io/canary-weight-total"], 64)
	if err != nil || total <= 0 {
		total = 100
	}
	share := 100 * weight / total
	st.CanaryWeight = &share
	var extra []string
	if h := ing.Annotations["nginx.ingress.kubernetes.io/canary-by-header"]; h != "" {
		extra = append(extra, "header "+h+"="+ing.Annotations["nginx.ingress.kubernetes.io/canary-by-header-value"])
		if p := ing.Annotations["nginx.ingress.kubernetes.io/canary-by-header-pattern"]; p != "" {
			extra[len(extra)-1] = "header " + h + "~" + p
		}
	}
	if c := ing.Annotations["nginx.ingress.kubernetes.io/canary-by-cookie"]; c != "" {
		extra = append(extra, "cookie "+c+"=always")
	}
	stable := ""
	if len(services) > 0 {
		stable = services[0].Name
	}
	for _, rule := range ing.Spec.Rules {
		if rule.HTTP == nil {
			continue
		}
		for _, p := range rule.HTTP.Paths {
			if p.Backend.Service == nil {
				continue
			}
			rs := RouteRuleStatus{Matches: append([]string{strings.TrimSpace(rule.Host + " " + p.Path)}, extra...)}
			rs.Backends = []RouteBackend{{Service: stable, Weight: int32(total - weight), Percent: 100 - share},
				{Service: p.Backend.Service.Name, Role: roles[p.Backend.Service.Name], Weight: int32(weight), Percent: share}}
			st.Rules = append(st.Rules, rs)
		}
	}
	sort.SliceStable(st.Rules, func(i, j int) bool { return st.Rules[i].Matches[0] < st.Rules[j].Matches[0] })
	return st
}
