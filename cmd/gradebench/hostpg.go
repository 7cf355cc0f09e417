package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// The host baseline's postgres fixture: Debian's PostgreSQL 15 on the
// host, set up as the fixture's image is. A template cluster is
// initialised once per bench run (initdb, the image's settings, roles
// grader and app with this run's passwords); each host run copies it to a
// fresh folder and starts postgres there on a free loopback port, as the
// fixture copies its baked cluster and starts, so both sides pay a copy
// and a start and neither pays initdb.

// hostPGBin is where Debian's postgresql-15 puts the server programs.
const hostPGBin = "/usr/lib/postgresql/15/bin"

// hostPGPackage is the Debian package that installs them.
const hostPGPackage = "postgresql-15"

// pgSettings are the template's additions to postgresql.conf, the
// fixture image's: loopback only, no Unix socket, nothing synced.
var pgSettings = []string{
	"listen_addresses = '127.0.0.1'",
	"unix_socket_directories = ''",
	"fsync = off",
	"synchronous_commit = off",
	"full_page_writes = off",
	"shared_buffers = 32MB",
	"max_connections = 50",
	"max_wal_size = 64MB",
	"min_wal_size = 2MB",
	"dynamic_shared_memory_type = mmap",
	"logging_collector = off",
	"log_min_messages = warning",
	"password_encryption = scram-sha-256",
	"shared_preload_libraries = 'pg_stat_statements'",
	"pg_stat_statements.track = top",
	"pg_stat_statements.track_utility = off",
}

// pgUser is the user postgres runs as when the bench runs as root, which
// postgres refuses: nobody, as in the fixture's box.
const pgUser = 65534

// hasHostPostgres says whether the host has the server programs.
func hasHostPostgres() bool {
	_, err := os.Stat(filepath.Join(hostPGBin, "postgres"))
	return err == nil
}

// pgTemplate is the run's template cluster.
type pgTemplate struct {
	base string // holds data, the cluster
	// secret and app are the passwords of grader (the tester's
	// superuser) and app (the service's role).
	secret, app string
}

var (
	hostPGMu sync.Mutex
	hostPG   *pgTemplate
)

// hostPostgres returns the run's template cluster, initialising it on
// first use.
func hostPostgres(ctx context.Context) (*pgTemplate, error) {
	hostPGMu.Lock()
	defer hostPGMu.Unlock()
	if hostPG != nil {
		return hostPG, nil
	}
	t, err := newPGTemplate(ctx)
	if err != nil {
		return nil, err
	}
	hostPG = t
	return t, nil
}

// removeHostPostgres deletes the run's template cluster, if any.
func removeHostPostgres() {
	hostPGMu.Lock()
	defer hostPGMu.Unlock()
	if hostPG != nil {
		_ = os.RemoveAll(hostPG.base)
		hostPG = nil
	}
}

