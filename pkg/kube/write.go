package kube

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
)

// Resource is a kind of object plans may write, as the API serves it.
type Resource struct {
	schema.GroupVersionKind
	// Plural is the resource's name in URLs ("deployments").
	Plural string
}

// String names the resource as kubectl does: "deployment.apps".
func (r Resource) String() string {
	return kindName(r.GroupVersionKind)
}

// resources is the table of kinds plans may write: every write and every
// access check finds its resource here, by kind.
var resources = map[schema.GroupKind]Resource{}

func register(gvk schema.GroupVersionKind, plural string) {
	resources[gvk.GroupKind()] = Resource{gvk, plural}
}

func init() {
	register(appsv1.SchemeGroupVersion.WithKind("Deployment"), "deployments")
	register(appsv1.SchemeGroupVersion.WithKind("StatefulSet"), "statefulsets")
	register(appsv1.SchemeGroupVersion.WithKind("DaemonSet"), "daemonsets")
	register(corev1.SchemeGroupVersion.WithKind("Service"), "services")
	register(corev1.SchemeGroupVersion.WithKind("Pod"), "pods")
	register(networkingv1.SchemeGroupVersion.WithKind("Ingress"), "ingresses")
	register(httpRouteVersion.WithKind(release.KindHTTPRoute), "httproutes")
}

// ResourceOf finds the resource of obj: its kind, from an unstructured
// object's apiVersion and kind or a typed object's Go type.
func ResourceOf(obj runtime.Object) (Resource, error) {
	gvk := obj.GetObjectKind().GroupVersionKind()
	if gvk.Empty() {
		kinds, _, err := scheme().ObjectKinds(obj)
		if err != nil {
			return Resource{}, err
		}
		gvk = kinds[0]
	}
	r, ok := resources[gvk.GroupKind()]
	if !ok {
		return Resource{}, fmt.Errorf("kubectl-ship cannot write a %s", gvk.Kind)
	}
	return r, nil
}

// optionsVersion is the version write options are encoded in: their query
// parameters are the same in every group, and the scheme knows them in the
// core group's, but not in the groups of custom resources (HTTPRoute).
var optionsVersion = corev1.SchemeGroupVersion

// kindName is "deployment.apps", or "service" for the core group.
func kindName(gvk schema.GroupVersionKind) string {
	name := strings.ToLower(gvk.Kind)
	if gvk.Group != "" {
		name += "." + gvk.Group
	}
	return name
}

// Write carries out one create, patch or delete of a plan under ship's field
// manager, with dryRun=All when serverDryRun is set, and returns the object
// as the server left it (typed for the kinds of the scheme, unstructured for
// others), with its kind set for printing.
func (c *Client) Write(ctx context.Context, step plans.Step, serverDryRun bool) (runtime.Object, error) {
	res, err := ResourceOf(step.Object)
	if err != nil {
		return nil, err
	}
	obj, err := meta.Accessor(step.Object)
	if err != nil {
		return nil, err
	}
	client, err := c.restClient(res.GroupVersion())
	if err != nil {
		return nil, err
	}
	var dryRun []string
	if serverDryRun {
		dryRun = []string{metav1.DryRunAll}
	}
	if step.Action == plans.Delete {
		return deleteObject(ctx, client, res, step.Object, obj, dryRun)
	}
	req, err := writeRequest(client, res, step, obj, dryRun)
	if err != nil {
		return nil, err
	}
	// Error, not Raw, for the error: it reads the server's Status, which
	// Raw leaves undecoded for the groups of custom resources.
	result := req.Do(ctx)
	err = result.Error()
	raw, _ := result.Raw()
	if apierrors.IsAlreadyExists(err) {
		// The planner saw no object of that name when it planned.
		return nil, fmt.Errorf("%s %s already exists: it was created since kubectl-ship read the namespace; run the command again to see what to do",
			strings.ToLower(res.Kind), obj.GetName())
	}
	if err != nil {
		return nil, err
	}
	return decode(raw, res)
}

// writeRequest is the request of a create or a patch.
func writeRequest(client rest.Interface, res Resource, step plans.Step, obj metav1.Object, dryRun []string) (*rest.Request, error) {
	switch step.Action {
	case plans.Create:
		body, err := json.Marshal(step.Object)
		if err != nil {
			return nil, err
		}
		return client.Post().Namespace(obj.GetNamespace()).Resource(res.Plural).Body(body).
			SpecificallyVersionedParams(&metav1.CreateOptions{FieldManager: fieldManager, DryRun: dryRun}, parameterCodec(), optionsVersion), nil
	case plans.Patch:
		return client.Patch(step.PatchType).Namespace(obj.GetNamespace()).Resource(res.Plural).Name(obj.GetName()).Body(step.Patch).
			SpecificallyVersionedParams(&metav1.PatchOptions{FieldManager: fieldManager, DryRun: dryRun}, parameterCodec(), optionsVersion), nil
	}
	return nil, fmt.Errorf("%s is not a write", step.Action)
}

// deleteObject deletes object, already gone being as good as deleted, and
// returns it as the plan had it.
func deleteObject(ctx context.Context, client rest.Interface, res Resource, object runtime.Object, obj metav1.Object, dryRun []string) (runtime.Object, error) {
	// The preconditions make sure that what is deleted is the object
	// the plan was made from: not a newer one of the same name, not
	// one changed since.
	body, err := json.Marshal(&metav1.DeleteOptions{
		DryRun: dryRun,
		Preconditions: &metav1.Preconditions{
			UID: ptr.To(obj.GetUID()), ResourceVersion: ptr.To(obj.GetResourceVersion()),
		},
		PropagationPolicy: ptr.To(metav1.DeletePropagationBackground),
	})
	if err != nil {
		return nil, err
	}
	err = client.Delete().Namespace(obj.GetNamespace()).Resource(res.Plural).Name(obj.GetName()).Body(body).Do(ctx).Error()
	if apierrors.IsNotFound(err) {
		err = nil
	}
	return object, err
}

// decode reads an object the server returned: typed when the scheme knows
// its kind, unstructured otherwise.
func decode(raw []byte, res Resource) (runtime.Object, error) {
	var obj runtime.Object
	if typed, err := scheme().New(res.GroupVersionKind); err == nil {
		obj = typed
	} else {
		obj = &unstructured.Unstructured{}
	}
	if err := json.Unmarshal(raw, obj); err != nil {
		return nil, err
	}
	obj.GetObjectKind().SetGroupVersionKind(res.GroupVersionKind)
	return obj, nil
}
