package simulate

// Reference data of the simulated Greenhouse tenant: offices, departments,
// users, jobs, sources, stages, rejection reasons and candidate names. It is
// fixed (it does not depend on the seed), like a real tenant's configuration.

import "time"

const (
	companyDomain = "acme.example" // employees of the simulated tenant
	appBaseURL    = "https://app.greenhouse.io"
	fileBaseURL   = "https://attachments.example/greenhouse-simulator"
)

// candidateDomains are the mail domains of synthetic candidates. All are under
// the reserved .example TLD so no real mailbox can ever be addressed.
var candidateDomains = []string{"mail.example", "inbox.example", "post.example", "webmail.example"}

type office struct {
	ID         int64
	Name       string
	Location   string
	ExternalID string
	UTCOffset  int    // hours; fixed (no DST), good enough for business hours
	Currency   string // salary currency of offers for jobs in this office
	PhoneFmt   string // fictional-number format, one %03d or %04d verb
}

var (
	offBerlin  = &office{22, "Berlin", "Berlin, Germany", "DE-BER", 1, "EUR", "+49 30 23125 %03d"}
	offLondon  = &office{23, "London", "London, United Kingdom", "UK-LON", 0, "GBP", "+44 20 7946 0%03d"}
	offNewYork = &office{24, "New York", "New York, NY, United States", "US-NYC", -5, "USD", "+1 212-555-01%02d"}
	offRemote  = &office{25, "Remote - US", "United States", "US-REMOTE", -6, "USD", "+1 312-555-01%02d"}
	offToronto = &office{26, "Toronto", "Toronto, ON, Canada", "CA-TOR", -5, "CAD", "+1 416-555-01%02d"}
)

type department struct {
	ID         int64
	Name       string
	ExternalID *string
}

func strp(s string) *string { return &s }

var (
	depEngineering = &department{301, "Engineering", strp("D-ENG")}
	depPlatform    = &department{310, "Platform Engineering", nil}
	depSales       = &department{320, "Sales", strp("D-SAL")}
	depCS          = &department{330, "Customer Success", strp("D-CS")}
	depMarketing   = &department{340, "Marketing", nil}
	depFinance     = &department{350, "Finance", strp("D-FIN")}
	depPeople      = &department{360, "People", strp("D-PPL")}
)

// user is a Greenhouse user (an employee of the tenant).
type user struct {
	ID         int64
	Name       string
	Email      string
	EmployeeID *string
}

func newUser(id int64, name, local, employeeID string) *user {
	u := &user{ID: id, Name: name, Email: local + "@" + companyDomain}
	if employeeID != "" {
		u.EmployeeID = strp(employeeID)
	}
	return u
}

var (
	recTal    = newUser(5600, "Tal Ben-Ami", "tal.benami", "")
	recPriya  = newUser(5601, "Priya Raman", "priya.raman", "E-1042")
	recJonas  = newUser(5602, "Jonas Becker", "jonas.becker", "E-1107")
	recChloe  = newUser(5603, "Chloé Martin", "chloe.martin", "E-1188")
	coordKwa  = newUser(5610, "Kwame Mensah", "kwame.mensah", "E-1201")
	coordSof  = newUser(5611, "Sofía Álvarez", "sofia.alvarez", "E-1230")
	hmIngrid  = newUser(5701, "Ingrid Solberg", "ingrid.solberg", "E-0907")
	hmMarcus  = newUser(5702, "Marcus Oyelaran", "marcus.oyelaran", "E-0311")
	hmHannah  = newUser(5703, "Hannah Kim", "hannah.kim", "E-0455")
	hmDmitri  = newUser(5704, "Dmitri Volkov", "dmitri.volkov", "E-0620")
	hmAisha   = newUser(5705, "Aisha Rahman", "aisha.rahman", "E-0588")
	hmLukas   = newUser(5706, "Lukas Schäfer", "lukas.schaefer", "E-0702")
	hmRachel  = newUser(5707, "Rachel Goldberg", "rachel.goldberg", "E-0233")
	hmTom     = newUser(5708, "Tom Whitaker", "tom.whitaker", "E-0814")
	hmNadia   = newUser(5709, "Nadia Haddad", "nadia.haddad", "E-0376")
	hmKenji   = newUser(5710, "Kenji Watanabe", "kenji.watanabe", "E-0149")
	hmOlivia  = newUser(5711, "Olivia Brennan", "olivia.brennan", "E-0991")
	hmMateus  = newUser(5712, "Mateus Carvalho", "mateus.carvalho", "E-1012")
	intAmara  = newUser(5801, "Amara Nwosu", "amara.nwosu", "E-1320")
	intFelix  = newUser(5802, "Felix Lindström", "felix.lindstrom", "E-1333")
	intGrace  = newUser(5803, "Grace Liu", "grace.liu", "E-1349")
	intRahul  = newUser(5804, "Rahul Mehta", "rahul.mehta", "E-1361")
	intElena  = newUser(5805, "Elena Popescu", "elena.popescu", "E-1377")
	intSamuel = newUser(5806, "Samuel Adeyemi", "samuel.adeyemi", "E-1390")
)

