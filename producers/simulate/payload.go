package simulate

// JSON shapes of Greenhouse webhook payloads (see
// /work/shared/research/ats-webhooks.md §1.2 and §1.6). Struct field order
// follows Greenhouse's examples so bodies look like the real thing; maps are
// only used for custom fields, whose keys encoding/json sorts.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

const (
	tsLayout     = "2006-01-02T15:04:05Z"
	dateLayout   = "2006-01-02"
	usDateLayout = "01/02/2006"
)

func ts(t time.Time) string { return t.UTC().Format(tsLayout) }

func tsp(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := ts(t)
	return &s
}

func datep(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(dateLayout)
	return &s
}

type envelope struct {
	Action  string `json:"action"`
	Payload any    `json:"payload"`
}

// marshalBody encodes the envelope the way Greenhouse sends it: compact JSON
// with <, >, & and every non-ASCII character escaped as \uXXXX.
func marshalBody(action string, payload any) []byte {
	b, err := json.Marshal(envelope{Action: action, Payload: payload})
	if err != nil {
		// Every payload is built from plain structs, strings and numbers.
		panic(fmt.Sprintf("simulate: marshal %s: %v", action, err))
	}
	return EscapeNonASCII(b)
}

// EscapeNonASCII rewrites every non-ASCII character of a JSON document as a
// \uXXXX escape (astral-plane characters as a UTF-16 surrogate pair), which is
// how Greenhouse encodes bodies before signing them. Non-ASCII bytes can only
// occur inside JSON strings, so the result is the same JSON value.
func EscapeNonASCII(b []byte) []byte {
	n := 0
	for _, c := range b {
		if c >= utf8.RuneSelf {
			n++
		}
	}
	if n == 0 {
		return b
	}
	out := bytes.NewBuffer(make([]byte, 0, len(b)+n*4))
	for len(b) > 0 {
		c := b[0]
		if c < utf8.RuneSelf {
			out.WriteByte(c)
			b = b[1:]
			continue
		}
		r, size := utf8.DecodeRune(b) // invalid UTF-8 decodes to U+FFFD
		b = b[size:]
		if r >= 0x10000 {
			r1, r2 := utf16.EncodeRune(r)
			writeU(out, r1)
			writeU(out, r2)
			continue
		}
		writeU(out, r)
	}
	return out.Bytes()
}

func writeU(out *bytes.Buffer, r rune) {
	const hexDigits = "0123456789abcdef"
	out.WriteString(`\u`)
	out.WriteByte(hexDigits[r>>12&0xf])
	out.WriteByte(hexDigits[r>>8&0xf])
	out.WriteByte(hexDigits[r>>4&0xf])
	out.WriteByte(hexDigits[r&0xf])
}

type userJSON struct {
	ID         int64   `json:"id"`
	Email      string  `json:"email"`
	Name       string  `json:"name"`
	EmployeeID *string `json:"employee_id"`
}

func userRef(u *user) *userJSON {
	if u == nil {
		return nil
	}
	return &userJSON{ID: u.ID, Email: u.Email, Name: u.Name, EmployeeID: u.EmployeeID}
}

type sourceJSON struct {
	ID         int64  `json:"id"`
	Name       string `json:"name,omitempty"`
	PublicName string `json:"public_name,omitempty"`
}

type customField struct {
	Name  string `json:"name"`
	Type  string `json:"type"`
	Value any    `json:"value"`
}

type currencyValue struct {
	Amount int64  `json:"amount"`
	Unit   string `json:"unit"`
}

type currencyRange struct {
	Unit     string `json:"unit"`
	MinValue string `json:"min_value"`
	MaxValue string `json:"max_value"`
}

type rejectionJSON struct {
	ID   int64          `json:"id"`
	Name string         `json:"name"`
	Type *rejectionType `json:"type"`
}

type rejectionDetails struct {
	CustomFields map[string]customField `json:"custom_fields"`
}

type interviewerJSON struct {
	ID          int64  `json:"id"`
	DisplayName string `json:"display_name"`
	Status      string `json:"status"`
}

