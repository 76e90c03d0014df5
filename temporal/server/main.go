// Command temporalserver runs a single-process Temporal server (go.temporal.io/server) on
// 127.0.0.1 with in-memory SQLite persistence, for graphc's end-to-end tests and demo.
//
// Usage:
//
//	temporalserver [-port N] [-namespace default] [-log-level error]
//
// It registers the namespace, waits until the frontend answers for it, then prints one line
// on standard output:
//
//	temporalserver: ready 127.0.0.1:PORT
//
// and serves until SIGTERM or SIGINT, when it stops the server and exits 0. All state is in
// memory and is gone when the process exits. Exit status 1 means the server failed to start
// or to stop; 2 a usage error.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	sdkclient "go.temporal.io/sdk/client"
	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/metrics"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/schema/sqlite"
	"go.temporal.io/server/temporal"
)

const host = "127.0.0.1"

func main() {
	fs := flag.NewFlagSet("temporalserver", flag.ContinueOnError)
	port := fs.Int("port", 0, "frontend gRPC port on 127.0.0.1 (0: a free port)")
	namespace := fs.String("namespace", "default", "namespace to register")
	logLevel := fs.String("log-level", "error", "server log level on standard error: debug, info, warn or error")
	if err := fs.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	if fs.NArg() != 0 || *port < 0 || *port > 65535 || *namespace == "" {
		fmt.Fprintln(os.Stderr, "usage: temporalserver [-port N] [-namespace NAME] [-log-level LEVEL]")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if err := run(ctx, *port, *namespace, *logLevel); err != nil {
		fmt.Fprintln(os.Stderr, "temporalserver:", err)
		os.Exit(1)
	}
}

// run starts the server, reports readiness, and stops it when ctx is done.
func run(ctx context.Context, port int, namespace, logLevel string) error {
	ports, err := freePorts(8)
	if err != nil {
		return err
	}
	if port == 0 {
		port = ports[0]
	}
	frontend := net.JoinHostPort(host, strconv.Itoa(port))
	cfg := serverConfig(frontend, port, ports[1:])
	logger := log.NewZapLogger(log.BuildZapLogger(log.Config{Level: logLevel}))

	sqlCfg := cfg.Persistence.DataStores[sqliteplugin.PluginName].SQL
	ns, err := sqlite.NewNamespaceConfig(cfg.ClusterMetadata.CurrentClusterName, namespace, false, nil)
	if err != nil {
		return fmt.Errorf("namespace %q: %w", namespace, err)
	}
	if err := sqlite.CreateNamespaces(sqlCfg, ns); err != nil {
		return fmt.Errorf("registering namespace %q: %w", namespace, err)
	}

	srv, err := temporal.NewServer(
		temporal.WithConfig(cfg),
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithLogger(logger),
		temporal.WithCustomMetricsHandler(metrics.NoopMetricsHandler),
	)
	if err != nil {
		return fmt.Errorf("creating the server: %w", err)
	}
	if err := srv.Start(); err != nil {
		return fmt.Errorf("starting the server: %w", err)
	}
	if err := waitReady(ctx, frontend, namespace); err != nil {
		return errors.Join(err, srv.Stop())
	}
	fmt.Printf("temporalserver: ready %s\n", frontend)
	<-ctx.Done()
	if err := srv.Stop(); err != nil {
		return fmt.Errorf("stopping the server: %w", err)
	}
	return nil
}

// serverConfig is a one-shard, one-process cluster on 127.0.0.1 whose frontend listens on
// frontend (port is its port) and whose other services take the ports in other (7 of them),
// persisted in a private in-memory SQLite database.
func serverConfig(frontend string, port int, other []int) *config.Config {
	sqlCfg := &config.SQL{
		PluginName: sqliteplugin.PluginName,
		// The plugin creates the schema itself for an in-memory database; the name keeps
		// two servers in one process apart (shared cache is per name).
		DatabaseName:      "graphc-" + strconv.Itoa(port),
		ConnectAttributes: map[string]string{"mode": "memory", "cache": "shared"},
	}
	service := func(grpc, membership int) config.Service {
		return config.Service{RPC: config.RPC{GRPCPort: grpc, MembershipPort: membership, BindOnIP: host}}
	}
	return &config.Config{
		Global: config.Global{
			Membership: config.Membership{MaxJoinDuration: 30 * time.Second, BroadcastAddress: host},
		},
		Persistence: config.Persistence{
			DefaultStore:     sqliteplugin.PluginName,
			VisibilityStore:  sqliteplugin.PluginName,
			NumHistoryShards: 1,
			DataStores:       map[string]config.DataStore{sqliteplugin.PluginName: {SQL: sqlCfg}},
		},
		ClusterMetadata: &cluster.Config{
			FailoverVersionIncrement: 10,
			MasterClusterName:        "active",
			CurrentClusterName:       "active",
			ClusterInformation: map[string]cluster.ClusterInformation{
				"active": {Enabled: true, InitialFailoverVersion: 1, RPCAddress: frontend},
			},
		},
		DCRedirectionPolicy: config.DCRedirectionPolicy{Policy: "noop"},
		Services: map[string]config.Service{
			"frontend": service(port, other[0]),
			"history":  service(other[1], other[2]),
			"matching": service(other[3], other[4]),
			"worker":   service(other[5], other[6]),
		},
		Archival: config.Archival{
			History:    config.HistoryArchival{State: "disabled"},
			Visibility: config.VisibilityArchival{State: "disabled"},
		},
		NamespaceDefaults: config.NamespaceDefaults{
			Archival: config.ArchivalNamespaceDefaults{
				History:    config.HistoryArchivalNamespaceDefaults{State: "disabled"},
				Visibility: config.VisibilityArchivalNamespaceDefaults{State: "disabled"},
			},
		},
		// The server's own worker service dials the frontend through this address.
		PublicClient: config.PublicClient{HostPort: frontend},
	}
}

// freePorts returns n distinct ports on 127.0.0.1 that were free a moment ago. Another
// process may take one before the server binds it; the server then fails to start.
func freePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	var listeners []net.Listener
	defer func() {
		for _, l := range listeners {
			l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
		if err != nil {
			return nil, fmt.Errorf("finding a free port: %w", err)
		}
		listeners = append(listeners, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// waitReady returns once the frontend at hostPort describes namespace, or an error after
// a minute or when ctx is done.
func waitReady(ctx context.Context, hostPort, namespace string) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	c, err := sdkclient.NewLazyClient(sdkclient.Options{HostPort: hostPort, Namespace: namespace, Logger: quiet{}})
	if err != nil {
		return err
	}
	defer c.Close()
	for {
		_, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: namespace})
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("frontend %s not ready: %w", hostPort, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// quiet drops the SDK client's log lines: a refused connection while the frontend starts
// is expected.
type quiet struct{}

func (quiet) Debug(string, ...any) {}
func (quiet) Info(string, ...any)  {}
func (quiet) Warn(string, ...any)  {}
func (quiet) Error(string, ...any) {}
