package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"unicode"

	"waymark/internal/store"
)

// The database setting (docs/operations.md "Configuration"): a SQLite file
// path, "sqlite:PATH", or a postgres:// (postgresql://) URL. Anything else
// is refused rather than taken for a file name: a libpq "host=… dbname=…"
// string once became a new, empty SQLite file of that name, and every
// administrative command then reported on nothing (issue 9, finding 1).

type databaseConfig struct {
	passwordFile string
	maxConns     int
}

func (c *config) databaseFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.db.passwordFile, "database-password-file", "", "file holding the PostgreSQL password (mode 0600), merged into the database URL so it is never on a command line; or set WAYMARK_DATABASE_PASSWORD (WAYMARK_DATABASE_PASSWORD_FILE)")
	fs.IntVar(&c.db.maxConns, "db-max-conns", 0, "most database connections this process opens, 1 to 1000; 0 means 20 for PostgreSQL, 3 for SQLite (one of them for writes; 4 for a check that opens the file read-only) (WAYMARK_DB_MAX_CONNS)")
}

// libpqKey matches a libpq keyword/value connection string.
var libpqKey = regexp.MustCompile(`(?i)(^|\s)(host|hostaddr|port|dbname|user|password|passfile|sslmode|service|connect_timeout|options|application_name)\s*=`)

