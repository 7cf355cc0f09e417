package challenges

import (
	"cmp"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/gradebox/grader/grader"
)

var (
	idPattern   = regexp.MustCompile(`^[a-z][a-z0-9-]{1,40}$`)
	namePattern = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)
	envPattern  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

// Ranges of the values challenge.yaml may set.
const (
	maxPoints   = 1000
	minPort     = 1024
	maxPort     = 65535
	maxDelay    = 10 * time.Second
	defaultPort = 8080
)

// Default fixture settings.
const (
	defaultRedisPort    = 6379
	defaultPostgresPort = 5432
	defaultUpstreamPort = 9000
	defaultDelay        = 200 * time.Millisecond
)

// reservedEnv are variables the grader sets itself; names starting with GO
// (the toolchain's) and GRADER_ are reserved as well.
var reservedEnv = map[string]bool{"HOME": true, "PATH": true, "TMPDIR": true, "PORT": true, "REDIS_ADDR": true, "UPSTREAM_URL": true, "DATABASE_URL": true}

// reservedHosts cannot be fixture names: "app" is how a step targets the
// learner's service.
var reservedHosts = map[string]bool{"app": true, "localhost": true}

// bad records a problem in challenge.yaml.
func (l *loader) bad(field, fix, format string, args ...any) {
	l.add(yamlName, field, fix, format, args...)
}

// convert validates the parsed challenge.yaml and builds the Challenge
// with every default applied.
func (l *loader) convert(cf challengeFile) *grader.Challenge {
	c := &grader.Challenge{
		ID:         cf.ID,
		Title:      strings.TrimSpace(cf.Title),
		Summary:    strings.TrimSpace(cf.Summary),
		Difficulty: cf.Difficulty,
		Tags:       l.tags(cf.Tags),
		Image:      cf.Image,
		// The cache is on unless result_cache: false.
		NoResultCache: cf.ResultCache != nil && !*cf.ResultCache,
	}
	l.identity(cf, c)
	if c.Image == "" {
		c.Image = DefaultImage
	} else if strings.ContainsAny(c.Image, " \t\n") {
		l.bad("image", "write an image reference such as grader/go:local, or leave it out", "%q is not an image reference", c.Image)
	}
	c.Limits = l.limits(cf.Limits)
	c.Env = l.env(cf.Env)

	hasHTTP := false
	for _, s := range cf.Suites {
		hasHTTP = hasHTTP || s.Kind == string(grader.SuiteHTTP)
	}
	c.Languages = l.languages(cf, hasHTTP)
	switch {
	case hasHTTP && cf.Service == nil:
		l.bad("service", "add a service section (main, port, ready_path) telling how the learner's program is started", "is missing; the http suite needs it")
	case !hasHTTP && cf.Service != nil:
		l.bad("service", "remove it, or add an http suite", "is set, but only http suites start a service")
	case cf.Service != nil:
		c.Service = l.service(*cf.Service)
	}
	if len(cf.Fixtures) > 0 && !hasHTTP {
		l.bad("fixtures", "remove them, or add an http suite", "are set, but fixtures run only beside an http suite's service")
	}
	c.Fixtures = l.fixtures(cf.Fixtures, c.Service)

	if len(cf.Suites) == 0 {
		l.bad("suites", "add at least one go or http suite", "missing")
	}
	seen := map[string]bool{}
	for i, sf := range cf.Suites {
		field := fmt.Sprintf("suites[%d]", i)
		switch {
		case !namePattern.MatchString(sf.Name):
			l.bad(field+".name", "use lower-case letters, digits and dashes, starting with a letter", "%q is not a valid suite name", sf.Name)
		case seen[sf.Name]:
			l.bad(field+".name", "give each suite its own name", "%q is used twice", sf.Name)
		}
		seen[sf.Name] = true
		if s, ok := l.suite(field, sf, c.Fixtures, c.Limits); ok {
			c.Suites = append(c.Suites, s)
		}
	}
	l.suiteLanguages(c)
	// Only a challenge without other problems has all its tests known.
	if len(l.p.list) == 0 && len(c.Suites) > 0 && c.MaxScore() == 0 {
		l.bad("suites", "give some tests points, or the reference solution's full marks prove nothing", "every test is worth 0 points")
	}
	return c
}

