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
	"strconv"
	"strings"
	"syscall"

	"github.com/pufabot/pufabot/bot"
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

// env is what every subcommand receives: the process's standard streams
// and environment, so tests can run subcommands in-process, and the global
// flags.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	globalFlags
	// ids turns Telegram ids in the command's log lines into pseudonyms
	// (see cliLogger); nil until a logger needs it.
	ids *bot.IDRedactor
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
	g, args, err := splitGlobalFlags(args)
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
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv, globalFlags: g}
	if args[0] == "--version" || args[0] == "-version" {
		args[0] = "version"
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
	fmt.Fprintln(w, "\nUsage: pufabot [--config FILE] [-v] <command> [flags]")
	fmt.Fprintln(w, "\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nGlobal flags, accepted anywhere on the command line:")
	fmt.Fprintln(w, "  --config FILE  config file (default config.yaml if present, else built-in defaults)")
	fmt.Fprintln(w, "  -v             verbose: log what the command does on stderr")
	fmt.Fprintln(w, "\nRun \"pufabot <command> -h\" for a command's flags.")
}

// newFlags makes a subcommand's flag set with a usage text. The global
// flags are listed too, though run has already taken them out of the
// arguments; the returned config path is --config's value.
func newFlags(e *env, name, synopsis string) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	cfg := fs.String("config", e.config, "config file (default config.yaml if present, else built-in defaults); global, accepted anywhere")
	fs.BoolVar(&e.verbose, "v", e.verbose, "verbose: log what the command does on stderr; global, accepted anywhere")
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

// globalFlags are the flags every command accepts anywhere on the command
// line: before the command, between a command and its subcommand, or after
// the arguments.
type globalFlags struct {
	config  string
	verbose bool
}

// splitGlobalFlags takes --config FILE (also -config, --config=FILE) and -v
// (also --v, -verbose, -v=false) out of args wherever they stand, up to a
// "--" that ends the flags, and returns the rest in order. A value that
// starts with "-" must therefore be written --note=-v.
func splitGlobalFlags(args []string) (globalFlags, []string, error) {
	var g globalFlags
	rest := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest = append(rest, args[i:]...)
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			rest = append(rest, a)
			continue
		}
		name, value, hasValue := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-"), "=")
		switch name {
		case "config":
			if !hasValue {
				if i+1 >= len(args) {
					return g, nil, fmt.Errorf("%s needs a file name", a)
				}
				i++
				value = args[i]
			}
			if value == "" {
				return g, nil, fmt.Errorf("%s needs a file name", a)
			}
			g.config = value
		case "v", "verbose":
			g.verbose = true
			if hasValue {
				b, err := strconv.ParseBool(value)
				if err != nil {
					return g, nil, fmt.Errorf("%s: want true or false", a)
				}
				g.verbose = b
			}
		default:
			rest = append(rest, a)
		}
	}
	return g, rest, nil
}