// referrers are employees credited with employee referrals.
var referrers = []*user{
	newUser(5512, "Rita Okafor", "rita.okafor", "E-2231"),
	newUser(5513, "Björn Halvorsen", "bjorn.halvorsen", "E-2240"),
	newUser(5514, "Mei Tanaka", "mei.tanaka", "E-2257"),
	newUser(5515, "Diego Fernández", "diego.fernandez", "E-2263"),
	newUser(5516, "Fatima Zahra Benali", "fatima.benali", "E-2271"),
	newUser(5517, "Noah Fischer", "noah.fischer", "E-2288"),
	newUser(5518, "Leilani Kahale", "leilani.kahale", "E-2295"),
	newUser(5519, "Oskar Nowak", "oskar.nowak", "E-2302"),
	intAmara, intGrace, hmKenji, hmNadia,
}

type job struct {
	ID             int64
	Name           string
	RequisitionID  string
	JobPostID      int64
	Department     *department
	Office         *office
	HiringManager  *user
	Recruiter      *user
	Coordinator    *user
	Interviewers   []*user
	SalaryMin      int64 // annual base, office currency
	SalaryMax      int64
	EmploymentType string
	OpenedDaysAgo  int // opened this many days before the simulation start
	Weight         int // relative applicant volume
	Engineering    bool
	stageBase      int64
	interviewBase  int64
}