// identity checks id, title, summary and difficulty.
func (l *loader) identity(cf challengeFile, c *grader.Challenge) {
	switch {
	case cf.ID == "":
		l.bad("id", "add the challenge's id, the same as its folder name", "missing")
	case !idPattern.MatchString(cf.ID):
		l.bad("id", "use 2 to 41 lower-case letters, digits and dashes, starting with a letter", "%q is not a valid id", cf.ID)
	case l.folder != "" && l.folder != cf.ID:
		l.bad("id", fmt.Sprintf("rename the folder to %s or set id: %s", cf.ID, l.folder), "%q does not match the folder name %q", cf.ID, l.folder)
	}
	oneLine := func(field, value, fix string) {
		switch {
		case value == "":
			l.bad(field, fix, "missing")
		case strings.Contains(value, "\n"):
			l.bad(field, "keep it on one line; details belong in README.md", "spans several lines")
		}
	}
	oneLine("title", c.Title, "give the challenge a title")
	oneLine("summary", c.Summary, "add a one-line summary")
	switch cf.Difficulty {
	case "easy", "medium", "hard":
	case "":
		l.bad("difficulty", "use easy, medium or hard", "missing")
	default:
		l.bad("difficulty", "use easy, medium or hard", "%q is not a difficulty", cf.Difficulty)
	}
}

// tags checks the tags and never returns nil, so lists show [].
func (l *loader) tags(tags []string) []string {
	out := make([]string, 0, len(tags))
	seen := map[string]bool{}
	for i, t := range tags {
		t = strings.TrimSpace(t)
		field := fmt.Sprintf("tags[%d]", i)
		switch {
		case t == "":
			l.bad(field, "remove the empty tag", "is empty")
		case seen[t]:
			l.bad(field, "remove the duplicate", "%q is listed twice", t)
		default:
			out = append(out, t)
		}
		seen[t] = true
	}
	return out
}

// limits parses the limits, checks their ranges and applies defaults.
func (l *loader) limits(lf limitsFile) grader.Limits {
	var out grader.Limits
	dur := func(field, s string, lo, hi time.Duration) time.Duration {
		if s == "" {
			return 0
		}
		d, err := time.ParseDuration(s)
		switch {
		case err != nil:
			l.bad("limits."+field, "write a Go duration such as 30s, 1m30s or 500ms", "%q is not a duration", s)
			return 0
		case d < lo || d > hi:
			l.bad("limits."+field, fmt.Sprintf("use a value from %s to %s", lo, hi), "%s is out of range", s)
			return 0
		}
		return d
	}
	size := func(field, s string, lo, hi int64) int64 {
		if s == "" {
			return 0
		}
		n, err := ParseSize(s)
		switch {
		case err != nil:
			l.bad("limits."+field, "write it with a binary unit, e.g. "+FormatSize(grader.DefaultLimits().MemoryBytes), "%q is not a size", s)
			return 0
		case n < lo || n > hi:
			l.bad("limits."+field, fmt.Sprintf("use a value from %s to %s", FormatSize(lo), FormatSize(hi)), "%s is out of range", s)
			return 0
		}
		return n
	}
	out.BuildTimeout = dur("build_timeout", lf.BuildTimeout, time.Second, 10*time.Minute)
	out.RunTimeout = dur("run_timeout", lf.RunTimeout, time.Second, 10*time.Minute)
	out.TestTimeout = dur("test_timeout", lf.TestTimeout, 100*time.Millisecond, 2*time.Minute)
	out.ReadyTimeout = dur("ready_timeout", lf.ReadyTimeout, time.Second, 2*time.Minute)
	out.MemoryBytes = size("memory", lf.Memory, 32<<20, 8<<30)
	out.OutputBytes = size("output", lf.Output, 1<<10, 64<<20)
	out.TmpfsBytes = size("tmpfs", lf.Tmpfs, 1<<20, 1<<30)
	if lf.CPUs != nil {
		if cpus := *lf.CPUs; !(cpus > 0 && cpus <= 4) {
			l.bad("limits.cpus", "use a number above 0 and at most 4, e.g. 0.5 or 2", "%v is out of range", cpus)
		} else {
			out.CPUs = cpus
		}
	}
	if lf.Pids != nil {
		if pids := *lf.Pids; pids < 16 || pids > 4096 {
			l.bad("limits.pids", "use a value from 16 to 4096", "%d is out of range", pids)
		} else {
			out.Pids = pids
		}
	}
	return out.WithDefaults()
}

