package pathway

import (
	"testing"
	"time"

	"waymark"
)

// TestACaseAsksToLinkAtMostFiveRecordsADay: each request tells the asking
// team that another team holds a record it will answer for (§6.5); a case
// asking about record after record is probing, and is stopped for the day.
func TestACaseAsksToLinkAtMostFiveRecordsADay(t *testing.T) {
	now := time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)
	var c Case
	for i := range MaxLinkRequestsPerDay {
		c.Links.Requests = append(c.Links.Requests, LinkRequest{ID: "r", OtherCaseID: string(rune('a' + i)), Asked: true, Reason: "why", At: now.Add(-time.Hour), Status: LinkPending})
	}
	if err := mayAskToLink(c, "z", "a reason", now); waymark.ErrorCode(err) != waymark.ECONFLICT {
		t.Fatalf("the sixth request of the day: %v, want refused", err)
	}
	if err := mayAskToLink(c, "z", "a reason", now.Add(24*time.Hour)); err != nil {
		t.Fatalf("the next day: %v", err)
	}
	// Requests received (this case as the earlier one) do not count.
	for i := range c.Links.Requests {
		c.Links.Requests[i].Asked = false
	}
	if err := mayAskToLink(c, "z", "a reason", now); err != nil {
		t.Fatalf("with only requests received: %v", err)
	}
}
