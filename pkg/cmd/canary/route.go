package canary

import (
	"fmt"

	"github.com/kubectl-ship/kubectl-ship/pkg/strategy"
	"github.com/kubectl-ship/kubectl-ship/pkg/strategy/httproute"
	"github.com/kubectl-ship/kubectl-ship/pkg/strategy/route"
)

// maxWeightTotal is the largest weight an HTTPRoute backend may have.
const maxWeightTotal = 1000000

// routeRequest checks the flags of a canary through a route (--weight's
// range, --weight-total, --route, --header, --cookie) and returns the
// request with them set. Whether a route is found is only known once the
// namespace is read: the planner refuses then what needs one.
func (o *Options) routeRequest() (strategy.CanaryRequest, error) {
	req := strategy.CanaryRequest{Weight: o.Weight, WeightSet: o.weightSet, Replicas: o.Replicas}
	var err error
	if o.Route != "" {
		if req.Route, err = route.ParseChoice(o.Route); err != nil {
			return req, fmt.Errorf("--route: %w", err)
		}
	}
	total := int32(100)
	switch {
	case o.totalSet && (o.WeightTotal < 1 || o.WeightTotal > maxWeightTotal):
		return req, fmt.Errorf("--weight-total must be between 1 and %d, not %d", maxWeightTotal, o.WeightTotal)
	case o.totalSet:
		total, req.WeightTotal = o.WeightTotal, o.WeightTotal
	}
	if o.weightSet && !req.Route.None && (o.Weight < 0 || o.Weight > total) {
		return req, fmt.Errorf("--weight must be between 0 and %d, not %d", total, o.Weight)
	}
	if o.Header != "" {
		h, err := httproute.ParseHeader(o.Header)
		if err != nil {
			return req, fmt.Errorf("--header: %w", err)
		}
		req.Header = &h
	}
	if o.Cookie != "" {
		if err := httproute.ValidateCookie(o.Cookie); err != nil {
			return req, fmt.Errorf("--cookie: %w", err)
		}
		req.Cookie = o.Cookie
	}
	if req.Route.None {
		return req, req.CheckShareOfPods(strategy.NoRoute)
	}
	return req, nil
}
