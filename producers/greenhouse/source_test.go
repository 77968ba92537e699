package greenhouse

import "testing"

func TestSourceChannel(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, typ string
		want      string
	}{
		// referral
		{"Referral", "", ChannelReferral},
		{"Employee Referral", "", ChannelReferral},
		{"Internal Referral", "", ChannelReferral},
		{"Refer a friend", "", ChannelReferral},
		// job boards
		{"LinkedIn", "", ChannelJobBoard},
		{"LinkedIn (Ad Posting)", "", ChannelJobBoard},
		{"LinkedIn Job Posts", "", ChannelJobBoard},
		{"Indeed", "", ChannelJobBoard},
		{"Glassdoor", "", ChannelJobBoard},
		{"ZipRecruiter", "", ChannelJobBoard},
		{"Monster", "", ChannelJobBoard},
		{"StackOverflow", "", ChannelJobBoard},
		{"Stack Overflow Jobs", "", ChannelJobBoard},
		{"Wellfound (AngelList)", "", ChannelJobBoard},
		{"Some Niche Job Board", "", ChannelJobBoard},
		// careers site
		{"Jobs page on your website", "", ChannelCareersSite},
		{"Careers page", "", ChannelCareersSite},
		{"Company Website", "", ChannelCareersSite},
		{"careers.acme.example", "", ChannelCareersSite},
		// agency
		{"Agency", "", ChannelAgency},
		{"Hays Recruitment Agency", "", ChannelAgency},
		{"Agency Referral", "", ChannelAgency},
		{"Executive search firm", "", ChannelAgency},
		// sourced
		{"LinkedIn (Prospecting)", "", ChannelSourced},
		{"Prospecting", "", ChannelSourced},
		{"Sourced", "", ChannelSourced},
		{"Sourced by recruiter", "", ChannelSourced},
		{"Email outreach", "", ChannelSourced},
		{"GitHub (Prospecting)", "", ChannelSourced},
		// internal
		{"Internal Applicant", "", ChannelInternal},
		{"Employee transfer", "", ChannelInternal},
		{"Internal mobility", "", ChannelInternal},
		// events
		{"Career Fair", "", ChannelEvent},
		{"TU Berlin careers fair", "", ChannelEvent},
		{"GopherCon EU conference", "", ChannelEvent},
		{"Go Meetup Berlin", "", ChannelEvent},
		{"Hackathon", "", ChannelEvent},
		// other / unknown
		{"Podcast ad", "", ChannelOther},
		{"Twitter", "", ChannelOther},
		{"Other", "", ChannelOther},
		{"", "", ChannelUnknown},
		{"   ", "", ChannelUnknown},
		{"Unknown", "", ChannelUnknown},
		// a Harvest source type, when present, decides first
		{"Hays", "Agencies", ChannelAgency},
		{"Berlin Tech Jobs", "Job Board", ChannelJobBoard},
		{"Hired via Rita", "Referrals", ChannelReferral},
		{"Go Meetup Berlin", "Other", ChannelEvent},
		{"", "Prospecting", ChannelSourced},
	}
	for _, tc := range tests {
		if got := sourceChannel(tc.name, tc.typ); got != tc.want {
			t.Errorf("sourceChannel(%q, %q) = %q, want %q", tc.name, tc.typ, got, tc.want)
		}
	}
}
