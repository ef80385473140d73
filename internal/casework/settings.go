package casework

import (
	"context"
	"fmt"

	"waymark"
	"waymark/internal/pathway"
	"waymark/internal/store"
)

// The partnership's dated settings (pathway/settings.go): whether it is a
// Devolved Decision Making pilot site and the like. They hold no case data.

// ActionSettingChanged is the audit action of recording a dated change.
const ActionSettingChanged = "partnership.setting_changed"

// ErrSettingsManagers refuses a settings change to anyone else.
var ErrSettingsManagers = waymark.Errorf(waymark.EFORBIDDEN,
	"Only an administrator or the partnership lead, signed in to Waymark in person, changes the partnership's settings.")

// ManagesSettings: administrators and the partnership lead record the
// partnership's dated settings, signed in in person (not with an API token
// or as a machine client).
func (v Viewer) ManagesSettings() bool {
	return v.Client == nil && v.Scopes == nil && pathway.KeepsPartnershipRecords(v.User.Role)
}

// Settings returns the setting history of the viewer's partnership, for
// rules that ask what a setting was on a day. Anyone signed in may ask of
// their own partnership's: it is no case data. Another partnership's are
// not theirs to read.
func (s *Service) Settings(ctx context.Context, v Viewer) (pathway.DatedSettings, error) {
	var out pathway.DatedSettings
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		mine, err := viewerPartnership(tx, v)
		if err != nil {
			return err
		}
		out, err = tx.Settings(mine)
		return err
	})
	return out, err
}

// SettingHistory is the history for the settings page and API: those who
// manage the settings only.
func (s *Service) SettingHistory(ctx context.Context, v Viewer) (pathway.DatedSettings, error) {
	if !v.ManagesSettings() {
		return nil, ErrSettingsManagers
	}
	return s.Settings(ctx, v)
}

// RecordSetting appends a dated change to the viewer's partnership's
// settings (never another's): the
// change takes effect from the start of c.From and may be in the past
// (recording when the partnership joined a pilot) or the future. Nothing is
// overwritten; audited with the key, value and date.
func (s *Service) RecordSetting(ctx context.Context, v Viewer, c pathway.SettingChange) (pathway.SettingChange, error) {
	if !v.ManagesSettings() {
		return c, ErrSettingsManagers
	}
	c, err := pathway.CheckSettingChange(c, s.now())
	if err != nil {
		return c, err
	}
	c.RecordedBy, c.RecordedAt = v.User.ID, s.now()
	err = s.DB.Update(ctx, func(tx *store.Tx) error {
		mine, err := viewerPartnership(tx, v)
		if err != nil {
			return err
		}
		if mine == "" {
			return ErrSettingsManagers
		}
		if c, err = tx.AppendSetting(mine, c); err != nil {
			return err
		}
		return tx.AppendAudit(s.auditEntry(v, "", ActionSettingChanged, fmt.Sprintf("%s is %q from %s", c.Key, c.Value, c.From)))
	})
	return c, err
}

// PartnershipName is the name of the viewer's own partnership, which the
// settings and decision-panel pages act for (§4.3): one deployment may
// serve several, and a manager should see whose settings and whose panel
// they are changing. "" for a viewer of no organisation (a machine client).
func (s *Service) PartnershipName(ctx context.Context, v Viewer) (string, error) {
	var name string
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		mine, err := viewerPartnership(tx, v)
		if err != nil || mine == "" {
			return err
		}
		p, err := tx.PartnershipByID(mine)
		name = p.Name
		return err
	})
	return name, err
}
