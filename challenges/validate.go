package challenges

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gradebox/grader/grader"
)

var (
	idPattern   = regexp.MustCompile(`^[a-z][a-z0-9-]{1,40}$`)
	namePattern = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)
	envPattern  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

// reservedEnv are variables the grader sets itself.
var reservedEnv = map[string]bool{"HOME": true, "PATH": true, "TMPDIR": true, "PORT": true, "REDIS_ADDR": true, "UPSTREAM_URL": true}

// convert validates the parsed challenge.yaml and builds the Challenge.
func (l *loader) convert(file string, cf challengeFile) *grader.Challenge {
	c := &grader.Challenge{
		ID: cf.ID, Title: strings.TrimSpace(cf.Title), Summary: strings.TrimSpace(cf.Summary),
		Difficulty: cf.Difficulty, Tags: cf.Tags, Image: cf.Image, Env: cf.Env,
	}
	if c.Tags == nil {
		c.Tags = []string{}
	}
	folder := l.dir
	if folder == "." {
		folder = strings.TrimSuffix(strings.TrimSuffix(l.shown, "/"), "\\")
	}
	switch {
	case !idPattern.MatchString(cf.ID):
		l.p.add(file, "id", "use 2-41 lower-case letters, digits and dashes, starting with a letter", "%q is not a valid id", cf.ID)
	case lastElem(folder) != cf.ID && lastElem(folder) != ".":
		l.p.add(file, "id", fmt.Sprintf("rename the folder to %s or the id to %s", cf.ID, lastElem(folder)), "%q does not match the folder name %q", cf.ID, lastElem(folder))
	}
	if c.Title == "" {
		l.p.add(file, "title", "give the challenge a title", "missing")
	}
	if c.Summary == "" {
		l.p.add(file, "summary", "add a one-line summary", "missing")
	}
	switch cf.Difficulty {
	case "easy", "medium", "hard":
	default:
		l.p.add(file, "difficulty", "use easy, medium or hard", "%q is not a difficulty", cf.Difficulty)
	}
	if c.Image == "" {
		c.Image = DefaultImage
	}
	c.Limits = l.limits(file, cf.Limits)
	for k := range cf.Env {
		switch {
		case !envPattern.MatchString(k):
			l.p.add(file, "env."+k, "use letters, digits and underscores", "%q is not a valid variable name", k)
		case reservedEnv[k] || strings.HasPrefix(k, "GO") || strings.HasPrefix(k, "GRADER_"):
			l.p.add(file, "env."+k, "pick another name", "%s is set by the grader itself", k)
		}
	}
	hasHTTP := false
	for _, s := range cf.Suites {
		hasHTTP = hasHTTP || s.Kind == string(grader.SuiteHTTP)
	}
	switch {
	case hasHTTP && cf.Service == nil:
		l.p.add(file, "service", "add a service section (main, port, ready_path)", "required by the http suite")
	case !hasHTTP && cf.Service != nil:
		l.p.add(file, "service", "remove it, or add an http suite", "only http suites start a service")
	case cf.Service != nil:
		c.Service = l.service(file, *cf.Service)
	}
	if len(cf.Fixtures) > 0 && !hasHTTP {
		l.p.add(file, "fixtures", "remove them, or add an http suite", "fixtures run only beside an http suite's service")
	}
	c.Fixtures = l.fixtures(file, cf.Fixtures, c.Service)
	if len(cf.Suites) == 0 {
		l.p.add(file, "suites", "add at least one go or http suite", "missing")
	}
	seen := map[string]bool{}
	for i, s := range cf.Suites {
		field := fmt.Sprintf("suites[%d]", i)
		if !namePattern.MatchString(s.Name) {
			l.p.add(file, field+".name", "use lower-case letters, digits and dashes, starting with a letter", "%q is not a valid suite name", s.Name)
		} else if seen[s.Name] {
			l.p.add(file, field+".name", "give each suite its own name", "%q is used twice", s.Name)
		}
		seen[s.Name] = true
		if suite, ok := l.suite(file, field, s); ok {
			c.Suites = append(c.Suites, suite)
		}
	}
	return c
}

func lastElem(p string) string {
	p = strings.TrimRight(strings.ReplaceAll(p, "\\", "/"), "/")
	if i := strings.LastIndex(p, "/"); i >= 0 {
		return p[i+1:]
	}
	return p
}

