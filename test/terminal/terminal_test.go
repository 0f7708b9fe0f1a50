//go:build linux

package terminal

import (
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

func start(t *testing.T, script string) *Terminal {
	t.Helper()
	term, err := Start(exec.Command("sh", "-c", script), 40, 5)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := term.Close(); err != nil {
			t.Error(err)
		}
	})
	return term
}

func TestScreenShowsWhereTheProgramDrew(t *testing.T) {
	// Clear, then write at row 2 column 5, as full-screen programs do.
	term := start(t, `printf '\033[2J\033[2;5Hhello\033[1;1Htop'; sleep 10`)
	screen, err := term.WaitForText(5*time.Second, "hello")
	if err != nil {
		t.Fatal(err)
	}
	if want := "top\n    hello"; screen != want {
		t.Errorf("screen is %q, want %q", screen, want)
	}
}

func TestTypedKeysReachTheProgram(t *testing.T) {
	term := start(t, `read -r line; echo "got <$line>"; sleep 10`)
	if err := term.Type("hi\r"); err != nil {
		t.Fatal(err)
	}
	if _, err := term.WaitForText(5*time.Second, "got <hi>"); err != nil {
		t.Fatal(err)
	}
}

func TestWaitFailsAtOnceWhenTheProgramExits(t *testing.T) {
	term := start(t, `echo bye; exit 3`)
	began := time.Now()
	_, err := term.WaitForText(time.Minute, "never")
	if err == nil || !strings.Contains(err.Error(), "exited first (exit status 3)") || !strings.Contains(err.Error(), "bye") {
		t.Fatalf("error %v, want one naming the exit and showing the screen", err)
	}
	if waited := time.Since(began); waited > 5*time.Second {
		t.Errorf("waited %s for a program that had exited", waited)
	}
}

func TestWaitFailsAtTheDeadline(t *testing.T) {
	term := start(t, `echo waiting; sleep 10`)
	_, err := term.WaitForText(200*time.Millisecond, "never")
	if err == nil || !strings.Contains(err.Error(), `["never"] on the screen: not seen after 200ms`) {
		t.Fatalf("error %v, want a timeout", err)
	}
}

func TestCloseEndsWhatTheProgramStarted(t *testing.T) {
	term := start(t, `sleep 100 & echo "child $!"; sleep 100`)
	screen, err := term.WaitForText(5*time.Second, "child ")
	if err != nil {
		t.Fatal(err)
	}
	child := strings.TrimPrefix(screen, "child ")
	if err := term.Close(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for running(child) {
		if time.Now().After(deadline) {
			t.Fatalf("the program's child %s still runs after Close", child)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// running tells whether process pid exists and is not a zombie (which it
// stays where nothing reaps orphans, as in some containers).
func running(pid string) bool {
	stat, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return false
	}
	_, after, _ := strings.Cut(string(stat), ") ")
	return !strings.HasPrefix(after, "Z")
}
