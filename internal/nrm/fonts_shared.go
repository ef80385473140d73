package nrm

// Fonts are the embedded DejaVu Sans faces (regular, bold), for other PDFs
// Waymark makes (the statistics annual report, internal/stats/pdf.go), so a
// second copy of the font files is never embedded.
func Fonts() (regular, bold []byte) { return fontRegular, fontBold }