// newPGTemplate initialises a cluster as the fixture image's Dockerfile
// does, and sets this run's passwords in single-user mode as the fixture
// does at start.
func newPGTemplate(ctx context.Context) (*pgTemplate, error) {
	if !hasHostPostgres() {
		return nil, fmt.Errorf("no %s/postgres on the host; install it with: apt-get install -y %s", hostPGBin, hostPGPackage)
	}
	base, err := pgDir()
	if err != nil {
		return nil, err
	}
	t := &pgTemplate{base: base, secret: randomWord(), app: randomWord()}
	data := filepath.Join(base, "data")
	err = func() error {
		if err := pgMkdir(data); err != nil {
			return err
		}
		if err := pgRun(ctx, base, nil, "initdb", "--pgdata="+data, "--username=grader", "--auth=reject",
			"--encoding=UTF8", "--no-locale", "--wal-segsize=1", "--no-sync"); err != nil {
			return err
		}
		conf, err := os.OpenFile(filepath.Join(data, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		_, err = conf.WriteString(strings.Join(pgSettings, "\n") + "\n")
		if cerr := conf.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("write postgresql.conf: %w", err)
		}
		if err := os.WriteFile(filepath.Join(data, "pg_hba.conf"), []byte("host all all 127.0.0.1/32 scram-sha-256\n"), 0o600); err != nil {
			return err
		}
		if err := pgChown(data); err != nil {
			return err
		}
		sql := strings.Join([]string{
			"CREATE EXTENSION pg_stat_statements",
			"CREATE ROLE app LOGIN",
			"CREATE DATABASE app OWNER app",
			"DROP DATABASE postgres",
			"ALTER ROLE grader PASSWORD '" + t.secret + "'",
			"ALTER ROLE app PASSWORD '" + t.app + "'",
			"CHECKPOINT",
		}, "\n") + "\n"
		return pgRun(ctx, base, strings.NewReader(sql), "postgres", "--single", "-D", data, "template1")
	}()
	if err != nil {
		_ = os.RemoveAll(base)
		return nil, fmt.Errorf("initialise a postgres cluster on the host: %w", err)
	}
	return t, nil
}

// pgInstance is one host run's postgres: a copy of the template, served
// on port.
type pgInstance struct {
	base string
	port int
	proc *child
}

// start copies the template to a fresh folder and starts postgres on a
// free loopback port; the caller waits until it accepts connections
// (httpcheck.PrepareDatabases does).
func (t *pgTemplate) start(ctx context.Context) (*pgInstance, error) {
	base, err := pgDir()
	if err != nil {
		return nil, err
	}
	data := filepath.Join(base, "data")
	if out, err := exec.CommandContext(ctx, "cp", "-a", filepath.Join(t.base, "data"), data).CombinedOutput(); err != nil {
		_ = os.RemoveAll(base)
		return nil, fmt.Errorf("copy the postgres cluster: %w: %s", err, out)
	}
	port, err := freePort()
	if err != nil {
		_ = os.RemoveAll(base)
		return nil, err
	}
	cmd := pgCommand(ctx, base, "postgres", "-D", data, "-p", strconv.Itoa(port))
	proc, err := startChild("postgres", cmd)
	if err != nil {
		_ = os.RemoveAll(base)
		return nil, err
	}
	return &pgInstance{base: base, port: port, proc: proc}, nil
}

// url is the connection URL of role user with password to database app.
func (p *pgInstance) url(user, password string) string {
	return "postgres://" + user + ":" + password + "@127.0.0.1:" + strconv.Itoa(p.port) + "/app?sslmode=disable"
}

// stop shuts the server down at once (SIGQUIT: nothing needs to
// survive) and deletes its folder.
func (p *pgInstance) stop() {
	select {
	case <-p.proc.done:
	default:
		_ = p.proc.cmd.Process.Signal(syscall.SIGQUIT)
		select {
		case <-p.proc.done:
		case <-time.After(5 * time.Second):
			_ = p.proc.cmd.Process.Kill()
			<-p.proc.done
		}
	}
	_ = os.RemoveAll(p.base)
}

// pgDir makes a folder the postgres user can enter.
func pgDir() (string, error) {
	dir, err := os.MkdirTemp("", "gradebench-pg-")
	if err != nil {
		return "", err
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		_ = os.RemoveAll(dir)
		return "", err
	}
	return dir, nil
}

// asRoot says whether postgres must run as pgUser.
func asRoot() bool { return os.Geteuid() == 0 }

// pgMkdir makes the cluster's folder, owned by the user postgres runs as.
func pgMkdir(dir string) error {
	if err := os.Mkdir(dir, 0o700); err != nil {
		return err
	}
	if asRoot() {
		return os.Chown(dir, pgUser, pgUser)
	}
	return nil
}

// pgChown gives dir's files to the user postgres runs as.
func pgChown(dir string) error {
	if !asRoot() {
		return nil
	}
	return filepath.WalkDir(dir, func(p string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, pgUser, pgUser)
	})
}

// pgCommand runs one of the server programs in dir, as pgUser when the
// bench runs as root.
func pgCommand(ctx context.Context, dir, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, filepath.Join(hostPGBin, name), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	if asRoot() {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: pgUser, Gid: pgUser}}
	}
	return cmd
}

// pgRun runs one of the server programs to its end; single-user mode
// reports a failed statement on its output, not in its exit status.
func pgRun(ctx context.Context, dir string, stdin *strings.Reader, name string, args ...string) error {
	cmd := pgCommand(ctx, dir, name, args...)
	if stdin != nil {
		cmd.Stdin = stdin
	}
	out, err := cmd.CombinedOutput()
	if err == nil && strings.Contains(string(out), "ERROR") {
		err = errors.New("a statement failed")
	}
	if err != nil {
		return fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// randomWord is a fresh password: letters and digits only.
func randomWord() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