var jobs = []*job{
	{ID: 4410087, Name: "Senior Backend Engineer (Go)", RequisitionID: "ENG-2026-014", JobPostID: 5530087, Department: depPlatform, Office: offBerlin, HiringManager: hmIngrid, Recruiter: recTal, Coordinator: coordSof, Interviewers: []*user{intFelix, intElena}, SalaryMin: 85000, SalaryMax: 110000, EmploymentType: "Full-time", OpenedDaysAgo: 41, Weight: 14, Engineering: true},
	{ID: 4410112, Name: "Site Reliability Engineer", RequisitionID: "ENG-2026-019", JobPostID: 5530112, Department: depPlatform, Office: offRemote, HiringManager: hmMarcus, Recruiter: recTal, Coordinator: coordKwa, Interviewers: []*user{intRahul, intSamuel}, SalaryMin: 150000, SalaryMax: 190000, EmploymentType: "Full-time", OpenedDaysAgo: 63, Weight: 8, Engineering: true},
	{ID: 4410139, Name: "Staff Software Engineer, Data", RequisitionID: "ENG-2026-022", JobPostID: 5530139, Department: depEngineering, Office: offNewYork, HiringManager: hmHannah, Recruiter: recPriya, Coordinator: coordKwa, Interviewers: []*user{intGrace, intRahul}, SalaryMin: 190000, SalaryMax: 240000, EmploymentType: "Full-time", OpenedDaysAgo: 88, Weight: 7, Engineering: true},
	{ID: 4410145, Name: "Frontend Engineer (React)", RequisitionID: "ENG-2026-025", JobPostID: 5530145, Department: depEngineering, Office: offLondon, HiringManager: hmDmitri, Recruiter: recChloe, Coordinator: coordSof, Interviewers: []*user{intAmara, intElena}, SalaryMin: 65000, SalaryMax: 85000, EmploymentType: "Full-time", OpenedDaysAgo: 30, Weight: 10, Engineering: true},
	{ID: 4410158, Name: "Mobile Engineer (iOS)", RequisitionID: "ENG-2026-027", JobPostID: 5530158, Department: depEngineering, Office: offToronto, HiringManager: hmAisha, Recruiter: recPriya, Coordinator: coordKwa, Interviewers: []*user{intSamuel, intGrace}, SalaryMin: 115000, SalaryMax: 145000, EmploymentType: "Contract", OpenedDaysAgo: 25, Weight: 6, Engineering: true},
	{ID: 4410163, Name: "Engineering Manager, Payments", RequisitionID: "ENG-2026-031", JobPostID: 5530163, Department: depEngineering, Office: offBerlin, HiringManager: hmLukas, Recruiter: recJonas, Coordinator: coordSof, Interviewers: []*user{intFelix, hmIngrid}, SalaryMin: 110000, SalaryMax: 135000, EmploymentType: "Full-time", OpenedDaysAgo: 74, Weight: 4, Engineering: true},
	{ID: 4410201, Name: "Account Executive, Mid-Market", RequisitionID: "SAL-2026-007", JobPostID: 5530201, Department: depSales, Office: offNewYork, HiringManager: hmRachel, Recruiter: recPriya, Coordinator: coordKwa, Interviewers: []*user{intSamuel, hmTom}, SalaryMin: 85000, SalaryMax: 110000, EmploymentType: "Full-time", OpenedDaysAgo: 52, Weight: 8},
	{ID: 4410214, Name: "Sales Development Representative", RequisitionID: "SAL-2026-011", JobPostID: 5530214, Department: depSales, Office: offLondon, HiringManager: hmTom, Recruiter: recChloe, Coordinator: coordSof, Interviewers: []*user{intAmara, hmRachel}, SalaryMin: 32000, SalaryMax: 40000, EmploymentType: "Full-time", OpenedDaysAgo: 19, Weight: 12},
	{ID: 4410230, Name: "Customer Success Manager", RequisitionID: "CS-2026-004", JobPostID: 5530230, Department: depCS, Office: offToronto, HiringManager: hmNadia, Recruiter: recJonas, Coordinator: coordKwa, Interviewers: []*user{intGrace, intSamuel}, SalaryMin: 75000, SalaryMax: 95000, EmploymentType: "Full-time", OpenedDaysAgo: 45, Weight: 8},
	{ID: 4410247, Name: "Product Marketing Manager", RequisitionID: "MKT-2026-003", JobPostID: 5530247, Department: depMarketing, Office: offRemote, HiringManager: hmKenji, Recruiter: recTal, Coordinator: coordKwa, Interviewers: []*user{intRahul, intAmara}, SalaryMin: 120000, SalaryMax: 150000, EmploymentType: "Full-time", OpenedDaysAgo: 37, Weight: 8},
	{ID: 4410255, Name: "Senior Financial Analyst", RequisitionID: "FIN-2026-002", JobPostID: 5530255, Department: depFinance, Office: offLondon, HiringManager: hmOlivia, Recruiter: recChloe, Coordinator: coordSof, Interviewers: []*user{intElena, intFelix}, SalaryMin: 60000, SalaryMax: 75000, EmploymentType: "Full-time", OpenedDaysAgo: 58, Weight: 6},
	{ID: 4410262, Name: "People Partner", RequisitionID: "PPL-2026-001", JobPostID: 5530262, Department: depPeople, Office: offBerlin, HiringManager: hmMateus, Recruiter: recJonas, Coordinator: coordSof, Interviewers: []*user{intAmara, intElena}, SalaryMin: 65000, SalaryMax: 80000, EmploymentType: "Part-time", OpenedDaysAgo: 33, Weight: 9},
}

func init() {
	for i, j := range jobs {
		j.stageBase = 9100400 + int64(i)*37
		j.interviewBase = 7700100 + int64(i)*53
	}
}

func (j *job) openedAt(start time.Time) time.Time {
	// 09:00 office time, OpenedDaysAgo days before the start.
	d := start.UTC().Truncate(24*time.Hour).AddDate(0, 0, -j.OpenedDaysAgo)
	return d.Add(9*time.Hour - time.Duration(j.Office.UTCOffset)*time.Hour)
}