// limits applies defaults and range checks.
func (l *loader) limits(file string, lf limitsFile) grader.Limits {
	out := grader.Limits{}
	dur := func(field, s string, lo, hi time.Duration) time.Duration {
		if s == "" {
			return 0
		}
		d, err := time.ParseDuration(s)
		if err != nil {
			l.p.add(file, "limits."+field, "write a duration such as 30s or 1m30s", "%q is not a duration", s)
			return 0
		}
		if d < lo || d > hi {
			l.p.add(file, "limits."+field, fmt.Sprintf("use a value from %s to %s", lo, hi), "%s is out of range", d)
			return 0
		}
		return d
	}
	size := func(field, s string, lo, hi int64) int64 {
		if s == "" {
			return 0
		}
		n, err := ParseSize(s)
		if err != nil {
			l.p.add(file, "limits."+field, "write it with a binary unit, e.g. 512MiB", "%q is not a size", s)
			return 0
		}
		if n < lo || n > hi {
			l.p.add(file, "limits."+field, fmt.Sprintf("use a value from %s to %s", FormatSize(lo), FormatSize(hi)), "%s is out of range", s)
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
		if *lf.CPUs <= 0 || *lf.CPUs > 4 {
			l.p.add(file, "limits.cpus", "use a number above 0 and at most 4", "%v is out of range", *lf.CPUs)
		} else {
			out.CPUs = *lf.CPUs
		}
	}
	if lf.Pids != nil {
		if *lf.Pids < 16 || *lf.Pids > 4096 {
			l.p.add(file, "limits.pids", "use a value from 16 to 4096", "%d is out of range", *lf.Pids)
		} else {
			out.Pids = *lf.Pids
		}
	}
	return out.WithDefaults()
}

func (l *loader) service(file string, sf serviceFile) *grader.Service {
	s := &grader.Service{Main: sf.Main, Port: sf.Port, ReadyPath: sf.ReadyPath}
	if s.Main == "" {
		s.Main = "."
	}
	if strings.HasPrefix(s.Main, "/") || strings.Contains(s.Main, "..") {
		l.p.add(file, "service.main", "name a folder inside the submission, e.g. . or ./cmd/server", "%q leaves the submission", s.Main)
	}
	if s.Port == 0 {
		s.Port = 8080
	}
	if s.Port < 1024 || s.Port > 65535 {
		l.p.add(file, "service.port", "use a port from 1024 to 65535 (the service runs unprivileged)", "%d is out of range", s.Port)
	}
	if s.ReadyPath == "" {
		s.ReadyPath = "/"
	}
	if !strings.HasPrefix(s.ReadyPath, "/") {
		l.p.add(file, "service.ready_path", "start it with /", "%q is not a path", s.ReadyPath)
	}
	return s
}

func (l *loader) fixtures(file string, list []fixtureFile, svc *grader.Service) []grader.Fixture {
	var out []grader.Fixture
	names := map[string]bool{}
	ports := map[int]string{}
	if svc != nil {
		ports[svc.Port] = "the service"
	}
	for i, f := range list {
		field := fmt.Sprintf("fixtures[%d]", i)
		fx := grader.Fixture{Name: f.Name, Kind: grader.FixtureKind(f.Kind), Port: f.Port}
		if !namePattern.MatchString(f.Name) {
			l.p.add(file, field+".name", "use lower-case letters, digits and dashes; learner code uses it as a host name", "%q is not a valid fixture name", f.Name)
		} else if names[f.Name] {
			l.p.add(file, field+".name", "give each fixture its own name", "%q is used twice", f.Name)
		}
		names[f.Name] = true
		switch fx.Kind {
		case grader.FixtureRedis:
			if fx.Port == 0 {
				fx.Port = 6379
			}
			if f.Delay != "" {
				l.p.add(file, field+".delay", "remove it", "only upstream fixtures have a delay")
			}
		case grader.FixtureUpstream:
			if fx.Port == 0 {
				fx.Port = 9000
			}
			fx.Delay = 200 * time.Millisecond
			if f.Delay != "" {
				d, err := time.ParseDuration(f.Delay)
				if err != nil || d < 0 || d > 10*time.Second {
					l.p.add(file, field+".delay", "write a duration from 0s to 10s, e.g. 300ms", "%q is not a valid delay", f.Delay)
				} else {
					fx.Delay = d
				}
			}
		default:
			l.p.add(file, field+".kind", "use redis or upstream", "%q is not a fixture kind", f.Kind)
		}
		if fx.Port < 1024 || fx.Port > 65535 {
			l.p.add(file, field+".port", "use a port from 1024 to 65535", "%d is out of range", fx.Port)
		} else if other, taken := ports[fx.Port]; taken {
			l.p.add(file, field+".port", "give it another port: everything in a job shares one network namespace", "%d is already used by %s", fx.Port, other)
		}
		ports[fx.Port] = "fixture " + f.Name
		out = append(out, fx)
	}
	return out
}

func (l *loader) visibility(file, field, v string, def grader.Visibility) grader.Visibility {
	switch v {
	case "":
		return def
	case string(grader.Visible), string(grader.Hidden):
		return grader.Visibility(v)
	}
	l.p.add(file, field, "use visible or hidden", "%q is not a visibility", v)
	return def
}

func (l *loader) suite(file, field string, sf suiteFile) (grader.Suite, bool) {
	s := grader.Suite{Name: sf.Name, Kind: grader.SuiteKind(sf.Kind), Race: sf.Race}
	vis := l.visibility(file, field+".visibility", sf.Visibility, grader.Hidden)
	switch s.Kind {
	case grader.SuiteHTTP:
		if sf.File == "" {
			l.p.add(file, field+".file", "name the test file, e.g. tests/api.yaml", "missing")
			return s, false
		}
		if len(sf.Files) > 0 || sf.Package != "" || sf.Race || len(sf.Tests) > 0 || sf.Points != nil {
			l.p.add(file, field, "remove files, package, race, points and tests; an http suite's tests live in its file", "has go suite fields")
		}
		if !l.underTests(file, field+".file", sf.File) {
			return s, false
		}
		s.Tests = l.httpTests(sf.File, vis)
	case grader.SuiteGo:
		if sf.File != "" {
			l.p.add(file, field+".file", "use files: [tests/x_test.go] for a go suite", "file is for http suites")
		}
		s.Package = sf.Package
		if s.Package == "" {
			s.Package = "."
		}
		if strings.HasPrefix(s.Package, "/") || strings.Contains(s.Package, "..") {
			l.p.add(file, field+".package", "name a folder inside the submission", "%q leaves the submission", s.Package)
		}
		points := 1
		if sf.Points != nil {
			if *sf.Points < 0 || *sf.Points > 1000 {
				l.p.add(file, field+".points", "use 0 to 1000", "%d is out of range", *sf.Points)
			} else {
				points = *sf.Points
			}
		}
		if len(sf.Files) == 0 {
			l.p.add(file, field+".files", "list the hidden test files, e.g. [tests/ledger_test.go]", "missing")
			return s, false
		}
		s.Files = map[string][]byte{}
		for j, name := range sf.Files {
			f := fmt.Sprintf("%s.files[%d]", field, j)
			if !strings.HasSuffix(name, "_test.go") {
				l.p.add(file, f, "name hidden go test files *_test.go", "%q is not a test file", name)
				continue
			}
			if !l.underTests(file, f, name) {
				continue
			}
			data, err := l.read(name)
			if err != nil {
				continue
			}
			s.Files[name] = data
		}
		s.Tests = l.goTests(file, field, sf, s.Files, points, vis)
	default:
		l.p.add(file, field+".kind", "use go or http", "%q is not a suite kind", sf.Kind)
		return s, false
	}
	if len(s.Tests) == 0 {
		l.p.add(file, field, "add tests", "the suite has no tests")
	}
	return s, true
}

// underTests checks that name is a regular file under tests/.
func (l *loader) underTests(file, field, name string) bool {
	if !strings.HasPrefix(name, "tests/") || strings.Contains(name, "..") {
		l.p.add(file, field, "keep hidden tests under tests/", "%q is not under tests/", name)
		return false
	}
	info, err := statNoFollow(l, name)
	if err != nil {
		l.p.add(file, field, "create it, or fix the path", "%s does not exist", name)
		return false
	}
	if !info.Mode().IsRegular() {
		l.p.add(file, field, "replace it with a regular file", "%s is not a regular file", name)
		return false
	}
	return true
}

// ParseSize reads sizes such as 512MiB, 64KiB, 1GiB or 1024B.
func ParseSize(s string) (int64, error) {
	units := []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}}
	for _, u := range units {
		if strings.HasSuffix(s, u.suffix) {
			n, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), 10, 64)
			if err != nil || n < 0 {
				return 0, fmt.Errorf("bad size %q", s)
			}
			return n * u.mult, nil
		}
	}
	return 0, fmt.Errorf("bad size %q: use B, KiB, MiB or GiB", s)
}

// FormatSize writes n with the largest exact binary unit.
func FormatSize(n int64) string {
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n%u.mult == 0 && n >= u.mult {
			return strconv.FormatInt(n/u.mult, 10) + u.suffix
		}
	}
	return strconv.FormatInt(n, 10) + "B"
}