// env checks the variables learner code gets; nil when there are none.
func (l *loader) env(env map[string]string) map[string]string {
	if len(env) == 0 {
		return nil
	}
	names := make([]string, 0, len(env))
	for k := range env {
		names = append(names, k)
	}
	sort.Strings(names)
	out := make(map[string]string, len(env))
	for _, k := range names {
		v := env[k]
		switch {
		case !envPattern.MatchString(k):
			l.bad("env."+k, "use letters, digits and underscores, not starting with a digit", "%q is not a valid variable name", k)
		case reservedEnv[k] || strings.HasPrefix(k, "GO") || strings.HasPrefix(k, "GRADER_"):
			l.bad("env."+k, "pick another name; HOME, PATH, TMPDIR, PORT, REDIS_ADDR, UPSTREAM_URL, GO* and GRADER_* are the grader's", "%s is set by the grader itself", k)
		case strings.ContainsRune(v, 0):
			l.bad("env."+k, "remove the NUL character", "the value holds a NUL character")
		default:
			out[k] = v
		}
	}
	return out
}

// service applies the service defaults and checks them.
func (l *loader) service(sf serviceFile) *grader.Service {
	s := &grader.Service{Main: ".", Port: defaultPort, ReadyPath: "/"}
	if sf.Main != "" {
		if p, ok := insideModule(sf.Main); ok {
			s.Main = p
		} else {
			l.bad("service.main", "name a folder inside the submission, e.g. . or cmd/server", "%q is not a folder inside the submission", sf.Main)
		}
	}
	if sf.Port != nil {
		s.Port = *sf.Port
		if s.Port < minPort || s.Port > maxPort {
			l.bad("service.port", fmt.Sprintf("use a port from %d to %d (the service runs unprivileged)", minPort, maxPort), "%d is out of range", s.Port)
		}
	}
	if sf.ReadyPath != "" {
		s.ReadyPath = sf.ReadyPath
		if !strings.HasPrefix(s.ReadyPath, "/") || strings.ContainsAny(s.ReadyPath, " \t\n") {
			l.bad("service.ready_path", "write a path starting with /, e.g. /healthz", "%q is not a path", s.ReadyPath)
		}
	}
	return s
}

