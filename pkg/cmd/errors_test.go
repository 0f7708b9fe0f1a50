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

func TestFlagErrorSaysADurationIsTooLarge(t *testing.T) {
	for value, want := range map[string]string{
		"10000000h": `invalid argument "10000000h" for "--interval" flag: too large: a duration is at most 2562047h0m0s`,
		"soon":      `invalid argument "soon" for "--interval" flag: must be a duration like "30s" or "5m"`,
	} {
		err := flagError(nil, errors.New(`invalid argument "`+value+`" for "--interval" flag: must be a duration like "30s" or "5m"`))
		if err.Error() != want {
			t.Errorf("%s: got %q, want %q", value, err, want)
		}
	}
}