// source is a Greenhouse candidate source with its funnel behaviour.
type source struct {
	ID     int64
	Name   string
	Weight int
	// ReviewFactor multiplies the Application Review pass rate, LaterFactor the
	// pass rates of the later stages; WithdrawFactor the withdrawal rates;
	// Accept is the offer acceptance probability.
	ReviewFactor, LaterFactor, WithdrawFactor, Accept float64
	Referral                                          bool
	AutoRejectable                                    bool // inbound: can hit knockout questions
}

var sources = []*source{
	{ID: 17, Name: "Jobs page on your website", Weight: 30, ReviewFactor: 1.0, LaterFactor: 1.0, WithdrawFactor: 1.0, Accept: 0.84, AutoRejectable: true},
	{ID: 27, Name: "LinkedIn", Weight: 19, ReviewFactor: 0.9, LaterFactor: 1.0, WithdrawFactor: 1.1, Accept: 0.80, AutoRejectable: true},
	{ID: 29, Name: "Indeed", Weight: 14, ReviewFactor: 0.6, LaterFactor: 0.9, WithdrawFactor: 1.2, Accept: 0.80, AutoRejectable: true},
	{ID: 13, Name: "Employee Referral", Weight: 12, ReviewFactor: 2.0, LaterFactor: 1.25, WithdrawFactor: 0.7, Accept: 0.93, Referral: true},
	{ID: 16, Name: "LinkedIn (Prospecting)", Weight: 9, ReviewFactor: 1.9, LaterFactor: 1.05, WithdrawFactor: 1.6, Accept: 0.74},
	{ID: 31, Name: "Agency", Weight: 5, ReviewFactor: 1.7, LaterFactor: 1.1, WithdrawFactor: 1.0, Accept: 0.78},
	{ID: 9, Name: "Internal Applicant", Weight: 4, ReviewFactor: 2.2, LaterFactor: 1.3, WithdrawFactor: 0.5, Accept: 0.95},
	{ID: 36, Name: "Career Fair", Weight: 7, ReviewFactor: 0.8, LaterFactor: 0.95, WithdrawFactor: 1.2, Accept: 0.82, AutoRejectable: true},
}

// Stages of every job's interview plan, in order.
const (
	stageReview = iota
	stagePhone
	stageTechnical
	stageOnsite
	stageReference
	stageOffer
	numStages
)

var stageNames = [numStages]string{"Application Review", "Phone Screen", "Technical Interview", "Onsite", "Reference Check", "Offer"}

// stageParams: the base probability of passing a stage (given the candidate
// did not withdraw), the base withdrawal probability, and the dwell time in
// the stage before the decision (log-normal: median, sigma, clamped).
type stageParam struct {
	Pass, Withdraw float64
	Median         time.Duration
	Sigma          float64
	Min, Max       time.Duration
}

const day = 24 * time.Hour

var stageParams = [numStages]stageParam{
	stageReview:    {Pass: 0.32, Withdraw: 0.03, Median: 60 * time.Hour, Sigma: 0.8, Min: 2 * time.Hour, Max: 14 * day},
	stagePhone:     {Pass: 0.60, Withdraw: 0.06, Median: 4 * day, Sigma: 0.5, Min: 1 * day, Max: 14 * day},
	stageTechnical: {Pass: 0.55, Withdraw: 0.06, Median: 6 * day, Sigma: 0.5, Min: 1 * day, Max: 18 * day},
	stageOnsite:    {Pass: 0.50, Withdraw: 0.07, Median: 7 * day, Sigma: 0.45, Min: 2 * day, Max: 21 * day},
	stageReference: {Pass: 0.90, Withdraw: 0.03, Median: 3 * day, Sigma: 0.5, Min: 1 * day, Max: 10 * day},
}

// Funnel rates that are not per stage.
const (
	autoRejectRate     = 0.08  // inbound applications failing knockout questions within minutes
	backToTechnical    = 0.05  // Onsite -> Technical Interview (extra technical round)
	backToPhone        = 0.02  // Technical Interview -> Phone Screen
	unrejectRate       = 0.03  // rejected by mistake, unrejected hours/days later
	deleteRate         = 0.015 // rejected candidate asks for data deletion
	duplicateRate      = 0.015 // candidate re-applies with a duplicate profile, merged later
	candidateUpdate    = 0.05  // per stage: recruiter edits the candidate (update_candidate)
	applicationUpdate  = 0.35  // after the phone screen: notice period / visa recorded
	offerDeleteRate    = 0.12  // offer drafted wrongly, deleted and re-created
	draftWithdrawRate  = 0.04  // candidate withdraws before the offer is sent: draft deleted, rejected
	offerApprovalRate  = 0.60  // offer goes through an approval chain (offer_approved)
	offerRevisionRate  = 0.20  // candidate negotiates: new version with a corrected salary
	jobPostUpdateEvery = 100   // one job_post_updated per this many candidates (at least one)
)

