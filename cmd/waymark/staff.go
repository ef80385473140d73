package main

import (
	"errors"
	"strings"

	"waymark"
)

// accountError says what is wrong with a `user` or `org` command in the
// service's own words (casework checks them, as it does for the pages and
// the API): each field's problem, never a database message.
func accountError(err error) error {
	if err == nil || waymark.ErrorCode(err) == waymark.EINTERNAL {
		return err
	}
	fields := waymark.ErrorFields(err)
	if len(fields) == 0 {
		return errors.New(waymark.ErrorMessage(err))
	}
	msgs := make([]string, len(fields))
	for i, f := range fields {
		msgs[i] = "--" + flagOf(f.Field) + ": " + f.Message
	}
	return errors.New(strings.Join(msgs, "; "))
}

func flagOf(field string) string {
	if field == "organisation" {
		return "org"
	}
	return field
}
