package strategy

import "testing"

func TestParseReference(t *testing.T) {
	valid := map[string]string{
		"nginx":                                 "",
		"nginx:1.27":                            "1.27",
		"example/ctwoc:2.0.0":                   "2.0.0",
		"registry.example.com:5000/team/app:v1": "v1",
		"localhost:5000/app":                    "",
		"ghcr.io/org/my_app__x-y:latest":        "latest",
		"app@sha256:" + "0123456789abcdef0123456789abcdef":    "",
		"app:v2@sha256:" + "0123456789abcdef0123456789abcdef": "v2",
		"[::1]:5000/app:dev": "dev",
	}
	for image, wantTag := range valid {
		tag, err := parseReference(image)
		if err != nil || tag != wantTag {
			t.Errorf("parseReference(%q) = %q, %v; want tag %q", image, tag, err, wantTag)
		}
	}
	for _, image := range []string{"", "Bad Image!", "example/UPPER:1", "app:", "app:-tag", "app@sha256:short", "a//b", "app:tag/x", "-app"} {
		if _, err := parseReference(image); err == nil {
			t.Errorf("parseReference(%q) should fail", image)
		}
	}
}
