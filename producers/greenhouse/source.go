package greenhouse

import (
	"strings"
	"unicode"
)

// Normalised sourcing channels (schemas.ApplicationEvent.SourceChannel).
const (
	ChannelReferral    = "referral"
	ChannelJobBoard    = "job_board"
	ChannelCareersSite = "careers_site"
	ChannelAgency      = "agency"
	ChannelSourced     = "sourced"
	ChannelInternal    = "internal"
	ChannelEvent       = "event"
	ChannelOther       = "other"
	ChannelUnknown     = "unknown"
)

// channelRules are tried in order against the source name's words; the first match wins. The
// order settles names that mention two things: "LinkedIn (Prospecting)" is sourcing, not the
// job board; "Agency Referral" is the agency; "Internal Referral" is a referral.
var channelRules = []struct {
	channel string
	phrases []string
}{
	{ChannelSourced, []string{"prospecting", "prospect", "sourced", "sourcing", "sourcer", "outreach", "outbound", "cold email", "headhunted"}},
	{ChannelAgency, []string{"agency", "agencies", "recruiting firm", "recruitment firm", "search firm", "staffing", "headhunter"}},
	{ChannelReferral, []string{"referral", "referrals", "referred", "refer a friend"}},
	{ChannelInternal, []string{"internal", "transfer", "internal mobility", "rehire", "former employee", "alumni"}},
	{ChannelEvent, []string{"career fair", "careers fair", "job fair", "meetup", "meet up", "conference", "event", "events", "hackathon", "campus", "university", "webinar"}},
	{ChannelCareersSite, []string{"jobs page", "careers page", "career page", "careers site", "career site", "careers website", "company website", "your website", "website", "careers", "job board on your website"}},
	{ChannelJobBoard, []string{"job board", "job boards", "job post", "job posts", "job posting", "linkedin", "indeed", "glassdoor", "ziprecruiter", "zip recruiter", "monster", "stackoverflow", "stack overflow", "dice", "wellfound", "angellist", "angel list", "builtin", "built in", "otta", "welcome to the jungle", "weworkremotely", "we work remotely", "remote ok", "remoteok", "hacker news", "careerbuilder", "simplyhired", "simply hired", "stepstone", "xing", "seek", "naukri", "totaljobs", "reed", "github jobs", "jobs board"}},
}

// sourceTypeChannels maps Harvest's source types, when a payload carries one, to a channel.
// Types too broad to decide ("Social media", "Other") fall through to the name.
var sourceTypeChannels = map[string]string{
	"prospecting": ChannelSourced,
	"referral":    ChannelReferral,
	"referrals":   ChannelReferral,
	"agency":      ChannelAgency,
	"agencies":    ChannelAgency,
	"jobs page":   ChannelCareersSite,
	"job board":   ChannelJobBoard,
	"job boards":  ChannelJobBoard,
}

// sourceChannel normalises a Greenhouse source to a channel. name is the source's name or
// public_name; typeName its Harvest type when present. No name at all is "unknown"; a name no
// rule recognises is "other".
func sourceChannel(name, typeName string) string {
	if ch, ok := sourceTypeChannels[strings.Join(words(typeName), " ")]; ok {
		return ch
	}
	w := words(name)
	if len(w) == 0 {
		return ChannelUnknown
	}
	text := " " + strings.Join(w, " ") + " "
	if text == " unknown " || text == " none " || text == " n a " {
		return ChannelUnknown
	}
	for _, r := range channelRules {
		for _, p := range r.phrases {
			if strings.Contains(text, " "+p+" ") {
				return r.channel
			}
		}
	}
	return ChannelOther
}

// words lower-cases s and splits it on everything that is not a letter or digit, so
// "LinkedIn (Prospecting)" is [linkedin prospecting] and "Stack-Overflow" is [stack overflow].
func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}
