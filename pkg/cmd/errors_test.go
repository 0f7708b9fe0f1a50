package cmd

import (
	"bytes"
	"errors"
	"testing"
)

func TestPrintErrorIsOneInertLine(t *testing.T) {
	var out bytes.Buffer
	PrintError(&out, errors.New("error: release web is busy: kubectl ship promote web\x1b]52;c;Y3VybA==\x07 by eve\nerror: forged"))
	if want := "error: release web is busy: kubectl ship promote web^[]52;c;Y3VybA==\\x07 by eve\\nerror: forged\n"; out.String() != want {
		t.Errorf("got  %q\nwant %q", out.String(), want)
	}
}