// scheme matches a URL scheme (or "file:"), but not a Windows drive letter.
var scheme = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]+:`)

func isPostgres(u string) bool {
	return strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://")
}

// classifyDatabase says which database a --database value names: the URL
// or path to open, or an error saying what is accepted.
func classifyDatabase(v string) (store.Dialect, string, error) {
	const accepted = "give a SQLite file path (or sqlite:PATH), or a postgres://USER@HOST:PORT/DBNAME URL with the password in WAYMARK_DATABASE_PASSWORD or --database-password-file"
	switch {
	case v != strings.TrimSpace(v) && strings.TrimSpace(v) != "":
		// A stray space before a URL once made it a SQLite path.
		return "", "", fmt.Errorf("the database setting %s has spaces or line breaks around it: %s", redactDatabase(strings.TrimSpace(v)), accepted)
	case strings.IndexFunc(v, invisible) >= 0:
		// A byte-order mark or zero-width character (an env file saved by
		// an editor, a URL copied from a web page) once made a URL a SQLite
		// path, and the error about its folder printed its password.
		r := []rune(v)[strings.IndexFunc(v, invisible)]
		return "", "", fmt.Errorf("the database setting has an invisible character (U+%04X) in it; it is not shown, as it may hold a password: %s", r, accepted)
	case !isPostgres(v) && strings.Contains(v, "://"):
		return "", "", fmt.Errorf("the database setting is not a SQLite file path but has \"://\" in it; it is not shown, as it may hold a password: %s", accepted)
	case isPostgres(v):
		u, err := url.Parse(v)
		if err != nil {
			return "", "", fmt.Errorf("the database URL does not parse (%s): %s", redactDatabase(v), accepted)
		}
		if strings.Trim(u.Path, "/") == "" && u.Query().Get("dbname") == "" {
			return "", "", fmt.Errorf("the database URL %s names no database: %s", u.Redacted(), accepted)
		}
		return store.Postgres, v, nil
	case libpqKey.MatchString(v):
		return "", "", errors.New("the database setting looks like a libpq key=value connection string (host=… dbname=…), which Waymark does not take: " + accepted)
	case strings.HasPrefix(v, "sqlite:"):
		p := strings.TrimPrefix(v, "sqlite:")
		if p == "" || strings.HasPrefix(p, "//") || scheme.MatchString(p) || p == ":memory:" {
			return "", "", fmt.Errorf("the database setting %q is not a SQLite file path: %s", v, accepted)
		}
		return store.SQLite, v, nil
	case scheme.MatchString(v):
		s, _, _ := strings.Cut(v, ":")
		return "", "", fmt.Errorf("the database setting starts with %q, which Waymark does not know: %s", s+":", accepted)
	case strings.TrimSpace(v) == "" || strings.HasPrefix(v, ":memory:"):
		return "", "", fmt.Errorf("the database setting %q is not a file path: %s", v, accepted)
	}
	return store.SQLite, v, nil
}

// invisible is a character that does not show where a setting is printed:
// a control or format character (a byte-order mark, a zero-width space).
func invisible(r rune) bool {
	return unicode.In(r, unicode.Cc, unicode.Cf)
}

// redactDatabase is the database setting with any password taken out, for
// messages and logs.
func redactDatabase(v string) string {
	if isPostgres(v) {
		if u, err := url.Parse(v); err == nil {
			q := u.Query()
			if q.Has("password") {
				q.Set("password", "xxxxx")
				u.RawQuery = q.Encode()
			}
			return u.Redacted()
		}
		return "(an unparseable postgres URL)"
	}
	if libpqKey.MatchString(v) || scheme.MatchString(v) && !strings.HasPrefix(v, "sqlite:") {
		return "(not shown: it may hold a password)"
	}
	return v
}

// databaseLocation is the one line every command prints about the database
// it opened: its dialect and where it is, never a password.
func databaseLocation(u string) string {
	if isPostgres(u) {
		p, err := url.Parse(u)
		if err != nil {
			return "postgres database (unparseable URL)"
		}
		host := p.Host
		if host == "" {
			host = p.Query().Get("host")
		}
		if p.Port() == "" && host != "" && !strings.HasPrefix(host, "/") {
			host += ":5432"
		}
		db := strings.Trim(p.Path, "/")
		if db == "" {
			db = p.Query().Get("dbname")
		}
		if sp := p.Query().Get("search_path"); sp != "" {
			return fmt.Sprintf("postgres database %s/%s (schema %s)", host, db, sp)
		}
		return fmt.Sprintf("postgres database %s/%s", host, db)
	}
	path := strings.TrimPrefix(u, "sqlite:")
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	return "sqlite database " + path
}

// databaseURL is the database to open. For SQLite it makes the data folder
// (0700) when missing, for a command that may make the database, and refuses a folder that other users can read: it
// holds the database, its write-ahead log and, often, backups. For
// PostgreSQL it merges in the password from the file or the environment.
func (c *config) databaseURL() (string, error) {
	if c.database != "" {
		dialect, u, err := classifyDatabase(c.database)
		if err != nil {
			return "", err
		}
		if dialect == store.Postgres {
			return c.postgresURL(u)
		}
		if c.db.passwordFile != "" {
			return "", errors.New("--database-password-file is for a PostgreSQL database, and this is a SQLite file")
		}
		return u, ownerOnlyFolder(filepath.Dir(strings.TrimPrefix(u, "sqlite:")))
	}
	if _, err := os.Stat(c.dataDir); errors.Is(err, os.ErrNotExist) {
		if c.schema.policy != schemaCreate {
			// Nothing is there to open: opening says so (no Waymark database
			// at …), and a command that may not make a database makes no
			// folder either (restore makes its own).
			return filepath.Join(c.dataDir, "waymark.db"), nil
		}
		if err := os.MkdirAll(c.dataDir, 0o700); err != nil {
			return "", fmt.Errorf("creating data folder: %w", err)
		}
		if err := os.Chmod(c.dataDir, 0o700); err != nil { // whatever the umask
			return "", fmt.Errorf("creating data folder: %w", err)
		}
	}
	return filepath.Join(c.dataDir, "waymark.db"), ownerOnlyFolder(c.dataDir)
}

// postgresURL merges the password from --database-password-file or
// WAYMARK_DATABASE_PASSWORD into u, and refuses u when it carries one given
// on the command line, where every user of the machine can read it (ps).
func (c *config) postgresURL(u string) (string, error) {
	p, err := url.Parse(u)
	if err != nil {
		return "", fmt.Errorf("the database URL does not parse (%s)", redactDatabase(u))
	}
	_, inURL := p.User.Password()
	inURL = inURL || p.Query().Has("password")
	pw, from := "", ""
	switch {
	case c.db.passwordFile != "":
		info, err := os.Stat(c.db.passwordFile)
		if err != nil {
			return "", fmt.Errorf("--database-password-file: %w", err)
		}
		if info.Mode().Perm()&0o077 != 0 {
			return "", fmt.Errorf("the database password file %s can be read by other users (mode %04o): run `chmod 600 %s`", c.db.passwordFile, info.Mode().Perm(), c.db.passwordFile)
		}
		b, err := os.ReadFile(c.db.passwordFile)
		if err != nil {
			return "", fmt.Errorf("--database-password-file: %w", err)
		}
		pw, from = strings.TrimRight(string(b), "\r\n"), "--database-password-file"
		if pw == "" {
			return "", fmt.Errorf("the database password file %s is empty", c.db.passwordFile)
		}
	case c.secret("WAYMARK_DATABASE_PASSWORD") != "":
		pw, from = c.secret("WAYMARK_DATABASE_PASSWORD"), "WAYMARK_DATABASE_PASSWORD"
	}
	if inURL && pw != "" {
		return "", fmt.Errorf("the database URL carries a password and %s gives another: keep it in one place, %s", from, from)
	}
	if inURL && c.cmdline["database"] {
		// Refused, not warned about: a service keeps its command line for
		// as long as it runs, readable by every user of the machine (ps).
		return "", errors.New("refusing a database password on the command line, where anyone on this machine can read it (ps): " +
			"take it out of --database and put it in WAYMARK_DATABASE_PASSWORD, in a file named by --database-password-file (mode 0600), or keep the whole URL in WAYMARK_DATABASE_URL")
	}
	if pw != "" {
		user := ""
		if p.User != nil {
			user = p.User.Username()
		}
		if user == "" {
			return "", fmt.Errorf("the database URL %s names no user for the password in %s: postgres://USER@HOST:PORT/DBNAME", p.Redacted(), from)
		}
		p.User = url.UserPassword(user, pw)
	}
	return p.String(), nil
}

// maxConns is the connection pool size for the dialect, validated.
func (c *config) maxConns() (int, error) {
	n := c.db.maxConns
	if n < 0 || n > 1000 || n == 0 && c.given["db-max-conns"] {
		return 0, fmt.Errorf("--db-max-conns must be between 1 and 1000, not %d", n)
	}
	return n, nil
}

// requirePartnership refuses an administrative command on a database that
// holds no organisations: with no database setting, or the wrong one, a
// command checks or rotates nothing and says all is well, and an operator
// who believed it could retire the key every case needs.
func requirePartnership(ctx context.Context, db *store.DB, where string) error {
	n, err := countOrganisations(ctx, db)
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("the %s holds no partnership (no organisations), so this command has nothing to act on: "+
			"is it the right database? Point at yours with --database or WAYMARK_DATABASE_URL (a SQLite file, or postgres://USER@HOST:PORT/DBNAME), "+
			"or --data for the folder of a SQLite database; a new partnership starts with `waymark org add`", where)
	}
	return nil
}

func countOrganisations(ctx context.Context, db *store.DB) (int, error) {
	var n int
	if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM organisations`).Scan(&n); err != nil {
		return 0, fmt.Errorf("counting organisations: %w", err)
	}
	return n, nil
}