type interviewKit struct {
	URL       string `json:"url"`
	Content   string `json:"content"`
	Questions []any  `json:"questions"`
}

type interviewJSON struct {
	ID           int64             `json:"id"`
	Name         string            `json:"name"`
	Status       string            `json:"status"`
	InterviewKit interviewKit      `json:"interview_kit"`
	Interviewers []interviewerJSON `json:"interviewers"`
}

type stageJSON struct {
	ID         int64           `json:"id"`
	Name       string          `json:"name"`
	Interviews []interviewJSON `json:"interviews"`
}

type prospectDetail struct {
	ProspectPool  any `json:"prospect_pool"`
	ProspectStage any `json:"prospect_stage"`
	ProspectOwner any `json:"prospect_owner"`
}

type typedValue struct {
	Value string `json:"value"`
	Type  string `json:"type"`
}

type plainValue struct {
	Value string `json:"value"`
}

type education struct {
	SchoolName string `json:"school_name"`
	Degree     string `json:"degree"`
	Discipline string `json:"discipline"`
	StartDate  string `json:"start_date"`
	EndDate    string `json:"end_date"`
}

type employment struct {
	CompanyName string  `json:"company_name"`
	Title       string  `json:"title"`
	StartDate   string  `json:"start_date"`
	EndDate     *string `json:"end_date"`
}

type attachment struct {
	Filename string `json:"filename"`
	URL      string `json:"url"`
	Type     string `json:"type"`
}

type candidateJSON struct {
	ID                   int64                  `json:"id"`
	FirstName            string                 `json:"first_name"`
	LastName             string                 `json:"last_name"`
	Title                *string                `json:"title"`
	Company              *string                `json:"company"`
	CreatedAt            string                 `json:"created_at"`
	UpdatedAt            string                 `json:"updated_at,omitempty"`
	ExternalID           *string                `json:"external_id"`
	PhotoURL             *string                `json:"photo_url"`
	URL                  string                 `json:"url"`
	IsPrivate            bool                   `json:"is_private"`
	CanEmail             bool                   `json:"can_email"`
	PhoneNumbers         []typedValue           `json:"phone_numbers"`
	EmailAddresses       []typedValue           `json:"email_addresses"`
	Addresses            []typedValue           `json:"addresses"`
	WebsiteAddresses     []typedValue           `json:"website_addresses"`
	SocialMediaAddresses []plainValue           `json:"social_media_addresses"`
	Educations           []education            `json:"educations"`
	Employments          []employment           `json:"employments"`
	Recruiter            *userJSON              `json:"recruiter"`
	Coordinator          *userJSON              `json:"coordinator"`
	Attachments          []attachment           `json:"attachments"`
	Tags                 []string               `json:"tags"`
	CustomFields         map[string]customField `json:"custom_fields"`
}

type departmentJSON struct {
	ID         int64   `json:"id"`
	Name       string  `json:"name"`
	ExternalID *string `json:"external_id"`
}

type officeJSON struct {
	ID         int64   `json:"id"`
	Name       string  `json:"name"`
	Location   *string `json:"location"`
	ExternalID *string `json:"external_id"`
}

type teamMember struct {
	UserID     int64   `json:"user_id"`
	EmployeeID *string `json:"employee_id"`
}

type hiringTeam struct {
	HiringManagers []teamMember `json:"hiring_managers"`
	Recruiters     []teamMember `json:"recruiters"`
	Sourcers       []teamMember `json:"sourcers"`
	Coordinators   []teamMember `json:"coordinators"`
}

type jobJSON struct {
	ID            int64                  `json:"id"`
	Name          string                 `json:"name"`
	RequisitionID *string                `json:"requisition_id"`
	Notes         *string                `json:"notes"`
	Confidential  bool                   `json:"confidential"`
	JobPostID     int64                  `json:"job_post_id"`
	Status        string                 `json:"status"`
	CreatedAt     string                 `json:"created_at"`
	OpenedAt      string                 `json:"opened_at"`
	ClosedAt      *string                `json:"closed_at"`
	Departments   []departmentJSON       `json:"departments"`
	Offices       []officeJSON           `json:"offices"`
	HiringTeam    *hiringTeam            `json:"hiring_team,omitempty"`
	CustomFields  map[string]customField `json:"custom_fields"`
}

