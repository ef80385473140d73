package main

import (
	"errors"
	"flag"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Configuration comes from flags and, for any flag not given on the command
// line, from the environment variable its usage ends with, "(WAYMARK_NAME)".
// The value is parsed by the flag itself (flag.FlagSet.Set), exactly as on
// the command line, so `WAYMARK_SECURE_COOKIES=yes` or
// `WAYMARK_SIGN_IN_RATE_LIMIT=abc` stop the command with a message instead
// of quietly meaning a default. This is the one place the environment is
// read for configuration; new flags only need their usage to end with the
// variable's name (docs/operations.md "Configuration").

// envSecrets are read from the environment only, never from a flag, so that
// they cannot appear in `ps`: each also has a file alternative or is itself a
// file's content. secret refuses any other name.
var envSecrets = []string{
	"WAYMARK_MASTER_KEY",         // or --master-key-file
	"WAYMARK_OIDC_CLIENT_SECRET", // the single sign-on client secret
	"WAYMARK_SMTP_PASSWORD",      // the SMTP relay's password
	"WAYMARK_DATABASE_PASSWORD",  // or --database-password-file
}

// flagOnly are the flags that deliberately have no environment variable: the
// arguments of one administrative action (who to add, which file to check),
// which configuration has no business supplying, and a deprecated flag kept
// so old configurations start. TestEveryFlagHasAnEnvironmentVariable holds
// every other flag to having one.
var flagOnly = map[string]string{
	"email":                 "user commands: the account acted on",
	"name":                  "user add, org add: the name given",
	"role":                  "user add: the role given",
	"org":                   "user add: the organisation",
	"id":                    "org add: the organisation id",
	"kind":                  "org add: the organisation kind",
	"first-responder":       "org add: a property of the organisation added (its First Responder designation)",
	"childrens-services":    "org add: a property of the organisation added",
	"partnership":           "org add: the partnership of the organisation added",
	"partnership-name":      "org add: the name of the partnership it adds",
	"checkpoint":            "verify: the checkpoint files checked",
	"checkpoint-public-key": "verify: the key they are checked with",
	"public-key":            "checkpoint: print the public key only",
	"force":                 "restore: override a refusal, once",
	"dry-run":               "migrate, ho-lists import: list what would be applied",
	"from":                  "ho-lists import: the folder imported",
	"into":                  "ho-lists import: the source folder written",
	"commit":                "ho-lists import: the commit the files came from",
	"date":                  "ho-lists import: that commit's date",
	"create":                "migrate: make the database, once",
	"unwrap-only":           "keys generate: how the printed key is marked",
	"ignore-replicas":       "keys rotate: override a refusal, once",
	"record":                "verify, audit verify: note a clean verification for monitoring (the scheduled run)",
	"secret":                "totp: the demo authenticator secret",
	"in":                    "match dedupe: the file read",
	"left":                  "match link: the first file read",
	"right":                 "match link: the second file read",
	"map":                   "match: the files' column mapping",
	"threshold":             "match: the least probability printed",
	"account-rate-limit":    "deprecated and ignored: kept so old command lines start",
}

var envSuffix = regexp.MustCompile(`\((WAYMARK_[A-Z0-9_]+)[^()]*\)$`)

// flagEnv is the environment variable a flag reads, or "".
func flagEnv(f *flag.Flag) string {
	if m := envSuffix.FindStringSubmatch(f.Usage); m != nil {
		return m[1]
	}
	return ""
}

// parseHook, when set (by tests), sees every FlagSet before it is parsed.
var parseHook func(*flag.FlagSet)

// parseFlags parses args, then sets each flag not given on the command line
// from its environment variable. It returns the names given on the command
// line. A bad value in any variable is an error naming the variable and
// what it accepts; every bad variable is reported at once.
func parseFlags(fs *flag.FlagSet, args []string, getenv func(string) string) (map[string]bool, error) {
	if parseHook != nil {
		parseHook(fs)
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if getenv == nil {
		return given, nil
	}
	var errs []error
	fs.VisitAll(func(f *flag.Flag) {
		name := flagEnv(f)
		if given[f.Name] || name == "" {
			return
		}
		v := getenv(name)
		if v == "" {
			return
		}
		if err := fs.Set(f.Name, v); err != nil {
			errs = append(errs, fmt.Errorf("%s=%q is not %s (for --%s)", name, shown(name, v), accepts(f, err), f.Name))
		}
	})
	return given, errors.Join(errs...)
}

// shown is a variable's value as it may be printed.
func shown(name, v string) string {
	if strings.Contains(name, "PASSWORD") || strings.Contains(name, "SECRET") || name == "WAYMARK_DATABASE_URL" {
		return redactDatabase(v)
	}
	return v
}

// flagKind is the kind of value a flag takes: "bool", "duration",
// "number" or "text".
func flagKind(f *flag.Flag) string {
	if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
		return "bool"
	}
	switch fmt.Sprintf("%T", f.Value) {
	case "*flag.durationValue":
		return "duration"
	case "*flag.intValue", "*flag.int64Value", "*flag.uintValue", "*flag.uint64Value":
		return "number"
	}
	return "text"
}

// accepts says what a flag's value may be.
func accepts(f *flag.Flag, err error) string {
	switch flagKind(f) {
	case "bool":
		return "a true/false value: accepted are true, false, 1, 0, t, f, TRUE, FALSE, True, False"
	case "duration":
		return "a duration such as 90s, 15m or 4h"
	case "number":
		return "a whole number"
	}
	return "accepted: " + err.Error()
}

// parse is parseFlags for a command with the shared configuration: it
// remembers what was given and where usage and notices go. After an error
// in the environment alone, c.cmdline is set (check lists it and goes on).
func (c *config) parse(fs *flag.FlagSet, args []string) error {
	cmdline, err := parseFlags(fs, args, c.getenv)
	if cmdline == nil {
		return err
	}
	c.cmdline = cmdline
	c.given = map[string]bool{}
	fs.Visit(func(f *flag.Flag) { c.given[f.Name] = true })
	c.out = fs.Output()
	return err
}

// secret is one of envSecrets.
func (c *config) secret(name string) string {
	if !slices.Contains(envSecrets, name) {
		panic("waymark: " + name + " is not an environment-only secret")
	}
	if c.getenv == nil {
		return ""
	}
	return c.getenv(name)
}
