package main

import (
	"strings"
	"testing"
	"time"
)

const goTestJSON = `{"Action":"start","Package":"example.com/e2e"}
{"Action":"run","Package":"example.com/e2e","Test":"TestSlow"}
{"Action":"output","Package":"example.com/e2e","Test":"TestSlow","Output":"=== RUN   TestSlow\n"}
{"Action":"output","Package":"example.com/e2e","Test":"TestSlow","Output":"    slow_test.go:9: said while passing\n"}
{"Action":"output","Package":"example.com/e2e","Test":"TestSlow","Output":"--- PASS: TestSlow (75.20s)\n"}
{"Action":"pass","Package":"example.com/e2e","Test":"TestSlow","Elapsed":75.2}
{"Action":"output","Package":"example.com/e2e","Test":"TestBroken/fine","Output":"    broken_test.go:10: said by a case that passed\n"}
{"Action":"output","Package":"example.com/e2e","Test":"TestBroken/fine","Output":"    --- PASS: TestBroken/fine (1.00s)\n"}
{"Action":"pass","Package":"example.com/e2e","Test":"TestBroken/fine","Elapsed":1}
{"Action":"output","Package":"example.com/e2e","Test":"TestBroken/case","Output":"    broken_test.go:12: want 3 pods, got 2\n"}
{"Action":"fail","Package":"example.com/e2e","Test":"TestBroken/case","Elapsed":1.5}
{"Action":"output","Package":"example.com/e2e","Test":"TestBroken","Output":"--- FAIL: TestBroken (1.50s)\n"}
{"Action":"fail","Package":"example.com/e2e","Test":"TestBroken","Elapsed":1.5}
{"Action":"skip","Package":"example.com/e2e","Test":"TestSkipped","Elapsed":0}
{"Action":"output","Package":"example.com/e2e","Output":"PASS\n"}
{"Action":"output","Package":"example.com/e2e","Output":"FAIL\texample.com/e2e\t77.000s\n"}
{"Action":"fail","Package":"example.com/e2e","Elapsed":77}
e2e: a line that is not JSON
`

func TestStreamPrintsAsGoTestDoes(t *testing.T) {
	var out strings.Builder
	s := newStream(&out)
	s.copy(strings.NewReader(goTestJSON))
	want := "    broken_test.go:12: want 3 pods, got 2\n--- FAIL: TestBroken (1.50s)\n" +
		"FAIL\texample.com/e2e\t77.000s\ne2e: a line that is not JSON\n"
	if out.String() != want {
		t.Errorf("printed:\n%s\nwant:\n%s", out.String(), want)
	}
	p := s.phase("e2e", time.Time{}, 80*time.Second)
	if p.Passed != 1 || p.Failed != 1 || p.Skipped != 1 || len(p.Tests) != 3 {
		t.Errorf("counted %d passed, %d failed, %d skipped in %v", p.Passed, p.Failed, p.Skipped, p.Tests)
	}
}

func TestReportSaysWhereTheTimeWent(t *testing.T) {
	s := newStream(&strings.Builder{})
	s.copy(strings.NewReader(goTestJSON))
	phases := []phase{
		{Name: "lint", Seconds: 41.26},
		s.phase("e2e", time.Time{}, 80*time.Second),
	}
	var out strings.Builder
	if err := report(&out, phases, 2); err != nil {
		t.Fatal(err)
	}
	want := `Where the time went:
  PHASE      TIME  TESTS
  lint      41.3s
  e2e       1m20s  1 passed, 1 failed, 1 skipped
  all        2m1s
Slowest tests:
  e2e       1m15s  TestSlow
  e2e        1.5s  TestBroken
total: 1 passed, 1 failed, 1 skipped
`
	if out.String() != want {
		t.Errorf("report:\n%s\nwant:\n%s", out.String(), want)
	}
}