// deprecatedJobJSON is hire_candidate's application.job (deprecated upstream
// in favour of jobs[], still sent).
type deprecatedJobJSON struct {
	ID            int64                  `json:"id"`
	Name          string                 `json:"name"`
	OpenDate      string                 `json:"open_date"`
	CloseDate     *string                `json:"close_date"`
	RequisitionID *string                `json:"requisition_id"`
	Departments   []departmentJSON       `json:"departments"`
	Offices       []officeJSON           `json:"offices"`
	CustomFields  map[string]customField `json:"custom_fields"`
}

type openingJSON struct {
	OpeningID    string `json:"opening_id"`
	CustomFields []any  `json:"custom_fields"`
}

type hireOfferJSON struct {
	ID           int64                  `json:"id"`
	Version      int                    `json:"version"`
	CreatedAt    string                 `json:"created_at"`
	SentAt       *string                `json:"sent_at"`
	ResolvedAt   *string                `json:"resolved_at"`
	StartsAt     string                 `json:"starts_at"`
	CustomFields map[string]customField `json:"custom_fields"`
}

type applicationJSON struct {
	ID               int64                  `json:"id"`
	RejectedAt       *string                `json:"rejected_at"`
	Prospect         bool                   `json:"prospect"`
	Status           string                 `json:"status"`
	AppliedAt        string                 `json:"applied_at"`
	LastActivityAt   string                 `json:"last_activity_at"`
	URL              string                 `json:"url"`
	Opening          *openingJSON           `json:"opening,omitempty"`
	Source           *sourceJSON            `json:"source"`
	CreditedTo       *userJSON              `json:"credited_to"`
	RejectionReason  *rejectionJSON         `json:"rejection_reason"`
	RejectionDetails *rejectionDetails      `json:"rejection_details"`
	CurrentStage     *stageJSON             `json:"current_stage"`
	ProspectDetail   *prospectDetail        `json:"prospect_detail,omitempty"`
	CustomFields     map[string]customField `json:"custom_fields"`
	Candidate        candidateJSON          `json:"candidate"`
	Job              *deprecatedJobJSON     `json:"job,omitempty"`
	Jobs             []jobJSON              `json:"jobs"`
	Offer            *hireOfferJSON         `json:"offer,omitempty"`
}

type applicationPayload struct {
	Application applicationJSON `json:"application"`
}

type candidatePayload struct {
	Candidate candidateJSON `json:"candidate"`
}

// offerJSON is the flat payload of offer_created / offer_approved /
// offer_updated.
type offerJSON struct {
	ID            int64                  `json:"id"`
	ApplicationID int64                  `json:"application_id"`
	JobID         int64                  `json:"job_id"`
	UserID        int64                  `json:"user_id"`
	Version       int                    `json:"version"`
	SentOn        *string                `json:"sent_on"`
	ResolvedAt    *string                `json:"resolved_at"`
	StartDate     string                 `json:"start_date"`
	Notes         *string                `json:"notes"`
	OfferStatus   string                 `json:"offer_status"`
	CustomFields  map[string]customField `json:"custom_fields"`
}

// deletedOfferJSON is offer_deleted's payload.offer (nested, unlike the other
// offer events).
type deletedOfferJSON struct {
	ID             int64   `json:"id"`
	ApplicationID  int64   `json:"application_id"`
	OfferingUserID int64   `json:"offering_user_id"`
	OfferStatus    string  `json:"offer_status"`
	Version        int     `json:"version"`
	SentOn         *string `json:"sent_on"`
	ResolvedAt     *string `json:"resolved_at"`
	Notes          *string `json:"notes"`
	JobID          int64   `json:"job_id"`
}