type rejectionType struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

var (
	rtWe   = &rejectionType{1, "We rejected them"}
	rtThey = &rejectionType{2, "They rejected us"}
)

type rejectionReason struct {
	ID   int64
	Name string
	Type *rejectionType
}

var (
	rrExperience = &rejectionReason{101, "Insufficient experience", rtWe}
	rrSkills     = &rejectionReason{102, "Lacking skill(s)/qualification(s)", rtWe}
	rrAssessment = &rejectionReason{103, "Did not pass assessment", rtWe}
	rrComp       = &rejectionReason{104, "Compensation mismatch", rtWe}
	rrFilled     = &rejectionReason{105, "Position filled", rtWe}
	rrLocation   = &rejectionReason{106, "Location / work authorization", rtWe}
	rrValues     = &rejectionReason{107, "Values misalignment", rtWe}
	rrReferences = &rejectionReason{108, "Negative references", rtWe}
	rrWithdrew   = &rejectionReason{201, "Withdrew", rtThey}
	rrOtherOffer = &rejectionReason{202, "Accepted another offer", rtThey}
	rrDeclined   = &rejectionReason{203, "Declined offer", rtThey}
	rrGhosted    = &rejectionReason{204, "Unresponsive", rtThey}
	rrCompThey   = &rejectionReason{205, "Compensation mismatch", rtThey}
)

type weighted[T any] struct {
	V T
	W int
}

var failReasons = [numStages][]weighted[*rejectionReason]{
	stageReview:    {{rrExperience, 40}, {rrSkills, 25}, {rrLocation, 12}, {rrFilled, 8}, {rrComp, 5}},
	stagePhone:     {{rrComp, 30}, {rrExperience, 25}, {rrSkills, 20}, {rrLocation, 10}, {rrValues, 5}, {rrFilled, 10}},
	stageTechnical: {{rrAssessment, 55}, {rrSkills, 25}, {rrExperience, 10}, {rrFilled, 10}},
	stageOnsite:    {{rrAssessment, 25}, {rrValues, 25}, {rrSkills, 20}, {rrExperience, 15}, {rrFilled, 15}},
	stageReference: {{rrReferences, 60}, {rrFilled, 25}, {rrComp, 15}},
}

var withdrawReasons = []weighted[*rejectionReason]{{rrWithdrew, 50}, {rrOtherOffer, 30}, {rrGhosted, 15}, {rrCompThey, 5}}

var declineReasons = []weighted[*rejectionReason]{{rrDeclined, 50}, {rrOtherOffer, 35}, {rrCompThey, 15}}

// Interviews of each stage (names), engineering vs other jobs.
var engInterviews = [numStages][]string{
	stagePhone:     {"Recruiter Screen"},
	stageTechnical: {"Technical Screen"},
	stageOnsite:    {"System Design", "Coding", "Hiring Manager Interview", "Values Interview"},
	stageReference: {"Reference Check"},
}

var bizInterviews = [numStages][]string{
	stagePhone:     {"Recruiter Screen"},
	stageTechnical: {"Skills Assessment"},
	stageOnsite:    {"Case Study Presentation", "Hiring Manager Interview", "Team Panel", "Values Interview"},
	stageReference: {"Reference Check"},
}

