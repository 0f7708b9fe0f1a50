// Command kubectl-ship is a kubectl plugin for canary and blue-green releases
// of plain Deployments, StatefulSets, DaemonSets and Services.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-ship/kubectl-ship/pkg/cmd"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// After the first signal cancels the context, restore the default
	// handling so a second Ctrl-C exits at once.
	go func() { <-ctx.Done(); stop() }()

	streams := genericiooptions.IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}
	err := cmd.NewCmdShip(streams).ExecuteContext(ctx)
	stop()
	if err != nil {
		cmd.PrintError(streams.ErrOut, err)
		os.Exit(cmd.ExitCode(err))
	}
}