type offerDeletedPayload struct {
	Offer deletedOfferJSON `json:"offer"`
}

// personJSON is the payload.person of delete_candidate and merge_candidate.
type personJSON struct {
	ID                    int64   `json:"id"`
	FirstName             string  `json:"first_name"`
	LastName              string  `json:"last_name"`
	Company               *string `json:"company"`
	Title                 *string `json:"title"`
	CreatedAt             string  `json:"created_at"`
	Headline              *string `json:"headline"`
	IsPrivate             bool    `json:"is_private"`
	RecruiterUserID       *int64  `json:"recruiter_user_id"`
	CoordinatorUserID     *int64  `json:"coordinator_user_id"`
	CanEmail              bool    `json:"can_email"`
	DeletedApplicationIDs []int64 `json:"deleted_application_ids"`
	NewCandidateID        *int64  `json:"new_candidate_id,omitempty"`
}

type personPayload struct {
	Person personJSON `json:"person"`
}

type jobPostQuestion struct {
	Required bool     `json:"required"`
	Private  bool     `json:"private"`
	Label    string   `json:"label"`
	Type     string   `json:"type"`
	Values   []string `json:"values"`
}

type jobPostJSON struct {
	ID              int64             `json:"id"`
	Title           string            `json:"title"`
	Location        string            `json:"location"`
	Content         string            `json:"content"`
	InternalContent *string           `json:"internal_content"`
	UpdatedAt       string            `json:"updated_at"`
	JobID           int64             `json:"job_id"`
	External        bool              `json:"external"`
	Internal        bool              `json:"internal"`
	Live            bool              `json:"live"`
	Questions       []jobPostQuestion `json:"questions"`
}

// ---- builders: pure functions of the simulation state (no randomness) ----

func departmentsJSON(j *job) []departmentJSON {
	d := j.Department
	return []departmentJSON{{ID: d.ID, Name: d.Name, ExternalID: d.ExternalID}}
}

func officesJSON(j *job) []officeJSON {
	o := j.Office
	return []officeJSON{{ID: o.ID, Name: o.Name, Location: strp(o.Location), ExternalID: strp(o.ExternalID)}}
}

func moneyString(v int64) string { return strconv.FormatInt(v, 10) + ".0" }

func jobCustomFields(j *job) map[string]customField {
	return map[string]customField{
		"employment_type": {Name: "Employment Type", Type: "single_select", Value: j.EmploymentType},
		"salary_range": {Name: "Salary Range", Type: "currency_range", Value: currencyRange{
			Unit: j.Office.Currency, MinValue: moneyString(j.SalaryMin), MaxValue: moneyString(j.SalaryMax)}},
	}
}

func (g *Generator) jobJSON(j *job, withTeam bool) jobJSON {
	opened := j.openedAt(g.cfg.Start)
	out := jobJSON{
		ID:            j.ID,
		Name:          j.Name,
		RequisitionID: strp(j.RequisitionID),
		Confidential:  false,
		JobPostID:     j.JobPostID,
		Status:        "open",
		CreatedAt:     ts(opened.Add(-3 * day)),
		OpenedAt:      ts(opened),
		Departments:   departmentsJSON(j),
		Offices:       officesJSON(j),
		CustomFields:  jobCustomFields(j),
	}
	if withTeam {
		out.HiringTeam = &hiringTeam{
			HiringManagers: []teamMember{{UserID: j.HiringManager.ID, EmployeeID: j.HiringManager.EmployeeID}},
			Recruiters:     []teamMember{{UserID: j.Recruiter.ID, EmployeeID: j.Recruiter.EmployeeID}},
			Sourcers:       []teamMember{},
			Coordinators:   []teamMember{{UserID: j.Coordinator.ID, EmployeeID: j.Coordinator.EmployeeID}},
		}
	}
	return out
}

