package dashboard

import (
	"fmt"
	"sort"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/printers"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// deploymentOf is a Deployment with its pods by revision, newest first.
func deploymentOf(d release.DeploymentStatus, replicaSets []appsv1.ReplicaSet, pods []corev1.Pod) deploymentView {
	dv := deploymentView{Name: clean(d.Name), Role: clean(d.Role), RoleClass: roleClass(d.Role), Images: clean(printers.Images(d.Containers)),
		Revision: clean(d.Revision), Desired: d.Replicas, Updated: d.UpdatedReplicas, Ready: d.ReadyReplicas, Available: d.AvailableReplicas}
	if !d.RolledOut || d.Degraded {
		dv.Message = clean(d.Message)
	}
	switch {
	case d.Serving != nil && *d.Serving:
		dv.Qualifiers = append(dv.Qualifiers, "serving")
	case d.Serving != nil:
		dv.Qualifiers = append(dv.Qualifiers, "idle")
	}
	switch {
	case d.Adopted:
		dv.Qualifiers = append(dv.Qualifiers, "adopted")
	case d.HandMade:
		dv.Qualifiers = append(dv.Qualifiers, "made by hand")
	}
	if d.Paused {
		dv.Qualifiers = append(dv.Qualifiers, "paused")
	}
	owned := ownedBy(replicaSets, "Deployment", d.Name)
	sort.Slice(owned, func(i, j int) bool { return revisionOf(owned[i]) > revisionOf(owned[j]) })
	for _, rs := range owned {
		pr := podRevision{Revision: clean(rs.Annotations[release.RevisionAnnotation]), Images: clean(printers.Images(release.Containers(&rs.Spec.Template.Spec)))}
		for _, p := range pods {
			if controller := metav1.GetControllerOf(&p); controller != nil && controller.Kind == "ReplicaSet" && controller.Name == rs.Name {
				pr.Pods = append(pr.Pods, podOf(p, rs.Name))
			}
		}
		if len(pr.Pods) > 0 {
			sort.Slice(pr.Pods, func(i, j int) bool { return pr.Pods[i].Name < pr.Pods[j].Name })
			dv.Revisions = append(dv.Revisions, pr)
		}
	}
	return dv
}

func ownedBy(replicaSets []appsv1.ReplicaSet, kind, name string) []appsv1.ReplicaSet {
	var out []appsv1.ReplicaSet
	for _, rs := range replicaSets {
		if c := metav1.GetControllerOf(&rs); c != nil && c.Kind == kind && c.Name == name {
			out = append(out, rs)
		}
	}
	return out
}

func revisionOf(rs appsv1.ReplicaSet) int {
	var n int
	_, _ = fmt.Sscan(rs.Annotations[release.RevisionAnnotation], &n)
	return n
}

// podOf says whether a pod is ready, and if not, why.
func podOf(p corev1.Pod, replicaSet string) podView {
	v := podView{Name: clean(p.Name), Short: clean(strings.TrimPrefix(p.Name, replicaSet+"-")), State: string(p.Status.Phase)}
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue {
			v.Ready = true
		}
	}
	for _, c := range p.Status.ContainerStatuses {
		v.Restarts += c.RestartCount
		switch {
		case c.State.Waiting != nil && c.State.Waiting.Reason != "":
			v.State = c.State.Waiting.Reason
		case c.State.Terminated != nil && c.State.Terminated.Reason != "":
			v.State = c.State.Terminated.Reason
		}
	}
	if p.DeletionTimestamp != nil {
		v.State = "Terminating"
	}
	if v.Ready {
		v.State += ", ready"
	} else {
		v.State += ", not ready"
	}
	v.State = clean(v.State)
	return v
}

// revisionsOf is the rollout history of the stable (or blue) Deployment.
func revisionsOf(st *release.Status, replicaSets []appsv1.ReplicaSet) []revisionView {
	d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: st.Name, Namespace: st.Namespace, Annotations: map[string]string{}}}
	for _, ds := range st.Deployments {
		if ds.Name == st.Name {
			d.Annotations[release.RevisionAnnotation] = ds.Revision
		}
	}
	h := release.NewHistory(d, ownedBy(replicaSets, "Deployment", st.Name), nil)
	var out []revisionView
	for i := len(h.Revisions) - 1; i >= 0; i-- {
		r := h.Revisions[i]
		out = append(out, revisionView{Number: fmt.Sprint(r.Revision), Created: r.Created.Format(time.DateTime),
			Images: clean(printers.Images(r.Containers)), ChangeCause: clean(r.ChangeCause), Current: r.Current})
	}
	return out
}
