// Package buildinfo says which build of Waymark is running, for
// `waymark version`, logs and metrics.
package buildinfo

import (
	"runtime/debug"
	"sync"
)

var (
	release string
	once    sync.Once
	version string
)

// SetRelease records the release the program was built as (the main
// package's version, set with -ldflags "-X main.version=v1.2.3"). Call it
// before Version; "" leaves the version to the build's own record.
func SetRelease(v string) { release = v }

// Version is the release set by SetRelease or, without one, the commit the
// binary was built from as Go recorded it ("a1b2c3d4e5f6", "+modified"
// when the work tree had uncommitted changes), else the module's version,
// else "devel" (a build from source that is no release), or "unknown" without build information.
func Version() string {
	once.Do(func() { version = fromBuild(release) })
	return version
}

func fromBuild(release string) string {
	if release != "" {
		return release
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	var rev, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = "+modified"
			}
		}
	}
	if rev != "" {
		return rev[:min(12, len(rev))] + modified
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	return "devel" // a build from source with neither a release nor version control information: not a release
}