func (g *Generator) candidateJSON(p *person, withUpdatedAt bool) candidateJSON {
	c := candidateJSON{
		ID:                   p.ID,
		FirstName:            p.First,
		LastName:             p.Last,
		Title:                p.Title,
		Company:              p.Company,
		CreatedAt:            ts(p.CreatedAt),
		URL:                  fmt.Sprintf("%s/people/%d", appBaseURL, p.ID),
		CanEmail:             true,
		PhoneNumbers:         []typedValue{},
		EmailAddresses:       []typedValue{},
		Addresses:            []typedValue{},
		WebsiteAddresses:     []typedValue{},
		SocialMediaAddresses: []plainValue{},
		Educations:           []education{},
		Employments:          []employment{},
		Recruiter:            userRef(p.Recruiter),
		Coordinator:          userRef(p.Coordinator),
		Attachments:          []attachment{},
		Tags:                 append([]string{}, p.Tags...),
		CustomFields:         map[string]customField{},
	}
	if withUpdatedAt {
		c.UpdatedAt = ts(p.UpdatedAt)
	}
	for _, ph := range p.Phones {
		c.PhoneNumbers = append(c.PhoneNumbers, typedValue{Value: ph, Type: "mobile"})
	}
	for i, e := range p.Emails {
		typ := "personal"
		if i > 0 {
			typ = "work"
		}
		c.EmailAddresses = append(c.EmailAddresses, typedValue{Value: e, Type: typ})
	}
	if p.LinkedIn != "" {
		c.SocialMediaAddresses = append(c.SocialMediaAddresses, plainValue{Value: p.LinkedIn})
	}
	if p.School != "" {
		c.Educations = append(c.Educations, education{SchoolName: p.School, Degree: p.Degree, Discipline: p.Discipline,
			StartDate: fmt.Sprintf("09/01/%d", p.GradYear-4), EndDate: fmt.Sprintf("06/30/%d", p.GradYear)})
	}
	if p.Company != nil && p.Title != nil {
		c.Employments = append(c.Employments, employment{CompanyName: *p.Company, Title: *p.Title,
			StartDate: fmt.Sprintf("%02d/01/%d", p.EmployedSinceMonth, p.EmployedSinceYear)})
	}
	if p.HasResume {
		c.Attachments = append(c.Attachments, attachment{Filename: p.ResumeName,
			URL:  fmt.Sprintf("%s/%d/%s?X-Amz-Expires=604800", fileBaseURL, p.ID, p.ResumeName),
			Type: "resume"})
	}
	if p.DesiredLevel != "" {
		c.CustomFields["desired_level"] = customField{Name: "Desired Level", Type: "short_text", Value: p.DesiredLevel}
	}
	pronouns := any(nil)
	if p.Pronouns != "" {
		pronouns = p.Pronouns
	}
	c.CustomFields["pronouns"] = customField{Name: "Pronouns", Type: "single_select", Value: pronouns}
	return c
}

func (g *Generator) stageJSON(a *application) *stageJSON {
	j := a.Job
	s := &stageJSON{ID: j.stageBase + int64(a.Stage), Name: stageNames[a.Stage], Interviews: []interviewJSON{}}
	names := bizInterviews[a.Stage]
	if j.Engineering {
		names = engInterviews[a.Stage]
	}
	for i, name := range names {
		id := j.interviewBase + int64(a.Stage)*7 + int64(i)
		iv := interviewJSON{
			ID:   id,
			Name: name,
			InterviewKit: interviewKit{
				URL:       fmt.Sprintf("%s/guides/%d/people/%d?application_id=%d", appBaseURL, id, a.Person.ID, a.ID),
				Content:   fmt.Sprintf("<p>%s for <b>%s</b>: follow the scorecard &amp; note concrete examples.</p>", name, j.Name),
				Questions: []any{},
			},
			Interviewers: []interviewerJSON{},
		}
		reference := a.Stage == stageReference
		switch a.Progress {
		case progressNew:
			iv.Status = "to_be_scheduled"
			if reference {
				iv.Status = "to_be_sent"
			}
		case progressScheduled:
			iv.Status = "scheduled"
			if reference {
				iv.Status = "sent"
			}
		default:
			iv.Status = "complete"
			if reference {
				iv.Status = "received"
			}
		}
		if a.Progress != progressNew && !reference {
			u := j.Interviewers[i%len(j.Interviewers)]
			if name == "Hiring Manager Interview" {
				u = j.HiringManager
			} else if name == "Recruiter Screen" {
				u = j.Recruiter
			}
			st := "accepted"
			if a.Progress == progressScheduled && i%3 == 2 {
				st = "tentative"
			}
			iv.Interviewers = append(iv.Interviewers, interviewerJSON{ID: u.ID, DisplayName: u.Name, Status: st})
		}
		s.Interviews = append(s.Interviews, iv)
	}
	return s
}

