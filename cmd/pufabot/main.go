// Command pufabot answers residents' legal questions from a knowledge base
// of Chinese law, runs publicity campaigns and counts consultations for a
// township justice office. Run "pufabot help" for the subcommands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	os.Exit(exitCode(err, os.Stderr))
}

// errUsage marks an error already explained by a usage message.
var errUsage = errors.New("usage")

func exitCode(err error, stderr io.Writer) int {
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	default:
		fmt.Fprintln(stderr, "pufabot:", err)
		return 1
	}
}

// env is what every subcommand receives: its arguments and the process's
// standard streams and environment, so tests can run subcommands in-process.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
}

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e *env, args []string) error
}

// commands is filled by each subcommand's file in init.
var commands = map[string]command{}

func register(c command) { commands[c.name] = c }

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) error {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv}
	args, err := hoistConfig(args)
	if err != nil {
		fmt.Fprintln(stderr, "pufabot:", err)
		return errUsage
	}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		if len(args) == 0 {
			return errUsage
		}
		return nil
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "pufabot: unknown command %q\n\n", args[0])
		usage(stderr)
		return errUsage
	}
	return c.run(ctx, e, args[1:])
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "pufabot — 普法机器人: legal questions, campaigns and consultation reports for a justice office")
	fmt.Fprintln(w, "\nUsage: pufabot <command> [--config FILE] [flags]")
	fmt.Fprintln(w, "\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun \"pufabot <command> -h\" for a command's flags.")
}

// newFlags makes a subcommand's flag set with the shared --config flag and
// a usage text.
func newFlags(e *env, name, synopsis string) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	cfg := fs.String("config", "", "config file (default config.yaml if present, else built-in defaults)")
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: pufabot %s %s\n\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs, cfg
}

// parseFlags parses args, mapping flag errors to errUsage.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	return nil
}

// restArgs joins positional arguments into one question.
func restArgs(fs *flag.FlagSet) string { return strings.TrimSpace(strings.Join(fs.Args(), " ")) }

// hoistConfig accepts --config before the subcommand too
// ("pufabot --config FILE ask …") by moving it after the subcommand name,
// where each subcommand's flag set reads it.
func hoistConfig(args []string) ([]string, error) {
	var cfg []string
	for len(args) > 0 {
		a := args[0]
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || name != "config" {
			break
		}
		if !hasValue {
			if len(args) < 2 {
				return nil, fmt.Errorf("%s needs a file name", a)
			}
			value = args[1]
			args = args[1:]
		}
		cfg = []string{"--config", value}
		args = args[1:]
	}
	if len(cfg) == 0 || len(args) == 0 {
		return args, nil
	}
	out := append([]string{args[0]}, cfg...)
	return append(out, args[1:]...), nil
}
