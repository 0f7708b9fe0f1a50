package kube

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// loadDaemonSet reads DaemonSet name and its pods, two requests, and the
// nodes nodeSelector matches (one more, when given), for a planner that
// plans DaemonSets; when there is none, or the user may not read
// DaemonSets, noDeployment is the answer.
func (c *Client) loadDaemonSet(ctx context.Context, namespace, name, nodeSelector string, noDeployment error) (*plans.Snapshot, error) {
	ds, pods, err := c.ObserveDaemonSet(ctx, namespace, name)
	switch {
	case apierrors.IsNotFound(err), apierrors.IsForbidden(err):
		return nil, noDeployment
	case err != nil:
		return nil, err
	}
	snap := &plans.Snapshot{DaemonSet: ds, Pods: pods}
	if nodeSelector != "" {
		nodes, err := c.nodes().List(ctx, metav1.ListOptions{LabelSelector: nodeSelector})
		if err != nil {
			return nil, fmt.Errorf("--node-selector %s: %w", nodeSelector, err)
		}
		snap.Nodes = nodes.Items
	}
	return snap, nil
}

// ObserveDaemonSet reads DaemonSet name and the pods its selector matches,
// two requests however many pods.
func (c *Client) ObserveDaemonSet(ctx context.Context, namespace, name string) (*appsv1.DaemonSet, []corev1.Pod, error) {
	ds, err := c.daemonSets(namespace).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, nil, err
	}
	pods, err := c.podsOf(ctx, ds)
	if err != nil {
		return nil, nil, err
	}
	return ds, pods.Items, nil
}

// podsOf lists the pods ds's selector matches.
func (c *Client) podsOf(ctx context.Context, ds *appsv1.DaemonSet) (*corev1.PodList, error) {
	selector, err := metav1.LabelSelectorAsSelector(ds.Spec.Selector)
	if err != nil {
		return nil, fmt.Errorf("daemonset %s: %w", ds.Name, err)
	}
	return c.pods(ds.Namespace).List(ctx, metav1.ListOptions{LabelSelector: selector.String()})
}

// WaitForDaemonRollout blocks until every node of ds runs an available pod
// of its template, printing progress as 'kubectl rollout status
// daemonset/NAME' does.
func (c *Client) WaitForDaemonRollout(ctx context.Context, ds *appsv1.DaemonSet, progress io.Writer) error {
	return followRollout(ctx, c, c.daemonSets(ds.Namespace), "daemonset", ds, release.DaemonRolloutStatus, progress)
}

// WaitForNodesReady blocks until every node ds should run on runs one ready
// pod of it, none going away: a list of its pods, then a watch of them from
// there (opened again from a fresh list if it ends early).
func (c *Client) WaitForNodesReady(ctx context.Context, ds *appsv1.DaemonSet, progress io.Writer) error {
	np := &nodesProgress{ds: ds, progress: progress}
	for {
		list, err := c.podsOf(ctx, ds)
		if err != nil {
			if ctx.Err() != nil {
				return c.nodesWaitError(ctx, ds, np.last)
			}
			return err
		}
		pods := map[string]corev1.Pod{}
		for _, p := range list.Items {
			pods[p.Name] = p
		}
		if np.check(pods) {
			return nil
		}
		selector, _ := metav1.LabelSelectorAsSelector(ds.Spec.Selector)
		err = c.watchFrom(ctx, list.ResourceVersion, func(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error) {
			opts.LabelSelector = selector.String()
			return c.pods(ds.Namespace).Watch(ctx, opts)
		}, func(ev watch.Event) (bool, error) {
			if ok, err := applyPodEvent(pods, ev); !ok || err != nil {
				return false, err
			}
			return np.check(pods), nil
		})
		switch {
		case err == nil:
			return nil
		case ctx.Err() != nil:
			return c.nodesWaitError(ctx, ds, np.last)
		case !errWatchEnded(err):
			return err
		}
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

// applyPodEvent keeps pods, by name, as ev leaves them, and says whether ev
// was of a pod; a watch's error event is its error.
func applyPodEvent(pods map[string]corev1.Pod, ev watch.Event) (bool, error) {
	p, ok := ev.Object.(*corev1.Pod)
	switch {
	case ev.Type == watch.Error:
		return false, apierrors.FromObject(ev.Object)
	case !ok:
		return false, nil
	case ev.Type == watch.Deleted:
		delete(pods, p.Name)
	default:
		pods[p.Name] = *p
	}
	return true, nil
}

// nodesProgress tells how many of a DaemonSet's nodes run a ready pod,
// each time that changes.
type nodesProgress struct {
	ds       *appsv1.DaemonSet
	progress io.Writer
	last     string
}

// check says whether every node ds should run on runs one ready pod of
// pods, none going away, and tells the count if it changed.
func (np *nodesProgress) check(pods map[string]corev1.Pod) bool {
	ds := np.ds
	list := make([]corev1.Pod, 0, len(pods))
	for _, p := range pods {
		list = append(list, p)
	}
	nodes := release.NodesOf(ds, list)
	ready, want := nodes.Ready(), max(ds.Status.DesiredNumberScheduled, int32(len(nodes.Names)))
	going := 0
	for _, p := range list {
		if p.DeletionTimestamp != nil {
			going++
		}
	}
	msg := fmt.Sprintf("Waiting for daemon set %q: %d of %d nodes run a ready pod...", ds.Name, ready, want)
	if ready >= want && going == 0 {
		msg = fmt.Sprintf("daemon set %q: %d of %d nodes run a ready pod", ds.Name, ready, want)
	}
	if msg != np.last {
		fmt.Fprintln(np.progress, msg)
		np.last = msg
	}
	return ready >= want && going == 0
}

func (c *Client) nodesWaitError(ctx context.Context, ds *appsv1.DaemonSet, last string) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return &WaitError{msg: fmt.Sprintf("timed out waiting for the pods of daemonset %s (%s)", ds.Name, last), TimedOut: true}
	}
	return &WaitError{msg: fmt.Sprintf("interrupted while waiting for the pods of daemonset %s", ds.Name)}
}

// daemonStatus is LoadStatus for a DaemonSet's release, when no Deployment
// or StatefulSet has its name: the DaemonSet, its pods and the release's
// lock, three requests (five with the Deployments' list and the
// StatefulSet's get before), however many pods.
func (c *Client) daemonStatus(ctx context.Context, namespace, name string, noDeployment error) (*release.Status, error) {
	snap, err := c.loadDaemonSet(ctx, namespace, name, "", noDeployment)
	if err != nil {
		return nil, err
	}
	st, _ := c.withLock(ctx, release.SummarizeDaemon(snap.DaemonSet, snap.Pods))
	return st, nil
}