func (a *application) customFieldsJSON() map[string]customField {
	cf := map[string]customField{
		"visa_sponsorship": {Name: "Visa Sponsorship Required", Type: "boolean", Value: nil},
		"notice_period":    {Name: "Notice Period", Type: "single_select", Value: nil},
	}
	if a.VisaKnown {
		cf["visa_sponsorship"] = customField{Name: "Visa Sponsorship Required", Type: "boolean", Value: a.NeedsVisa}
	}
	if a.NoticePeriod != "" {
		cf["notice_period"] = customField{Name: "Notice Period", Type: "single_select", Value: a.NoticePeriod}
	}
	if a.HeardFrom != "" {
		cf["how_did_you_hear"] = customField{Name: "How did you hear?", Type: "short_text", Value: a.HeardFrom}
	}
	return cf
}

// applicationJSON renders an application-shaped payload. publicName selects
// source.public_name instead of source.name (Greenhouse uses public_name in
// reject/unreject/hire/unhire and prospect events).
func (g *Generator) applicationJSON(a *application, at time.Time, publicName, withTeam bool) applicationPayload {
	src := &sourceJSON{ID: a.Source.ID}
	if publicName {
		src.PublicName = a.Source.Name
	} else {
		src.Name = a.Source.Name
	}
	app := applicationJSON{
		ID:             a.ID,
		RejectedAt:     tsp(a.RejectedAt),
		Prospect:       false,
		Status:         a.Status,
		AppliedAt:      ts(a.AppliedAt),
		LastActivityAt: ts(at),
		URL:            fmt.Sprintf("%s/people/%d?application_id=%d", appBaseURL, a.Person.ID, a.ID),
		Source:         src,
		CreditedTo:     userRef(a.Referrer),
		CurrentStage:   g.stageJSON(a),
		CustomFields:   a.customFieldsJSON(),
		Candidate:      g.candidateJSON(a.Person, false),
		Jobs:           []jobJSON{g.jobJSON(a.Job, withTeam)},
	}
	if a.Reason != nil {
		app.RejectionReason = &rejectionJSON{ID: a.Reason.ID, Name: a.Reason.Name, Type: a.Reason.Type}
		note := any(nil)
		if a.RejectionNote != "" {
			note = a.RejectionNote
		}
		app.RejectionDetails = &rejectionDetails{CustomFields: map[string]customField{
			"rejection_note": {Name: "Rejection Note", Type: "long_text", Value: note},
		}}
	}
	if withTeam && a.Stage == stageReview && at.Equal(a.AppliedAt) {
		app.ProspectDetail = &prospectDetail{} // as in new_candidate_application
	}
	return applicationPayload{Application: app}
}

func offerCustomFields(o *offer) map[string]customField {
	cf := map[string]customField{
		"base_salary":     {Name: "Base Salary", Type: "currency", Value: currencyValue{Amount: o.Salary, Unit: o.Currency}},
		"employment_type": {Name: "Employment Type", Type: "single_select", Value: o.EmploymentType},
	}
	if o.SigningBonus > 0 {
		cf["signing_bonus"] = customField{Name: "Signing Bonus", Type: "currency", Value: currencyValue{Amount: o.SigningBonus, Unit: o.Currency}}
	}
	return cf
}

