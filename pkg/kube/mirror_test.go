package kube

import (
	"context"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
)

// fakeSource serves lists the test sets and hands out watches the test
// drives, remembering the versions they were asked from.
type fakeSource struct {
	mu       sync.Mutex
	list     []corev1.Service
	version  string
	watches  chan *watch.FakeWatcher
	lists    int
	watchRVs []string
}

func (f *fakeSource) source() source {
	return source{
		list: func(context.Context, metav1.ListOptions) (runtime.Object, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.lists++
			return &corev1.ServiceList{ListMeta: metav1.ListMeta{ResourceVersion: f.version}, Items: append([]corev1.Service(nil), f.list...)}, nil
		},
		watch: func(_ context.Context, o metav1.ListOptions) (watch.Interface, error) {
			f.mu.Lock()
			f.watchRVs = append(f.watchRVs, o.ResourceVersion)
			f.mu.Unlock()
			w := watch.NewFake()
			f.watches <- w
			return w, nil
		},
	}
}

func svc(name, version string) *corev1.Service {
	return &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "demo", ResourceVersion: version,
		ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "kubectl"}}}}
}

func names(m *mirror) string {
	items, _, _ := m.state()
	var out []string
	for _, obj := range items {
		s := obj.(*corev1.Service)
		out = append(out, s.Name+"@"+s.ResourceVersion)
		if len(s.ManagedFields) > 0 {
			out = append(out, "(with managed fields)")
		}
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

// A mirror lists once, then follows one watch from the list's version; a
// watch the server closes is opened again from the last version seen, and
// only a version too old (410 Gone) lists again.
func TestMirrorListsOnceThenWatches(t *testing.T) {
	f := &fakeSource{list: []corev1.Service{*svc("a", "10")}, version: "10", watches: make(chan *watch.FakeWatcher)}
	m := newMirror(f.source(), nil)
	changed := make(chan struct{}, 100)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go m.follow(ctx, func() { changed <- struct{}{} }, nil, nil)
	next := func() *watch.FakeWatcher {
		select {
		case w := <-f.watches:
			return w
		case <-time.After(5 * time.Second):
			t.Fatal("no watch")
			return nil
		}
	}
	settled := func(want string) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for names(m) != want && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		if got := names(m); got != want {
			t.Fatalf("mirror holds %q, want %q", got, want)
		}
	}

	w := next()
	settled("a@10")
	w.Add(svc("b", "11"))
	w.Modify(svc("a", "12"))
	settled("a@12 b@11")
	w.Action(watch.Bookmark, svc("", "13"))
	w.Stop() // the server closes the watch
	w = next()
	w.Delete(svc("b", "14"))
	settled("a@12")
	f.mu.Lock()
	f.list, f.version = []corev1.Service{*svc("c", "20")}, "20"
	f.mu.Unlock()
	w.Error(&apierrors.NewResourceExpired("too old resource version").ErrStatus)
	w = next()
	settled("c@20")

	f.mu.Lock()
	defer f.mu.Unlock()
	if f.lists != 2 || strings.Join(f.watchRVs, " ") != "10 13 20" {
		t.Errorf("%d lists, watches from %v; want 2 lists, watches from 10, the bookmark's 13, and the new list's 20", f.lists, f.watchRVs)
	}
}

func TestGone(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want bool
	}{
		{apierrors.NewResourceExpired("too old"), true},
		{apierrors.NewGone("gone"), true},
		{&apierrors.StatusError{ErrStatus: metav1.Status{Code: http.StatusGone}}, true},
		{apierrors.NewForbidden(corev1.Resource("services"), "", nil), false},
	} {
		if got := gone(tt.err); got != tt.want {
			t.Errorf("gone(%v) = %v", tt.err, got)
		}
	}
}
