package cmd

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/okta-device-wizard/okta-device-wizard/okta/sandbox"
)

// sandboxServeOptions are the inputs of `sandbox serve`.
type sandboxServeOptions struct {
	IO        IOStreams
	StateDir  string
	Addr      string
	StatePath string
	Token     string
	Faults    string
	Verbose   bool
	// AllowRemote lets --addr be an address other machines can reach.
	AllowRemote bool
	// RateLimits: --enforce-rate-limits, --rate-limit, --rate-limit-window.
	RateLimits sandbox.RateLimits
	// ready is called once the server listens (tests use it to learn the URL).
	ready func(url, token string)
}

func newSandboxCmd(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "Run a local sandbox Okta org for trying the wizard safely",
		Long: "The sandbox answers the Okta Management API endpoints the wizard uses, the way a fresh\n" +
			"Identity Engine org does, and keeps its state in a file (a transactional store).",
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error { return c.Help() },
	}
	cmd.AddCommand(newSandboxServeCmd(f, nil), newSandboxSeedCmd(f))
	return cmd
}

func newSandboxServeCmd(f *Factory, ready func(url, token string)) *cobra.Command {
	opts := &sandboxServeOptions{ready: ready}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve a sandbox org until interrupted",
		Example: "  okta-device-wizard sandbox serve --addr 127.0.0.1:8099\n" +
			"  okta-device-wizard sandbox serve --faults 'latency=50ms;429@POST /api/v1/policies#1'",
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			// Read the factory now: persistent flags such as --state-dir are parsed by now.
			opts.IO, opts.StateDir = f.IO, f.StateDir
			if opts.IO.Out == nil {
				opts.IO.Out = c.OutOrStdout()
			}
			if opts.IO.ErrOut == nil {
				opts.IO.ErrOut = c.ErrOrStderr()
			}
			ctx := c.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			return runSandboxServe(ctx, opts)
		},
	}
	cmd.Flags().StringVar(&opts.Addr, "addr", "127.0.0.1:8099", "address to listen on (use port 0 for any free port)")
	cmd.Flags().StringVar(&opts.StatePath, "state", "", "state file of the org (default: sandbox.json in the state directory; a JSON one from older versions is migrated)")
	cmd.Flags().StringVar(&opts.Token, "token", "", "API token the sandbox accepts (default: a random one)")
	cmd.Flags().StringVar(&opts.Faults, "faults", "", "faults to inject, e.g. 'latency=50ms;429@POST /api/v1/policies#1' (default: $"+sandbox.FaultsEnv+")")
	cmd.Flags().BoolVarP(&opts.Verbose, "verbose", "v", false, "log every fault and state error to stderr")
	cmd.Flags().BoolVar(&opts.AllowRemote, "allow-remote", false, "allow an --addr other machines can reach (anyone reaching it with the printed token controls the org)")
	cmd.Flags().BoolVar(&opts.RateLimits.Enforce, "enforce-rate-limits", false, "answer 429 (with X-Rate-Limit-* headers) once an endpoint's bucket is empty, as Okta does")
	cmd.Flags().IntVar(&opts.RateLimits.Limit, "rate-limit", 0, "requests per window in every endpoint bucket (default: Okta's usual 600, 120 for the System Log)")
	cmd.Flags().DurationVar(&opts.RateLimits.Window, "rate-limit-window", time.Minute, "how long a rate-limit bucket lasts (at least 1s)")
	return cmd
}

// defaultSandboxStatePath is where the sandbox org lives unless --state says otherwise: in
// the state directory, the wizard's default one when none is set.
func defaultSandboxStatePath(stateDir string) string {
	if stateDir == "" {
		stateDir = defaultStateDir()
	}
	return filepath.Join(stateDir, sandboxStateFile)
}

func runSandboxServe(ctx context.Context, opts *sandboxServeOptions) error {
	if err := checkLoopback(opts.Addr, opts.AllowRemote); err != nil {
		return err
	}
	statePath := opts.StatePath
	if statePath == "" {
		statePath = defaultSandboxStatePath(opts.StateDir)
	}
	var faults sandbox.Faults
	var err error
	if opts.Faults != "" {
		faults, err = sandbox.ParseFaults(opts.Faults)
		if err != nil {
			return usageError(fmt.Errorf("--faults: %w", err))
		}
	} else if faults, err = sandbox.FaultsFromEnv(); err != nil {
		return &configError{err}
	}
	level := slog.LevelWarn
	if opts.Verbose {
		level = slog.LevelInfo
	}
	var logOut io.Writer = opts.IO.ErrOut
	logger := slog.New(slog.NewTextHandler(logOut, &slog.HandlerOptions{Level: level}))
	// Catch SIGINT/SIGTERM before announcing the server, so a signal sent as soon as the
	// export line appears stops it cleanly.
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	if opts.RateLimits.Limit < 0 || (opts.RateLimits.Window != 0 && opts.RateLimits.Window < time.Second) {
		return usageError(fmt.Errorf("--rate-limit must be positive and --rate-limit-window at least 1s (got %d, %s)", opts.RateLimits.Limit, opts.RateLimits.Window))
	}
	srv, err := sandbox.New(sandbox.Options{StatePath: statePath, Token: opts.Token, Faults: faults, Logger: logger, RateLimits: opts.RateLimits})
	if err != nil {
		return err
	}
	if err := srv.Start(opts.Addr); err != nil {
		srv.Close()
		return err
	}
	defer srv.Close()

	out := opts.IO.Out
	for _, n := range srv.Notices() {
		fmt.Fprintf(out, "Note: %s.\n", n)
	}
	url := reachableURL(srv.URL())
	fmt.Fprintf(out, "Sandbox Okta org running at %s\n", url)
	fmt.Fprintf(out, "State file: %s\n", statePath)
	if len(faults.Rules) > 0 || faults.Latency > 0 {
		fmt.Fprintf(out, "Injected faults: %s\n", faults)
	}
	if rl := opts.RateLimits; rl.Enforce {
		limit := "600 (120 for the System Log)"
		if rl.Limit > 0 {
			limit = strconv.Itoa(rl.Limit)
		}
		fmt.Fprintf(out, "Rate limits enforced: %s requests per endpoint every %s, then 429\n", limit, rl.Window)
	}
	// Printing this token is deliberate: it belongs to the local sandbox, not to a real org.
	fmt.Fprintf(out, "API token: %s\n\nPoint the wizard (or any Okta SDK) at it with:\n", srv.Token())
	fmt.Fprintf(out, "  export OKTA_CLIENT_ORGURL=%s OKTA_CLIENT_TOKEN=%s\n\nPress Ctrl+C to stop.\n", url, srv.Token())
	if opts.ready != nil {
		opts.ready(url, srv.Token())
	}

	<-ctx.Done()
	fmt.Fprintln(out, "Sandbox stopped.")
	return nil
}

