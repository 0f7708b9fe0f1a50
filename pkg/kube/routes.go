package kube

import (
	"context"
	"encoding/json"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// httpRouteVersion is the Gateway API version ship reads and writes
// HTTPRoutes (and ReferenceGrants) in: v1, the standard channel's.
var httpRouteVersion = schema.GroupVersion{Group: release.GatewayGroup, Version: "v1"}

// loadRoutes reads the routes of rel that needs asks for, one list request
// each: the route named, or the one rel records, or else the HTTPRoutes of
// the namespace (and, when none sends traffic to rel and grants asks, the
// ReferenceGrants that let other namespaces' routes in). A cluster without
// the Gateway API has no HTTPRoutes; only naming one is then an error. A
// user who may not list them is told in rel.Unreadable.
func (c *Client) loadRoutes(ctx context.Context, rel *release.Release, needs plans.RouteNeeds) error {
	ns := rel.Stable.Namespace
	ref, read := rel.RecordedRoute()
	if needs.Named != nil {
		ref, read = *needs.Named, true
	} else if !needs.Recorded && !needs.Discover {
		read = false
	}
	if read {
		ref = ref.In(ns)
		if err := c.readRoute(ctx, rel, ref, needs.Named != nil); err != nil {
			return err
		}
		if ref.Kind == release.KindHTTPRoute && ref.Namespace != ns && (needs.Named != nil || needs.Grants) {
			// A plan that writes ship's Services into a route of another
			// namespace checks that the ReferenceGrants let it.
			grants, err := c.listUnstructured(ctx, httpRouteVersion, "referencegrants", ns)
			if err != nil && !apierrors.IsNotFound(err) {
				return fmt.Errorf("reading the referencegrants of namespace %s, to check that %s may send traffic to ship's Services: %w", ns, ref, err)
			}
			rel.SetReferenceGrants(grants)
		}
		return nil
	}
	if !needs.Discover {
		return nil
	}
	routes, err := c.httpRoutes(ctx, ns)
	switch {
	case apierrors.IsForbidden(err):
		rel.Unreadable = fmt.Sprintf("kubectl-ship may not list httproutes in namespace %s", ns)
		return nil
	case apierrors.IsNotFound(err):
		return nil // the Gateway API is not installed
	case err != nil:
		return err
	}
	rel.SetRoutes(routes, nil)
	rel.MarkRoutesRead(release.KindHTTPRoute, ns)
	names := make([]string, len(rel.Services))
	for i, svc := range rel.Services {
		names[i] = svc.Name
	}
	if needs.Grants && len(rel.HTTPRoutesTo(names...)) == 0 {
		// Best effort: without them, a route elsewhere goes unnoticed.
		if grants, err := c.listUnstructured(ctx, httpRouteVersion, "referencegrants", ns); err == nil {
			rel.SetReferenceGrants(grants)
		}
	}
	return nil
}

// readRoute reads the route ref names (an Ingress with the namespace's
// others, ship's canary Ingress among them).
func (c *Client) readRoute(ctx context.Context, rel *release.Release, ref release.RouteRef, named bool) error {
	if ref.Kind == release.KindIngress {
		list, err := c.ingresses(ref.Namespace).List(ctx, metav1.ListOptions{})
		if err != nil {
			return err
		}
		rel.SetRoutes(nil, list.Items)
		rel.MarkRoutesRead(release.KindIngress, ref.Namespace)
		return nil
	}
	routes, err := c.httpRoutes(ctx, ref.Namespace)
	switch {
	case apierrors.IsNotFound(err) && named:
		return fmt.Errorf("--route %s: this cluster does not serve HTTPRoutes (%s httproutes): install the Gateway API's CRDs, or leave out --route", ref.Relative(rel.Stable.Namespace), httpRouteVersion)
	case apierrors.IsNotFound(err):
		return nil
	case err != nil:
		return err
	}
	rel.SetRoutes(routes, nil)
	rel.MarkRoutesRead(release.KindHTTPRoute, ref.Namespace)
	return nil
}

// httpRoutes lists the HTTPRoutes of namespace ("" for all): a NotFound
// error when the cluster does not serve them.
func (c *Client) httpRoutes(ctx context.Context, namespace string) ([]*release.HTTPRoute, error) {
	items, err := c.listUnstructured(ctx, httpRouteVersion, "httproutes", namespace)
	if err != nil {
		return nil, err
	}
	routes := make([]*release.HTTPRoute, 0, len(items))
	for i := range items {
		items[i].SetGroupVersionKind(httpRouteVersion.WithKind(release.KindHTTPRoute))
		route, err := release.NewHTTPRoute(&items[i])
		if err != nil {
			return nil, err
		}
		routes = append(routes, route)
	}
	return routes, nil
}

// listUnstructured lists a resource ship has no Go types for, as JSON.
func (c *Client) listUnstructured(ctx context.Context, gv schema.GroupVersion, resource, namespace string) ([]unstructured.Unstructured, error) {
	client, err := c.restClient(gv)
	if err != nil {
		return nil, err
	}
	result := client.Get().NamespaceIfScoped(namespace, namespace != "").Resource(resource).Do(ctx)
	if err := result.Error(); err != nil {
		return nil, err // the server's Status, decoded: Raw leaves it as "unknown"
	}
	raw, _ := result.Raw()
	var list unstructured.UnstructuredList
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, fmt.Errorf("decoding %s: %w", resource, err)
	}
	return list.Items, nil
}