func (g *Generator) hireJSON(a *application, at time.Time) applicationPayload {
	p := g.applicationJSON(a, at, true, false)
	j := a.Job
	p.Application.Opening = &openingJSON{OpeningID: j.RequisitionID + "-01", CustomFields: []any{}}
	p.Application.Job = &deprecatedJobJSON{
		ID: j.ID, Name: j.Name, OpenDate: ts(j.openedAt(g.cfg.Start)), RequisitionID: strp(j.RequisitionID),
		Departments: departmentsJSON(j), Offices: officesJSON(j), CustomFields: jobCustomFields(j),
	}
	o := a.Offer
	p.Application.Offer = &hireOfferJSON{
		ID: o.ID, Version: o.Version, CreatedAt: ts(o.CreatedAt), SentAt: datep(o.SentAt),
		ResolvedAt: tsp(o.ResolvedAt), StartsAt: o.StartDate.Format(dateLayout), CustomFields: offerCustomFields(o),
	}
	return p
}

func offerPayload(a *application, o *offer) offerJSON {
	var notes *string
	if o.Notes != "" {
		notes = strp(o.Notes)
	}
	return offerJSON{
		ID: o.ID, ApplicationID: a.ID, JobID: a.Job.ID, UserID: o.UserID, Version: o.Version,
		SentOn: datep(o.SentAt), ResolvedAt: tsp(o.ResolvedAt), StartDate: o.StartDate.Format(usDateLayout),
		Notes: notes, OfferStatus: o.Status, CustomFields: offerCustomFields(o),
	}
}

func offerDeletedJSON(a *application, o *offer) offerDeletedPayload {
	var notes *string
	if o.Notes != "" {
		notes = strp(o.Notes)
	}
	return offerDeletedPayload{Offer: deletedOfferJSON{
		ID: o.ID, ApplicationID: a.ID, OfferingUserID: o.UserID, OfferStatus: o.Status, Version: o.Version,
		SentOn: datep(o.SentAt), ResolvedAt: tsp(o.ResolvedAt), Notes: notes, JobID: a.Job.ID,
	}}
}

func personPayloadJSON(p *person, deletedApps []int64, newCandidateID int64) personPayload {
	out := personJSON{
		ID: p.ID, FirstName: p.First, LastName: p.Last, Company: p.Company, Title: p.Title,
		CreatedAt: ts(p.CreatedAt), CanEmail: true, DeletedApplicationIDs: deletedApps,
	}
	if out.DeletedApplicationIDs == nil {
		out.DeletedApplicationIDs = []int64{}
	}
	if p.Recruiter != nil {
		out.RecruiterUserID = &p.Recruiter.ID
	}
	if p.Coordinator != nil {
		out.CoordinatorUserID = &p.Coordinator.ID
	}
	if newCandidateID != 0 {
		out.NewCandidateID = &newCandidateID
	}
	return personPayload{Person: out}
}

func jobPostJSONFor(j *job, at time.Time, live bool) jobPostJSON {
	return jobPostJSON{
		ID:       j.JobPostID,
		Title:    j.Name,
		Location: j.Office.Location,
		Content: fmt.Sprintf("<h2>About the role</h2><p>Join %s in %s as our next %s.</p><ul><li>Salary range: %s %d–%d</li></ul>",
			j.Department.Name, j.Office.Name, j.Name, j.Office.Currency, j.SalaryMin, j.SalaryMax),
		UpdatedAt: at.UTC().Format("2006-01-02T15:04:05.000Z"),
		JobID:     j.ID,
		External:  true,
		Live:      live,
		Questions: []jobPostQuestion{
			{Label: "LinkedIn Profile", Type: "input_text", Values: []string{}},
			{Label: "Website", Type: "input_text", Values: []string{}},
			{Required: true, Label: "Will you now or in the future require visa sponsorship?", Type: "multi_value_single_select", Values: []string{"Yes", "No"}},
			{Label: "How did you hear about this job?", Type: "input_text", Values: []string{}},
		},
	}
}
