package web

import (
	"net/http"
	"net/url"
	"time"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/pathway"
)

// The partnership's dated settings (pathway/settings.go): a page listing
// them, a page per setting with its history and a form to record a dated
// change, and the same over the API. Administrators and the partnership
// lead only; the settings hold no case data.

const settingsPath = "/admin/settings"

// settingRow is one setting as the pages show it.
type settingRow struct {
	Def     pathway.SettingDef
	Today   string // its value today
	Since   string // since when (YYYY-MM-DD), "" when since ever
	History pathway.DatedSettings
}

func settingRows(h pathway.DatedSettings, now time.Time) []settingRow {
	var out []settingRow
	for _, d := range pathway.SettingDefs {
		s := h.Setting(d.Key)
		out = append(out, settingRow{Def: d, Today: s.On(now), Since: s.Since(now), History: s.History()})
	}
	return out
}

type settingPageData struct {
	Partnership string // whose settings: the viewer's own partnership's name
	Settings    []settingRow
	Setting     settingRow
	Values      []map[string]string
	Form        map[string]string
}

func (s *Server) handleSettings(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	h, err := s.svc.SettingHistory(r.Context(), v)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	flash := ""
	if r.URL.Query().Get("done") == "recorded" {
		flash = "The change is recorded"
	}
	name, err := s.svc.PartnershipName(r.Context(), v)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "settings", Page{Title: "Partnership settings", Flash: flash, Data: settingPageData{Partnership: name, Settings: settingRows(h, s.svc.Now())}})
}

func (s *Server) settingPage(w http.ResponseWriter, r *http.Request, v casework.Viewer, status int, f url.Values, errs []waymark.FieldError) {
	def, ok := pathway.SettingDefOf(pathway.SettingKey(r.PathValue("key")))
	if !ok {
		s.fail(w, r, http.StatusNotFound, "There is no such setting. Go back to the partnership settings.")
		return
	}
	h, err := s.svc.SettingHistory(r.Context(), v)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	var row settingRow
	for _, x := range settingRows(h, s.svc.Now()) {
		if x.Def.Key == def.Key {
			row = x
		}
	}
	name, err := s.svc.PartnershipName(r.Context(), v)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	d := settingPageData{Partnership: name, Setting: row, Form: map[string]string{}}
	for _, val := range def.AllowedValues() {
		d.Values = append(d.Values, map[string]string{"Value": val, "Text": settingValueText(val)})
	}
	for k, vs := range f {
		if len(vs) > 0 {
			d.Form[k] = vs[0]
		}
	}
	s.render(w, r, status, "setting", Page{Title: def.Name, Errors: errs, Data: d})
}

func settingValueText(v string) string {
	switch v {
	case "yes":
		return "Yes"
	case "no":
		return "No"
	}
	return v
}

func (s *Server) handleSetting(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	s.settingPage(w, r, v, http.StatusOK, restoredForm(r), nil)
}

// handleSettingRecord records a dated change: parse, validate, store, respond.
func (s *Server) handleSettingRecord(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	if !v.ManagesSettings() {
		s.failErr(w, r, casework.ErrSettingsManagers)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, http.StatusBadRequest, "The answers could not be read. Go back and try again.")
		return
	}
	f := r.PostForm
	var probs waymark.Problems
	c := pathway.SettingChange{Key: pathway.SettingKey(r.PathValue("key")), Value: f.Get("value"), Reason: f.Get("reason")}
	if c.Value == "" {
		probs.Add("value", "Select the setting's value from that date")
	}
	d, ok, msg := parseDateParts(f.Get("effectiveFrom-day"), f.Get("effectiveFrom-month"), f.Get("effectiveFrom-year"))
	switch {
	case !ok:
		probs.Add("effectiveFrom", "The date the change takes effect %s", msg)
	case d.IsZero():
		probs.Add("effectiveFrom", "Enter the date the change takes effect")
	default:
		c.From = d.Format(time.DateOnly)
	}
	err := probs.Err()
	if err == nil {
		_, err = s.svc.RecordSetting(r.Context(), v, c)
	}
	if err == nil {
		http.Redirect(w, r, settingsPath+"?done=recorded", http.StatusSeeOther)
		return
	}
	if waymark.ErrorCode(err) != waymark.EINVALID {
		s.failErr(w, r, err)
		return
	}
	s.settingPage(w, r, v, http.StatusUnprocessableEntity, f, waymark.ErrorFields(err))
}

// The API.

func (s *Server) handleAPISettings(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	h, err := s.svc.SettingHistory(r.Context(), v)
	if err != nil {
		s.problemErr(w, r, err)
		return
	}
	type apiSetting struct {
		Key     pathway.SettingKey    `json:"key"`
		Name    string                `json:"name"`
		Values  []string              `json:"values"`
		Today   string                `json:"today"`
		History pathway.DatedSettings `json:"history"`
	}
	out := []apiSetting{}
	for _, row := range settingRows(h, s.svc.Now()) {
		hist := row.History
		if hist == nil {
			hist = pathway.DatedSettings{}
		}
		out = append(out, apiSetting{Key: row.Def.Key, Name: row.Def.Name, Values: row.Def.AllowedValues(), Today: row.Today, History: hist})
	}
	writeJSON(w, http.StatusOK, map[string]any{"settings": out})
}

func (s *Server) handleAPISettingRecord(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	if !v.ManagesSettings() {
		s.problemErr(w, r, casework.ErrSettingsManagers)
		return
	}
	var in struct {
		Key           pathway.SettingKey `json:"key"`
		Value         string             `json:"value"`
		EffectiveFrom string             `json:"effectiveFrom"`
		Reason        string             `json:"reason"`
	}
	if err := decodeJSON(r, &in); err != nil {
		s.problemErr(w, r, err)
		return
	}
	c, err := s.svc.RecordSetting(r.Context(), v, pathway.SettingChange{Key: in.Key, Value: in.Value, From: in.EffectiveFrom, Reason: in.Reason})
	if err != nil {
		s.problemErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, c)
}
