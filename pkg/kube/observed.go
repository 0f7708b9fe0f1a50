package kube

import (
	"context"
	"errors"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
)

// WaitForObserved blocks until the Deployment controller has seen d's
// latest generation. A change of a Deployment's annotations alone bumps its
// generation, and until the controller has seen it, its rollout status says
// it waits for that: a command run right after an adoption would take the
// adopted color for not ready. Unlike a rollout, this does not wait for
// pods, so a canary that does not become ready can still be adopted, then
// aborted.
func (c *Client) WaitForObserved(ctx context.Context, d *appsv1.Deployment) error {
	observed := func(d *appsv1.Deployment) (bool, error) {
		return d.Status.ObservedGeneration >= d.Generation, nil
	}
	name := d.Name
	for {
		if done, _ := observed(d); done {
			return nil
		}
		err := c.watchRollout(ctx, d, observed)
		switch {
		case err == nil:
			return nil
		case ctx.Err() != nil:
			return &WaitError{msg: fmt.Sprintf("gave up waiting for the deployment controller to see deployment %s", name),
				TimedOut: errors.Is(ctx.Err(), context.DeadlineExceeded)}
		case !errWatchEnded(err):
			return err
		}
		// The watch ended (an API server restart): read again, watch on.
		if d, err = c.getWhenReachable(ctx, d.Namespace, name); err != nil {
			return err
		}
	}
}
