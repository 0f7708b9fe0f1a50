package kube

import (
	"context"
	"fmt"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// Judgement is a verdict recorded on a release's pause, and what holds the
// release now.
type Judgement struct {
	// Progression is the progression with the verdict in its trail.
	Progression *release.Progression
	// Runner describes the live process that runs the progression, and
	// sees the verdict; "" when none does.
	Runner string
}

// Judge records a on the pause release name's progression awaits, in one
// update of its Lease from the Lease as read (optimistic concurrency: a
// Lease changed in between is read again), with op in the record and as an
// Event. It needs only get and update on the Lease, and is refused before
// any write when the user may not update it, or the progression awaits no
// verdict.
func (c *Client) Judge(ctx context.Context, namespace, name string, a release.Approval, op release.Operation) (Judgement, error) {
	leases := c.leases(namespace)
	for range 3 {
		lease, err := leases.Get(ctx, release.LockName(name), metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return Judgement{}, fmt.Errorf("release %s has no progression: nothing awaits approval", name)
		}
		if err != nil {
			return Judgement{}, err
		}
		p := release.ParseProgression(lease.Annotations[release.AnnotationProgression])
		if err := awaitsVerdict(name, p); err != nil {
			return Judgement{}, err
		}
		if err := c.checkLeaseUpdate(ctx, namespace, name); err != nil {
			return Judgement{}, err
		}
		a.Step, a.Pause = p.Step, p.Since
		p.Approvals = append(p.Approvals, a)
		next := lease.DeepCopy()
		next.Annotations[release.AnnotationProgression] = p.Encode()
		op.Changes = []string{fmt.Sprintf("step %d of %d %s", p.Step+1, len(p.Steps), strings.ToLower(a.Verdict))}
		if a.Reason != "" {
			op.Changes[0] += ": " + a.Reason
		}
		if err := appendRecord(next, op); err != nil {
			return Judgement{}, err
		}
		written, err := leases.Update(ctx, next, metav1.UpdateOptions{FieldManager: fieldManager})
		if apierrors.IsConflict(err) {
			continue
		}
		if err != nil {
			return Judgement{}, err
		}
		c.recordEvent(ctx, namespace, name, op)
		j := Judgement{Progression: p}
		if held(written) && !stale(written) {
			j.Runner = describeLock(written)
		}
		return j, nil
	}
	return Judgement{}, fmt.Errorf("release %s: its record keeps changing; try again", name)
}

// awaitsVerdict refuses a verdict on a progression that awaits none.
func awaitsVerdict(name string, p *release.Progression) error {
	switch {
	case p == nil:
		return fmt.Errorf("release %s has no progression: nothing awaits approval", name)
	case p.Verdict() != nil:
		return fmt.Errorf("release %s: step %d of %d was already %s", name, p.Step+1, len(p.Steps), release.EscapeTerminal(p.Verdict().Describe()))
	case !p.Awaiting():
		return fmt.Errorf("release %s awaits no approval: its progression is %s at step %d of %d", name, p.Phase, p.Step+1, len(p.Steps))
	}
	return nil
}

// checkLeaseUpdate refuses, with the rule that is missing, a user who may
// not update the release's Lease: what a verdict needs, and all it needs.
func (c *Client) checkLeaseUpdate(ctx context.Context, namespace, name string) error {
	rules, err := c.ReviewAccess(ctx, namespace)
	if err != nil || rules == nil {
		return err
	}
	need := access{Verb: "update", Group: "coordination.k8s.io", Resource: "leases", Name: release.LockName(name)}
	if !allowed(rules.rules, need) {
		return fmt.Errorf("forbidden: kubectl-ship needs %s named %s in namespace %s to record a verdict (see %s)", need, need.Name, namespace, roleFile)
	}
	return nil
}

// HolderIdentity is "user@host (pid N)" of this process, as its locks
// name it.
func HolderIdentity() string { return holderIdentity() }
