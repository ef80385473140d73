package catalog

import "time"

// London is the Europe/London location the calendar counts working days
// in, for those that count working hours by it (pathway.ReminderConfig).
func London() *time.Location { return london() }
