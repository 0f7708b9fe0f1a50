package release

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
)

// RolloutStatus says how far the rollout of d has come, in the words of
// kubectl rollout status: done is true once every desired replica runs the
// current template and is available. It fails when the Deployment exceeded
// its progress deadline, since waiting longer would not help.
func RolloutStatus(d *appsv1.Deployment) (message string, done bool, err error) {
	if d.Generation > d.Status.ObservedGeneration {
		return fmt.Sprintf("Waiting for deployment %q spec update to be observed...", d.Name), false, nil
	}
	for _, c := range d.Status.Conditions {
		if c.Type == appsv1.DeploymentProgressing && c.Reason == "ProgressDeadlineExceeded" {
			return "", false, fmt.Errorf("deployment %q exceeded its progress deadline", d.Name)
		}
	}
	want := Replicas(d)
	st := d.Status
	switch {
	case st.UpdatedReplicas < want:
		return fmt.Sprintf("Waiting for deployment %q rollout to finish: %d out of %d new replicas have been updated...",
			d.Name, st.UpdatedReplicas, want), false, nil
	case st.Replicas > st.UpdatedReplicas:
		return fmt.Sprintf("Waiting for deployment %q rollout to finish: %d old replicas are pending termination...",
			d.Name, st.Replicas-st.UpdatedReplicas), false, nil
	case st.AvailableReplicas < st.UpdatedReplicas:
		return fmt.Sprintf("Waiting for deployment %q rollout to finish: %d of %d updated replicas are available...",
			d.Name, st.AvailableReplicas, st.UpdatedReplicas), false, nil
	}
	return fmt.Sprintf("deployment %q successfully rolled out", d.Name), true, nil
}

// Replicas is the desired replica count of d (1 when unset, as the API
// server defaults it).
func Replicas(d *appsv1.Deployment) int32 {
	if d.Spec.Replicas == nil {
		return 1
	}
	return *d.Spec.Replicas
}
