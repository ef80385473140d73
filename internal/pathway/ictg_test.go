package pathway_test

import (
	"testing"
	"time"

	"waymark/internal/pathway"
)

func ictgFrom(day, value string) pathway.DatedSettings {
	return pathway.DatedSettings{{Seq: 1, Key: pathway.SettingICTGAvailable, Value: value, From: day}}
}

// §6.8, §9.4, §8.10(3): where the partnership had the ICTG service on the
// day the child was referred to the NRM, the team is prompted to refer the
// child to it, until the referral is recorded; elsewhere, or before the
// service started, there is no prompt.
func TestICTGReferralIsPromptedWhereTheServiceRuns(t *testing.T) {
	if _, ok := pathway.ICTGReferralDue(raisedCase(t), ictgFrom("2020-01-01", "yes")); ok {
		t.Fatal("prompted before the child was referred to the NRM")
	}
	c := nrmSubmittedCase(t) // referred on 10 March 2026
	if _, ok := pathway.ICTGReferralDue(c, nil); ok {
		t.Fatal("prompted in an area that never had the service")
	}
	if _, ok := pathway.ICTGReferralDue(c, ictgFrom("2026-04-01", "yes")); ok {
		t.Fatal("prompted by a service that started after the NRM referral")
	}
	ended := append(ictgFrom("2025-01-01", "yes"), pathway.SettingChange{Seq: 2, Key: pathway.SettingICTGAvailable, Value: "no", From: "2026-03-01"})
	if _, ok := pathway.ICTGReferralDue(c, ended); ok {
		t.Fatal("prompted by a service that had ended before the NRM referral")
	}
	p, ok := pathway.ICTGReferralDue(c, ictgFrom("2026-03-10", "yes"))
	if !ok || p.ServiceSince != "2026-03-10" || !p.NRMSubmittedAt.Equal(c.NRM.ICTGEligibleFrom()) {
		t.Fatalf("prompt = %+v, %v; want one, the service running from the day of the referral", p, ok)
	}

	// The team records the referral (who, when, outcome): the prompt goes.
	c, _ = mustDecide(t, c, frontDoor, pathway.AssignWorker{WorkerEmail: "pat@police.example", Worker: policeLead.Party}, now.Add(3*time.Hour))
	c, _ = mustDecide(t, c, policeLead, pathway.RecordSupport{Kind: pathway.SupportICTG, Status: pathway.SupportRequested, Provider: "Barnardo's"}, now.Add(4*time.Hour))
	if _, ok := pathway.ICTGReferralDue(c, ictgFrom("2026-03-10", "yes")); ok {
		t.Fatal("still prompted after the ICTG referral was recorded")
	}
	r := pathway.ICTGReferral(c)
	if r == nil || r.RecordedBy.UserID != policeLead.UserID || !r.RecordedAt.Equal(now.Add(4*time.Hour)) || r.Status != pathway.SupportRequested {
		t.Fatalf("ICTG referral = %+v, want who, when and the outcome so far", r)
	}
}

// The ICTG setting is one of the partnership's dated settings.
func TestICTGAvailabilityIsADatedSetting(t *testing.T) {
	d, ok := pathway.SettingDefOf(pathway.SettingICTGAvailable)
	if !ok || d.Default != "no" {
		t.Fatalf("setting %+v, %v", d, ok)
	}
}