// Names: (first, last) pairs grouped by culture so that combinations stay
// plausible. Includes diacritics, non-Latin scripts and one astral-plane
// character (𠮷, U+20BB7) to exercise surrogate-pair escaping.
var nameGroups = [][2][]string{
	{{"Jürgen", "Lena", "Maximilian", "Anja", "Jörg", "Sophie", "Matthias"}, {"Müller", "Schröder", "Weiß", "Köhler", "Groß", "Becker", "Hoffmann"}},
	{{"Søren", "Åsa", "Bjørn", "Ingrid", "Mikkel", "Linnéa"}, {"Østergaard", "Lindqvist", "Ødegård", "Sæther", "Nyström", "Halvorsen"}},
	{{"Zoë", "Chloé", "Noël", "Amélie", "Théo", "Hélène"}, {"Lefèvre", "Bénard", "Géraud", "Dubois", "Rousseau", "Ngata-Øvergaard"}},
	{{"José", "María", "Iñaki", "Begoña", "Nuria", "Sebastián"}, {"Núñez", "Peña", "Ibáñez", "Muñoz", "García", "Castaño"}},
	{{"João", "Conceição", "Luís", "Beatriz"}, {"Gonçalves", "Araújo", "Simões", "Fernandes"}},
	{{"Łukasz", "Małgorzata", "Paweł", "Zofia"}, {"Wróbel", "Żak", "Kowalczyk", "Dąbrowska"}},
	{{"Çağla", "Gökhan", "Elif", "Barış"}, {"Yıldız", "Öztürk", "Şahin", "Aydın"}},
	{{"娜", "伟", "秀英", "Xiaoming", "Wei"}, {"李", "王", "张", "Zhang", "Chen"}},
	{{"美咲", "花子", "Haruto", "Yui"}, {"田中", "𠮷野", "Sato", "Nakamura"}},
	{{"지훈", "서연", "Min-jun", "Ji-woo"}, {"김", "박", "Park", "Lee"}},
	{{"Priya", "Arjun", "Ananya", "Rohan", "Kavya"}, {"Iyer", "Krishnan", "Sharma", "Banerjee", "Reddy"}},
	{{"Chinedu", "Ngozi", "Kwabena", "Adaeze", "Oluwaseun"}, {"Okafor", "Adeyemi", "Asante", "Eze", "Balogun"}},
	{{"Layla", "Omar", "ليلى", "Youssef"}, {"Haddad", "Al-Farsi", "حداد", "El Amrani"}},
	{{"Hương", "Minh", "Thảo"}, {"Nguyễn", "Trần", "Phạm"}},
	{{"Дмитрий", "Anastasia", "Ivan"}, {"Волков", "Petrova", "Sokolov"}},
	{{"Ελένη", "Nikos"}, {"Παπαδοπούλου", "Georgiou"}},
	{{"Siobhán", "Aoife", "Cian", "Oisín"}, {"Ó Briain", "Ní Dhomhnaill", "Murphy", "Ó Súilleabháin"}},
	{{"Emily", "James", "Olivia", "Michael", "Ava", "Daniel", "Sarah"}, {"Johnson", "Smith", "Williams", "Brown", "Taylor", "Miller", "Davis"}},
	{{"Aroha", "Tane", "Mereana"}, {"Ngata", "Parata", "Te Whata"}},
}

var nameGroupWeights = []int{8, 4, 5, 6, 3, 3, 3, 5, 3, 3, 8, 5, 4, 2, 2, 1, 3, 14, 1}

var (
	currentTitles = []string{"Software Engineer", "Senior Software Engineer", "Backend Developer", "Account Manager", "Sales Associate",
		"Customer Support Lead", "Marketing Specialist", "Financial Analyst", "HR Business Partner", "Team Lead", "Consultant", "Student"}
	currentCompanies = []string{"Globex", "Initech", "Umbrella Analytics", "Hooli", "Vandelay Industries", "Stark Logistics",
		"Wayne Fintech", "Soylent Foods", "Tyrell Systems", "Cyberdyne Labs"}
	schools = []string{"Technische Universität München", "University of Toronto", "Universidad de Buenos Aires",
		"University College London", "Indian Institute of Technology Madras", "Københavns Universitet", "Seoul National University",
		"University of Lagos", "New York University", "Sorbonne Université"}
	degrees     = []string{"Bachelor's Degree", "Master's Degree", "Bachelor's Degree", "PhD", "Associate's Degree"}
	disciplines = []string{"Computer Science", "Economics", "Business Administration", "Mathematics", "Psychology", "Communications", "Electrical Engineering"}
	tagsPool    = []string{"Strong referral", "Future pipeline", "Needs visa sponsorship", "Silver medalist", "Open to relocation"}
	levels      = []string{"Junior", "Mid", "Senior", "Staff", "Manager"}
)