// insideModule cleans a folder path of the submission ("." for its root)
// and reports whether it stays inside.
func insideModule(p string) (string, bool) {
	if strings.HasPrefix(p, "/") || strings.Contains(p, `\`) {
		return "", false
	}
	clean := path.Clean(p)
	if clean == ".." || strings.HasPrefix(clean, "../") {
		return "", false
	}
	return clean, true
}

// fixtures applies the fixture defaults and checks names, kinds, ports
// and delays. Everything in a job shares one network namespace, so ports
// must differ from the service's and from each other.
func (l *loader) fixtures(list []fixtureFile, svc *grader.Service) []grader.Fixture {
	var out []grader.Fixture
	names := map[string]bool{}
	kinds := map[grader.FixtureKind]string{}
	ports := map[int]string{}
	if svc != nil {
		ports[svc.Port] = "the service"
	}
	for i, f := range list {
		field := fmt.Sprintf("fixtures[%d]", i)
		fx := grader.Fixture{Name: f.Name, Kind: grader.FixtureKind(f.Kind)}
		switch {
		case !namePattern.MatchString(f.Name):
			l.bad(field+".name", "use lower-case letters, digits and dashes, starting with a letter; learner code uses it as a host name", "%q is not a valid fixture name", f.Name)
		case reservedHosts[f.Name]:
			l.bad(field+".name", "pick another name; app means the learner's service in steps", "%q is reserved", f.Name)
		case names[f.Name]:
			l.bad(field+".name", "give each fixture its own name", "%q is used twice", f.Name)
		}
		names[f.Name] = true
		switch fx.Kind {
		case grader.FixtureRedis:
			fx.Port = defaultRedisPort
			if f.Delay != "" {
				l.bad(field+".delay", "remove it; only upstream fixtures have a delay", "is set on a redis fixture")
			}
		case grader.FixturePostgres:
			fx.Port = defaultPostgresPort
			if f.Delay != "" {
				l.bad(field+".delay", "remove it; only upstream fixtures have a delay", "is set on a postgres fixture")
			}
			fx.Schema = l.sqlFile(field+".schema", f.Schema)
			fx.Seed = l.sqlFile(field+".seed", f.Seed)
		case grader.FixtureUpstream:
			fx.Port = defaultUpstreamPort
			fx.Delay = defaultDelay
			if f.Delay != "" {
				d, err := time.ParseDuration(f.Delay)
				if err != nil || d < 0 || d > maxDelay {
					l.bad(field+".delay", fmt.Sprintf("write a duration from 0s to %s, e.g. 300ms", maxDelay), "%q is not a valid delay", f.Delay)
				} else {
					fx.Delay = d
				}
			}
		case "":
			l.bad(field+".kind", "use redis, postgres or upstream", "missing")
		default:
			l.bad(field+".kind", "use redis, postgres or upstream", "%q is not a fixture kind", f.Kind)
		}
		if fx.Kind != grader.FixturePostgres && (f.Schema != "" || f.Seed != "") {
			l.bad(field, "remove schema and seed; only postgres fixtures run SQL", "schema or seed is set on a %s fixture", cmp.Or(f.Kind, "kindless"))
		}
		if other, dup := kinds[fx.Kind]; dup && fx.Kind != "" {
			l.bad(field+".kind", "keep one fixture of each kind; the service finds it through one variable (REDIS_ADDR, DATABASE_URL or UPSTREAM_URL)", "a second %s fixture (the first is %s)", fx.Kind, other)
		}
		kinds[fx.Kind] = f.Name
		if f.Port != nil {
			fx.Port = *f.Port
		}
		switch {
		case fx.Port == 0 && f.Port == nil:
			// An unknown kind has no default port; that is reported above.
		case fx.Port < minPort || fx.Port > maxPort:
			l.bad(field+".port", fmt.Sprintf("use a port from %d to %d", minPort, maxPort), "%d is out of range", fx.Port)
		case ports[fx.Port] != "":
			l.bad(field+".port", "give it another port: the service and its fixtures share one network namespace", "%d is already used by %s", fx.Port, ports[fx.Port])
		default:
			ports[fx.Port] = "fixture " + f.Name
		}
		out = append(out, fx)
	}
	return out
}

// visibility reads a visibility, def when unset.
func (l *loader) visibility(file, field, v string, def grader.Visibility) grader.Visibility {
	switch v {
	case "":
		return def
	case string(grader.Visible), string(grader.Hidden):
		return grader.Visibility(v)
	}
	l.add(file, field, "use visible or hidden", "%q is not a visibility", v)
	return def
}

// points reads a number of points, def when unset.
func (l *loader) points(file, field string, p *int, def int) int {
	if p == nil {
		return def
	}
	if *p < 0 || *p > maxPoints {
		l.add(file, field, fmt.Sprintf("use a whole number from 0 to %d", maxPoints), "%d is out of range", *p)
		return def
	}
	return *p
}

// suite checks one suite and builds it with its tests; ok is false when
// it is too broken to convert.
func (l *loader) suite(field string, sf suiteFile, fixtures []grader.Fixture, limits grader.Limits) (grader.Suite, bool) {
	s := grader.Suite{Name: sf.Name, Kind: grader.SuiteKind(sf.Kind)}
	vis := l.visibility(yamlName, field+".visibility", sf.Visibility, grader.Hidden)
	switch s.Kind {
	case grader.SuiteHTTP:
		l.httpSuite(field, sf, vis, fixtures, limits, &s)
	case grader.SuiteGo:
		l.goSuite(field, sf, vis, &s)
	case grader.SuitePytest, grader.SuiteNodeTest:
		l.unitSuite(field, sf, vis, &s)
	case "":
		l.bad(field+".kind", "use go, pytest, node-test or http", "missing")
		return s, false
	default:
		l.bad(field+".kind", "use go, pytest, node-test or http", "%q is not a suite kind", sf.Kind)
		return s, false
	}
	return s, true
}

// hiddenFile checks that name, a path relative to the challenge, is a
// regular file under tests/ with no link on the way there.
func (l *loader) hiddenFile(field, name string) bool {
	clean := path.Clean(name)
	if !strings.HasPrefix(clean, "tests/") || !fs.ValidPath(clean) || clean != name {
		l.bad(field, "write a clean path inside the tests/ folder, e.g. tests/<name>", "%q is not a path under tests/", name)
		return false
	}
	// Check every element, so a linked folder cannot stand in for tests/.
	parts := strings.Split(clean, "/")
	for i := range parts {
		p := strings.Join(parts[:i+1], "/")
		info, err := fs.Lstat(l.fsys, l.fsPath(p))
		if err != nil {
			l.bad(field, "create it, or correct the path", "%s does not exist", name)
			return false
		}
		if info.Mode()&fs.ModeSymlink != 0 {
			l.bad(field, "replace the link with the file or folder itself", "%s is a symbolic link", p)
			return false
		}
		if i == len(parts)-1 && !info.Mode().IsRegular() {
			l.bad(field, "name a regular file", "%s is not a regular file", name)
			return false
		}
	}
	return true
}
