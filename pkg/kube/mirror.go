package kube

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
)

// source lists and watches one kind of object.
type source struct {
	list  func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error)
	watch func(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error)
}

// mirror keeps one kind's objects as the API server has them: one LIST,
// then one WATCH from its resourceVersion, opened again from the last
// version seen when the server closes it, and a new LIST only when that
// version is too old (410 Gone). Whoever reads it makes no request.
type mirror struct {
	src source
	// keep, when set, drops the objects nobody reads (other Leases).
	keep func(metav1.Object) bool

	mu     sync.Mutex
	items  map[string]runtime.Object
	listed bool
	// err is why the last list or watch failed; nil once it works again.
	err error
}

func newMirror(src source, keep func(metav1.Object) bool) *mirror {
	return &mirror{src: src, keep: keep, items: map[string]runtime.Object{}}
}

// follow keeps m current until ctx ends; changed is called after each
// change, and first once, after the first list has been told to changed,
// whether it worked or not. The first watch waits for hold, when given: a
// view's first lists are then all its first requests, as list's are.
func (m *mirror) follow(ctx context.Context, changed, first func(), hold <-chan struct{}) {
	backoff := time.Second
	for ctx.Err() == nil {
		version, err := m.relist(ctx)
		changed()
		if first != nil {
			first()
			first = nil
		}
		if hold != nil {
			select {
			case <-ctx.Done():
				return
			case <-hold:
			}
		}
		if err != nil {
			if !sleep(ctx, backoff) {
				return
			}
			backoff = min(2*backoff, 30*time.Second)
			continue
		}
		backoff = time.Second
		m.watch(ctx, version, changed)
	}
}

// relist replaces every object with a fresh list's and returns its version.
func (m *mirror) relist(ctx context.Context) (string, error) {
	list, err := m.src.list(ctx, metav1.ListOptions{})
	var items []runtime.Object
	if err == nil {
		items, err = meta.ExtractList(list)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.err = err
	if err != nil {
		return "", err
	}
	m.items = map[string]runtime.Object{}
	for _, obj := range items {
		m.put(obj)
	}
	m.listed = true
	accessor, err := meta.ListAccessor(list)
	if err != nil {
		return "", err
	}
	return accessor.GetResourceVersion(), nil
}

// watch applies the events of watches from version on, until the version
// is too old for the server or ctx ends. A watch refused (the server
// restarting, RBAC) is asked for again later and later, up to every 30s.
func (m *mirror) watch(ctx context.Context, version string, changed func()) {
	backoff := time.Second
	for ctx.Err() == nil {
		w, err := m.src.watch(ctx, metav1.ListOptions{ResourceVersion: version, AllowWatchBookmarks: true})
		if err != nil {
			m.setErr(err)
			if gone(err) || !sleep(ctx, backoff) {
				return
			}
			backoff = min(2*backoff, 30*time.Second)
			continue
		}
		backoff = time.Second
		expired := false
		for event := range w.ResultChan() {
			if event.Type == watch.Error {
				err := apierrors.FromObject(event.Object)
				m.setErr(err)
				expired = gone(err)
				break
			}
			accessor, err := meta.Accessor(event.Object)
			if err != nil {
				continue
			}
			version = accessor.GetResourceVersion()
			if event.Type != watch.Bookmark {
				m.apply(event)
				changed()
			}
		}
		w.Stop()
		if expired {
			return
		}
	}
}

func (m *mirror) apply(event watch.Event) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.err = nil
	if event.Type == watch.Deleted {
		delete(m.items, key(event.Object))
		return
	}
	m.put(event.Object)
}

// put keeps obj without its managed fields, which nothing here reads and
// which are often most of an object's bytes.
func (m *mirror) put(obj runtime.Object) {
	accessor, err := meta.Accessor(obj)
	if err != nil || m.keep != nil && !m.keep(accessor) {
		return
	}
	accessor.SetManagedFields(nil)
	m.items[key(obj)] = obj
}

func (m *mirror) setErr(err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.err = err
}

// state returns the objects, unordered, and the error of the last list or
// watch: with no objects when the kind was never listed.
func (m *mirror) state() ([]runtime.Object, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]runtime.Object, 0, len(m.items))
	for _, obj := range m.items {
		out = append(out, obj)
	}
	return out, m.listed, m.err
}

func key(obj runtime.Object) string {
	accessor, err := meta.Accessor(obj)
	if err != nil {
		return ""
	}
	return accessor.GetNamespace() + "/" + accessor.GetName()
}

// gone reports whether the server no longer has the version asked for.
func gone(err error) bool {
	var status apierrors.APIStatus
	return apierrors.IsResourceExpired(err) || apierrors.IsGone(err) ||
		errors.As(err, &status) && status.Status().Code == http.StatusGone
}

// sleep waits d, or until ctx ends: false then.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
