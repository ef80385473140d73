package web

import (
	"io/fs"
	"net/http"

	"waymark/internal/casework"
	"waymark/internal/nrm"
	"waymark/internal/web/assets"
)

// routes is the map of the service: every page and API operation.
func (s *Server) routes(mux *http.ServeMux) {
	static, _ := fs.Sub(assets.FS, ".")
	mux.Handle("GET /assets/", http.StripPrefix("/assets/", http.FileServerFS(filesOnly{static})))
	mux.Handle("GET /healthz", s.handleHealthz())
	mux.Handle("GET /readyz", s.handleReadyz())
	mux.Handle("GET /metrics", s.handleMetrics())

	// Pages.
	mux.Handle("GET /sign-in", s.handleSignInForm())
	mux.Handle("POST /sign-in", s.handleSignIn())
	mux.Handle("GET /sign-in/code", s.handleCodeForm())
	mux.Handle("POST /sign-in/code", s.handleCode())
	mux.Handle("GET /sign-in/set-up", s.handleSetUpForm())
	mux.Handle("POST /sign-in/set-up", s.handleSetUp())
	mux.Handle("GET /sign-in/sso", s.handleSSOStart())
	mux.Handle("GET /sign-in/sso/callback", s.handleSSOCallback())
	mux.Handle("GET /sign-in/sso/confirm", s.page(s.handleSSOConfirm))
	mux.Handle("POST /sign-in/sso/backchannel-logout", s.handleSSOBackChannelLogout()) // staff.go: the provider, server to server
	mux.Handle("GET /sign-in/first-password", s.handleFirstPasswordForm())             // staff.go: the emailed link
	mux.Handle("POST /sign-in/first-password", s.handleFirstPassword())                // staff.go
	mux.Handle("POST /sign-out", s.page(s.handleSignOut))
	mux.Handle("POST /session/stay", s.page(s.handleStaySignedIn)) // answers.go: the time-out warning's "Stay signed in"
	mux.Handle("GET /{$}", s.page(s.handleHome))
	mux.Handle("GET /concerns/new", s.page(s.handleConcernStart))
	mux.Handle("POST /concerns", s.page(s.handleConcernCreate))
	mux.Handle("GET /concerns/{draft}", s.page(s.handleConcernTasks))
	mux.Handle("GET /concerns/{draft}/check", s.page(s.handleConcernCheck))
	mux.Handle("POST /concerns/{draft}/check", s.page(s.handleConcernSubmit))
	mux.Handle("GET /concerns/{draft}/{step}", s.page(s.handleConcernStep))
	mux.Handle("POST /concerns/{draft}/{step}", s.page(s.handleConcernStepSave))
	mux.Handle("GET /inbox", s.page(s.handleInbox))
	mux.Handle("GET /cases", s.page(s.handleCases))
	mux.Handle("GET /escalations", s.page(s.handleEscalations))
	mux.Handle("GET /my-work", s.page(s.handleMyWork))
	mux.Handle("GET /cases/{id}", s.page(s.handleCase))
	mux.Handle("GET /cases/{id}/timeline", s.page(s.handleCaseTimeline)) // case_timeline.go
	mux.Handle("GET /cases/{id}/entities", s.page(s.handleCaseEntities)) // entities.go: people, places and numbers (§6.8)
	mux.Handle("GET /network", s.page(s.handleNetwork))                  // entities.go: the partnership lead's network view
	mux.Handle("GET /cases/{id}/{area}", s.page(s.handleCaseArea))       // case_areas.go: one page per area
	// Earlier records of the child and links between cases (case_links.go, issue 14 §1).
	mux.Handle("GET /cases/{id}/earlier-records", s.page(s.handleCaseLinks))
	mux.Handle("POST /cases/{id}/earlier-records/{handle}/link", s.page(s.handleRequestLink))
	mux.Handle("POST /cases/{id}/links/{link}/confirm", s.page(s.handleConfirmLink))
	mux.Handle("POST /cases/{id}/links/{link}/decline", s.page(s.handleDeclineLink))
	mux.Handle("POST /cases/{id}/links/{link}/unlink", s.page(s.handleUnlink))
	// Hand-over of a case between partnerships (handovers.go; §4.3, §7.1).
	mux.Handle("GET /cases/{id}/handover", s.page(s.handleCaseHandOver))
	mux.Handle("POST /cases/{id}/handover", s.page(s.handleProposeHandOver))
	mux.Handle("POST /cases/{id}/handover/{handover}/withdraw", s.page(s.handleWithdrawHandOver))
	mux.Handle("GET /partnership/handovers", s.page(s.handleIncomingHandOvers))
	mux.Handle("GET /partnership/handovers/{handover}", s.page(s.handleIncomingHandOver))
	mux.Handle("POST /partnership/handovers/{handover}/agree", s.page(s.handleAgreeHandOver))
	mux.Handle("POST /partnership/handovers/{handover}/decline", s.page(s.handleDeclineHandOver))
	mux.Handle("POST /partnership/link-requests/{id}/{link}/confirm", s.page(s.handleLeadConfirmLink))
	mux.Handle("POST /partnership/link-requests/{id}/{link}/decline", s.page(s.handleLeadDeclineLink))
	// Partnerships as records, for administrators (partnerships_admin.go).
	mux.Handle("POST /admin/partnerships", s.page(s.handleCreatePartnership))
	mux.Handle("POST /admin/organisations/{id}/partnership", s.page(s.handleOrgPartnershipSave))
	mux.Handle("GET /cases/{id}/contact", s.page(s.handleContactForm))
	mux.Handle("POST /cases/{id}/contact", s.page(s.handleContact))
	mux.Handle("GET /cases/{id}/outcome", s.page(s.handleOutcomeForm))
	mux.Handle("POST /cases/{id}/outcome", s.page(s.handleOutcome))
	mux.Handle("GET /cases/{id}/actions/{action}", s.page(s.handleActionForm))
	mux.Handle("POST /cases/{id}/actions/{action}", s.page(s.handleAction))
	// NRM referral and reconsideration drafts (§8.7–8.9): task list, one page per section, copy view, documents (nrmdraft.go).
	mux.Handle("GET /cases/{id}/nrm-draft", s.page(s.handleNRMTasks(nrm.Referral)))
	// Contributions to the NRM referral (§8.5): the team's list, "Edit, then use" and using one (nrm_contrib.go).
	mux.Handle("GET /cases/{id}/nrm-contributions", s.page(s.handleNRMContributions))
	mux.Handle("GET /cases/{id}/nrm-contributions/{seq}/edit", s.page(s.handleNRMContributionEdit))
	mux.Handle("POST /cases/{id}/nrm-contributions/{seq}/use", s.page(s.handleNRMContributionUse))
	mux.Handle("GET /cases/{id}/nrm-draft/copy", s.page(s.handleNRMCopy(nrm.Referral)))
	mux.Handle("GET /cases/{id}/nrm-draft/{section}", s.page(s.handleNRMSection(nrm.Referral)))
	mux.Handle("POST /cases/{id}/nrm-draft/{section}", s.page(s.handleNRMSectionSave(nrm.Referral)))
	mux.Handle("GET /cases/{id}/nrm-draft.pdf", s.page(s.handleNRMDocument(nrm.Referral, casework.NRMFormatPDF)))
	mux.Handle("GET /cases/{id}/nrm-draft.txt", s.page(s.handleNRMDocument(nrm.Referral, casework.NRMFormatText)))
	mux.Handle("GET /cases/{id}/nrm-reconsideration", s.page(s.handleNRMTasks(nrm.Reconsideration)))
	mux.Handle("GET /cases/{id}/nrm-reconsideration/copy", s.page(s.handleNRMCopy(nrm.Reconsideration)))
	mux.Handle("GET /cases/{id}/nrm-reconsideration/{section}", s.page(s.handleNRMSection(nrm.Reconsideration)))
	mux.Handle("POST /cases/{id}/nrm-reconsideration/{section}", s.page(s.handleNRMSectionSave(nrm.Reconsideration)))
	mux.Handle("GET /cases/{id}/nrm-reconsideration.pdf", s.page(s.handleNRMDocument(nrm.Reconsideration, casework.NRMFormatPDF)))
	mux.Handle("GET /cases/{id}/nrm-reconsideration.txt", s.page(s.handleNRMDocument(nrm.Reconsideration, casework.NRMFormatText)))
	mux.Handle("POST /cases/{id}/documents", s.page(s.handleDocumentUpload))         // documents.go: streamed, on the NRM area page
	mux.Handle("GET /cases/{id}/documents/{file}", s.page(s.handleDocumentDownload)) // documents.go
	mux.Handle("GET /break-glass", s.page(s.handleBreakGlassForm))
	mux.Handle("POST /break-glass", s.page(s.handleBreakGlass))
	mux.Handle("GET /alerts", s.page(s.handleAlerts))
	mux.Handle("GET /statistics", s.page(s.handleStatistics)) // statistics.go (issue 15)
	mux.Handle("GET /admin/interpreters", s.page(s.handleInterpreters))
	mux.Handle("POST /admin/interpreters", s.page(s.handleInterpreterAdd))
	mux.Handle("GET /admin/retention", s.page(s.handleRetention))                                // privacy.go
	mux.Handle("POST /admin/retention/keep", s.page(s.handleRetentionKeep))                      // privacy.go
	mux.Handle("POST /admin/retention/drafts/{id}/delete", s.page(s.handleRetentionDeleteDraft)) // privacy.go
	mux.Handle("GET /account/tokens", s.page(s.handleOwnTokens))                                 // clients.go
	mux.Handle("POST /account/tokens", s.page(s.handleOwnTokenCreate))                           // clients.go
	mux.Handle("POST /account/tokens/{id}/revoke", s.page(s.handleOwnTokenRevoke))               // clients.go
	mux.Handle("GET /account/profile", s.page(s.handleProfile))                                  // profile.go
	mux.Handle("GET /account/reminders", s.page(s.handleReminderPrefs))                          // reminders.go
	mux.Handle("POST /account/reminders", s.page(s.handleReminderPrefsSave))                     // reminders.go
	mux.Handle("GET /demo/mail", s.page(s.handleDemoMail))                                       // reminders.go: 404 outside the demo
	mux.Handle("POST /account/profile", s.page(s.handleProfileSave))                             // profile.go
	mux.Handle("GET /account/machine-clients", s.page(s.handleCustodianClients))                 // clients.go: the custodian's
	mux.Handle("POST /account/machine-clients/token", s.page(s.handleCustodianToken))            // clients.go
	mux.Handle("GET /admin/machine-clients", s.page(s.handleMachineClients))                     // clients.go
	mux.Handle("POST /admin/machine-clients", s.page(s.handleMachineClientCreate))               // clients.go
	mux.Handle("POST /admin/machine-clients/confirm", s.page(s.handleMachineClientsConfirm))     // clients.go
	mux.Handle("POST /admin/machine-clients/{id}/revoke", s.page(s.handleMachineClientRevoke))   // clients.go
	mux.Handle("GET /admin/staff", s.page(s.handleStaff))                                        // staff.go
	mux.Handle("POST /admin/staff", s.page(s.handleStaffAdd))                                    // staff.go
	mux.Handle("GET /admin/staff/new", s.page(s.handleStaffAddForm))                             // staff.go
	mux.Handle("POST /admin/staff/confirm", s.page(s.handleStaffConfirm))                        // staff.go
	mux.Handle("POST /admin/staff/disable", s.page(s.handleStaffBulkDisable))                    // staff.go
	mux.Handle("GET /admin/staff/{id}", s.page(s.handleStaffPerson))                             // staff.go
	mux.Handle("POST /admin/staff/{id}/role", s.page(s.handleStaffChange("role")))               // staff.go
	mux.Handle("POST /admin/staff/{id}/disable", s.page(s.handleStaffChange("disable")))         // staff.go
	mux.Handle("POST /admin/staff/{id}/enable", s.page(s.handleStaffChange("enable")))           // staff.go
	mux.Handle("POST /admin/staff/{id}/unlock", s.page(s.handleStaffChange("unlock")))
	mux.Handle("POST /admin/staff/{id}/invite", s.page(s.handleStaffChange("invite")))        // staff.go
	mux.Handle("GET /admin/organisations", s.page(s.handleOrganisations))                     // organisations.go
	mux.Handle("GET /admin/organisations/{id}", s.page(s.handleOrg))                          // organisations.go
	mux.Handle("POST /admin/organisations/{id}", s.page(s.handleOrgSave))                     // organisations.go
	mux.Handle("POST /admin/organisations/{id}/ho-lists", s.page(s.handleOrgHOListsSave))     // organisations_holists.go
	mux.Handle("GET /admin/organisations/partnership", s.page(s.handlePartnershipLists))      // organisations_holists.go
	mux.Handle("POST /admin/organisations/partnership", s.page(s.handlePartnershipListsSave)) // organisations_holists.go
	mux.Handle("GET /admin/settings", s.page(s.handleSettings))                               // settings.go
	mux.Handle("GET /admin/settings/{key}", s.page(s.handleSetting))                          // settings.go
	mux.Handle("POST /admin/settings/{key}", s.page(s.handleSettingRecord))                   // settings.go
	mux.Handle("GET /subject-access", s.page(s.handleSubjectAccess))                          // privacy.go
	mux.Handle("POST /subject-access/{id}/export", s.page(s.handleSubjectExport))             // privacy.go
	mux.Handle("GET /subject-access/{id}/erase", s.page(s.handleErasureForm))                 // privacy.go
	mux.Handle("POST /subject-access/{id}/erase", s.page(s.handleErasure))                    // privacy.go
	mux.Handle("GET /directory", s.page(s.handleDirectory))                                   // directory.go: every signed-in person
	mux.Handle("GET /directory/new", s.page(s.handleDirectoryEdit))                           // directory.go: partnership leads and administrators
	mux.Handle("POST /directory", s.page(s.handleDirectorySave))                              // directory.go
	mux.Handle("GET /directory/{id}/edit", s.page(s.handleDirectoryEdit))                     // directory.go
	mux.Handle("POST /directory/{id}", s.page(s.handleDirectorySave))                         // directory.go
	mux.Handle("POST /admin/staff/{id}/profile", s.page(s.handleStaffChange("profile")))
	mux.Handle("GET /accessibility", http.HandlerFunc(s.handleStatic("accessibility", "Accessibility statement")))
	mux.Handle("GET /privacy", http.HandlerFunc(s.handleStatic("privacy", "Privacy notice")))
	mux.Handle("GET /help", http.HandlerFunc(s.handleHelp))                                         // help.go
	mux.Handle("GET /favicon.ico", icon("favicon.ico", "image/x-icon"))                             // help.go
	mux.Handle("GET /assets/icons/favicon.svg", icon("favicon.svg", "image/svg+xml"))               // help.go
	mux.Handle("GET /assets/icons/apple-touch-icon.png", icon("apple-touch-icon.png", "image/png")) // help.go

	// The partnership's statistics: annual report, PDF and exports (statistics_exports.go, issue 15).
	mux.Handle("GET /statistics/annual-report", s.page(s.handleAnnualReport))
	mux.Handle("GET /statistics/annual-report.pdf", s.page(s.handleAnnualReportPDF))
	mux.Handle("GET /statistics/export.csv", s.page(s.handleStatisticsExport("csv")))
	mux.Handle("GET /statistics/export.xlsx", s.page(s.handleStatisticsExport("xlsx")))
	mux.Handle("GET /statistics/export.ods", s.page(s.handleStatisticsExport("ods")))

	// The local decision panel (Devolved Decision Making): panel.go.
	mux.Handle("GET /admin/panel", s.page(s.handlePanelRoster))
	mux.Handle("POST /admin/panel", s.page(s.handlePanelSeat))
	mux.Handle("GET /panel", s.page(s.handlePanel))
	mux.Handle("GET /panel/cases/{id}", s.page(s.handlePanelCase))
	mux.Handle("POST /panel/cases/{id}/decision", s.page(s.handlePanelDecision))
	mux.Handle("GET /panel/cases/{id}/letters/{seq}/{file}", s.page(s.handlePanelLetter(false)))

	// JSON API.
	mux.Handle("GET /api/v1/openapi.json", s.handleOpenAPI())
	mux.Handle("POST /api/v1/sessions", s.handleAPISignIn())
	mux.Handle("DELETE /api/v1/sessions/current", s.api(s.handleAPISignOut))
	mux.Handle("GET /api/v1/catalog", s.api(s.handleAPICatalog))
	mux.Handle("GET /api/v1/cases", s.api(s.handleAPICases))
	mux.Handle("POST /api/v1/cases", s.api(s.handleAPIRaiseConcern))
	mux.Handle("GET /api/v1/cases/{id}", s.api(s.handleAPICase))
	mux.Handle("POST /api/v1/cases/{id}/contact", s.api(s.handleAPIContact))
	mux.Handle("POST /api/v1/cases/{id}/outcome", s.api(s.handleAPIOutcome))
	mux.Handle("GET /api/v1/cases/{id}/actions", s.api(s.handleAPICaseActions))
	mux.Handle("GET /api/v1/cases/{id}/entities", s.api(s.handleAPICaseEntities)) // entities.go
	mux.Handle("GET /api/v1/network", s.api(s.handleAPINetwork))                  // entities.go
	mux.Handle("POST /api/v1/cases/{id}/actions/{action}", s.api(s.handleAPIAction))
	mux.Handle("GET /api/v1/cases/{id}/earlier-records", s.api(s.handleAPIEarlierRecords))             // case_links.go
	mux.Handle("POST /api/v1/cases/{id}/earlier-records/{handle}/link", s.api(s.handleAPIRequestLink)) // case_links.go
	mux.Handle("GET /api/v1/cases/{id}/links", s.api(s.handleAPILinks))                                // case_links.go
	mux.Handle("POST /api/v1/cases/{id}/links/{link}/confirm", s.api(s.handleAPIConfirmLink))          // case_links.go
	mux.Handle("POST /api/v1/cases/{id}/links/{link}/decline", s.api(s.handleAPIDeclineLink))          // case_links.go
	mux.Handle("POST /api/v1/cases/{id}/links/{link}/unlink", s.api(s.handleAPIUnlink))                // case_links.go

	// Hand-over of a case between partnerships (handovers.go).
	mux.Handle("GET /api/v1/cases/{id}/handovers", s.api(s.handleAPICaseHandOvers))
	mux.Handle("POST /api/v1/cases/{id}/handovers", s.api(s.handleAPIProposeHandOver))
	mux.Handle("POST /api/v1/cases/{id}/handovers/{handover}/withdraw", s.api(s.handleAPIWithdrawHandOver))
	mux.Handle("GET /api/v1/handovers", s.api(s.handleAPIIncomingHandOvers))
	mux.Handle("GET /api/v1/handovers/{handover}", s.api(s.handleAPIIncomingHandOver))
	mux.Handle("POST /api/v1/handovers/{handover}/agree", s.api(s.handleAPIAgreeHandOver))
	mux.Handle("POST /api/v1/handovers/{handover}/decline", s.api(s.handleAPIDeclineHandOver))

	mux.Handle("GET /api/v1/cases/{id}/nrm-draft", s.api(s.handleAPINRMDraft(nrm.Referral)))
	mux.Handle("PUT /api/v1/cases/{id}/nrm-draft/fields/{field}", s.api(s.handleAPINRMField(nrm.Referral)))
	mux.Handle("GET /api/v1/cases/{id}/nrm-draft.pdf", s.api(s.handleAPINRMDocument(nrm.Referral, casework.NRMFormatPDF)))
	mux.Handle("GET /api/v1/cases/{id}/nrm-draft.txt", s.api(s.handleAPINRMDocument(nrm.Referral, casework.NRMFormatText)))
	mux.Handle("GET /api/v1/cases/{id}/nrm-reconsideration", s.api(s.handleAPINRMDraft(nrm.Reconsideration)))
	mux.Handle("PUT /api/v1/cases/{id}/nrm-reconsideration/fields/{field}", s.api(s.handleAPINRMField(nrm.Reconsideration)))
	mux.Handle("GET /api/v1/cases/{id}/nrm-reconsideration.pdf", s.api(s.handleAPINRMDocument(nrm.Reconsideration, casework.NRMFormatPDF)))
	mux.Handle("GET /api/v1/cases/{id}/nrm-reconsideration.txt", s.api(s.handleAPINRMDocument(nrm.Reconsideration, casework.NRMFormatText)))
	mux.Handle("GET /api/v1/cases/{id}/documents", s.api(s.handleAPIDocuments))               // documents.go
	mux.Handle("POST /api/v1/cases/{id}/documents", s.api(s.handleAPIDocumentUpload))         // documents.go: multipart, streamed
	mux.Handle("GET /api/v1/cases/{id}/documents/{file}", s.api(s.handleAPIDocumentDownload)) // documents.go
	mux.Handle("GET /api/v1/inbox", s.api(s.handleAPIInbox))
	mux.Handle("GET /api/v1/my-work", s.api(s.handleAPIMyWork))
	mux.Handle("GET /api/v1/statistics", s.api(s.handleAPIStatistics))                            // statistics.go (issue 15)
	mux.Handle("GET /api/v1/escalations", s.api(s.handleAPIEscalations))                          // api_registers.go
	mux.Handle("GET /api/v1/interpreters", s.api(s.handleAPIInterpreters))                        // api_registers.go
	mux.Handle("POST /api/v1/interpreters", s.api(s.handleAPIInterpreterAdd))                     // api_registers.go
	mux.Handle("POST /api/v1/sessions/current/reauthenticate", s.api(s.handleAPIReauthenticate))  // clients.go
	mux.Handle("GET /api/v1/tokens", s.api(s.handleAPITokens))                                    // clients.go: the person's own
	mux.Handle("POST /api/v1/tokens", s.api(s.handleAPICreateToken))                              // clients.go
	mux.Handle("DELETE /api/v1/tokens/{id}", s.api(s.handleAPIRevokeToken))                       // clients.go
	mux.Handle("GET /api/v1/account/profile", s.api(s.handleAPIProfile))                          // profile.go
	mux.Handle("PUT /api/v1/account/profile", s.api(s.handleAPIProfileSave))                      // profile.go
	mux.Handle("GET /api/v1/account/reminders", s.api(s.handleAPIReminderPrefs))                  // reminders.go
	mux.Handle("PUT /api/v1/account/reminders", s.api(s.handleAPIReminderPrefsSave))              // reminders.go
	mux.Handle("GET /api/v1/machine-clients", s.api(s.handleAPIMachineClients))                   // clients.go
	mux.Handle("POST /api/v1/machine-clients", s.api(s.handleAPIMachineClientCreate))             // clients.go
	mux.Handle("POST /api/v1/machine-clients/{id}/revoke", s.api(s.handleAPIMachineClientRevoke)) // clients.go
	mux.Handle("POST /api/v1/machine-clients/{id}/token", s.api(s.handleAPIMachineClientToken))   // clients.go: the custodian collects it
	mux.Handle("POST /api/v1/break-glass", s.api(s.handleAPIBreakGlass))
	mux.Handle("GET /api/v1/retention-review", s.api(s.handleAPIRetentionReview))      // privacy.go
	mux.Handle("GET /api/v1/staff", s.api(s.handleAPIStaff))                           // staff.go
	mux.Handle("POST /api/v1/staff", s.api(s.handleAPIStaffAdd))                       // staff.go
	mux.Handle("POST /api/v1/staff/disable", s.api(s.handleAPIStaffSetDisabled(true))) // staff.go
	mux.Handle("POST /api/v1/staff/enable", s.api(s.handleAPIStaffSetDisabled(false))) // staff.go
	mux.Handle("PUT /api/v1/staff/{id}/role", s.api(s.handleAPIStaffRole))             // staff.go
	mux.Handle("POST /api/v1/staff/{id}/unlock", s.api(s.handleAPIStaffUnlock))        // staff.go
	mux.Handle("GET /api/v1/organisations", s.api(s.handleAPIOrganisations))           // staff.go
	mux.Handle("GET /api/v1/settings", s.api(s.handleAPISettings))                     // settings.go
	mux.Handle("POST /api/v1/settings", s.api(s.handleAPISettingRecord))               // settings.go
	mux.Handle("GET /api/v1/directory", s.api(s.handleAPIDirectory))                   // api_directory.go
	mux.Handle("POST /api/v1/directory", s.api(s.handleAPIDirectorySave))              // api_directory.go
	mux.Handle("PUT /api/v1/directory/{id}", s.api(s.handleAPIDirectorySave))          // api_directory.go

	// The local decision panel: panel.go.
	mux.Handle("GET /api/v1/panel/members", s.api(s.handleAPIPanelMembers))
	mux.Handle("POST /api/v1/panel/members", s.api(s.handleAPIPanelSeat))
	mux.Handle("GET /api/v1/panel/cases", s.api(s.handleAPIPanelCases))
	mux.Handle("GET /api/v1/panel/cases/{id}", s.api(s.handleAPIPanelCase))
	mux.Handle("POST /api/v1/panel/cases/{id}/decisions", s.api(s.handleAPIPanelDecision(false)))
	mux.Handle("POST /api/v1/panel/cases/{id}/reconsiderations", s.api(s.handleAPIPanelDecision(true)))
	mux.Handle("GET /api/v1/panel/cases/{id}/letters/{seq}/{file}", s.api(s.handlePanelLetter(true)))
	mux.Handle("/api/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.problem(w, r, http.StatusNotFound, "There is no API operation at "+r.Method+" "+r.URL.Path+". See /api/v1/openapi.json.", nil)
	}))
	mux.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, http.StatusNotFound, "If you typed the web address, check it is correct. If you followed a link to a case, you may not be a member of it.")
	}))
}

func (s *Server) handleHealthz() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	})
}