// checkLoopback refuses a listen address other machines can reach unless allowRemote: the
// sandbox prints its token and that token controls the whole org.
func checkLoopback(addr string, allowRemote bool) error {
	if allowRemote {
		return nil
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--addr %q: %v", addr, err)
	}
	if ip := net.ParseIP(host); (ip != nil && ip.IsLoopback()) || strings.EqualFold(host, "localhost") {
		return nil
	}
	shown := host
	if shown == "" {
		shown = "every interface"
	}
	return fmt.Errorf("--addr %s listens on %s, which other machines can reach, and the token the sandbox prints controls its org; use 127.0.0.1:PORT, or pass --allow-remote to listen there anyway", addr, shown)
}

// sandboxSeedOptions are the inputs of `sandbox seed`.
type sandboxSeedOptions struct {
	StatePath string
	Counts    sandbox.SeedCounts
}

func newSandboxSeedCmd(f *Factory) *cobra.Command {
	opts := &sandboxSeedOptions{}
	cmd := &cobra.Command{
		Use:   "seed",
		Short: "Fill the sandbox org with generated policies, rules and assurance policies",
		Long: "Adds generated app sign-in policies (each with its rules and catch-all), device signal\n" +
			"collection policies (each mapped to one of the new app policies while there are some) and\n" +
			"device assurance policies to the sandbox's state file in one write, for benchmarks and demos.\n" +
			"The sandbox must not be running on that file.",
		Example: "  okta-device-wizard sandbox seed --app-policies 2500 --rules-each 5 --dsc-policies 10 --assurances 2500",
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			return runSandboxSeed(c.OutOrStdout(), f.StateDir, opts)
		},
	}
	cmd.Flags().StringVar(&opts.StatePath, "state", "", "state file of the org (default: sandbox.json in the state directory)")
	cmd.Flags().IntVar(&opts.Counts.AppPolicies, "app-policies", 0, "app sign-in policies to add")
	cmd.Flags().IntVar(&opts.Counts.RulesEach, "rules-each", 5, "rules in each new app sign-in policy besides its catch-all (at most 99)")
	cmd.Flags().IntVar(&opts.Counts.DSCPolicies, "dsc-policies", 0, "device signal collection policies to add")
	cmd.Flags().IntVar(&opts.Counts.Assurances, "assurances", 0, "device assurance policies to add")
	return cmd
}

func runSandboxSeed(out io.Writer, stateDir string, opts *sandboxSeedOptions) error {
	n := opts.Counts
	if n.AppPolicies < 0 || n.RulesEach < 0 || n.DSCPolicies < 0 || n.Assurances < 0 {
		return fmt.Errorf("sandbox seed: counts must not be negative")
	}
	if n.RulesEach > 99 {
		return fmt.Errorf("sandbox seed: --rules-each %d: a policy holds at most 100 rules (99 besides the catch-all)", n.RulesEach)
	}
	if n.AppPolicies+n.DSCPolicies+n.Assurances == 0 {
		return fmt.Errorf("sandbox seed: nothing to add; give --app-policies, --dsc-policies or --assurances")
	}
	statePath := opts.StatePath
	if statePath == "" {
		statePath = defaultSandboxStatePath(stateDir)
	}
	start := time.Now()
	srv, err := sandbox.New(sandbox.Options{StatePath: statePath})
	if err != nil {
		return err
	}
	for _, note := range srv.Notices() {
		fmt.Fprintf(out, "Note: %s.\n", note)
	}
	if err := srv.Seed(n); err != nil {
		srv.Close()
		return err
	}
	if err := srv.Close(); err != nil {
		return err
	}
	fmt.Fprintf(out, "Added %d app sign-in policies (%d rules each and the catch-all), %d device signal collection policies, %d device assurance policies: %d objects in %s.\n",
		n.AppPolicies, n.RulesEach, n.DSCPolicies, n.Assurances, n.Objects(), time.Since(start).Round(time.Millisecond))
	fmt.Fprintf(out, "State file: %s\n", statePath)
	return nil
}

// reachableURL is the org URL to print: listening on every interface (0.0.0.0, ::) it names
// the loopback address instead, which this machine reaches and the wizard accepts over http.
func reachableURL(serverURL string) string {
	rest, ok := strings.CutPrefix(serverURL, "http://")
	if !ok {
		return serverURL
	}
	host, port, err := net.SplitHostPort(rest)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsUnspecified() {
		return serverURL
	}
	// Go listens dual-stack on "0.0.0.0" and "::" alike (both show as [::]), so IPv4 loopback
	// reaches it either way.
	return "http://" + net.JoinHostPort("127.0.0.1", port)
}
